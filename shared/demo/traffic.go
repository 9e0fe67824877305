package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch/shared/record"
)

// Random streams: each hour of traffic and the training data draw from
// their own generator, so that an hour's traffic does not depend on the
// hours before it.
const (
	streamTraining = iota + 1
	streamReference
	streamTraffic
)

func newRand(seed uint64, stream, n int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(stream)<<32|uint64(n)))
}

// prediction is one call of the simulated model service: the record sent
// to the ingest function, and the truth the world keeps for later.
type prediction struct {
	Time       time.Time
	RequestID  string
	App        Application
	Score      float64 // probability of default; NaN for a failed call
	LatencyMS  float64
	Error      string
	Defaulted  bool
	LabelAt    time.Time // zero: the outcome never becomes known
	Prediction string
	// Malformed records are sent with "NaN" for debt_to_income, which the
	// ingest function rejects.
	Malformed bool
}

// label is an outcome that becomes known at Time.
type label struct {
	Time      time.Time
	RequestID string
	Class     string
}

// service is the simulated model service: it draws applications from the
// world, scores them with the deployed model and times the calls.
type service struct {
	opts  Options
	model *Model
}

// volume is the mean number of predictions in hour h: a daily cycle
// around the rate, busiest in the afternoon.
func (s *service) volume(h int) float64 {
	hourOfDay := float64(s.opts.hourTime(h).Hour())
	return float64(s.opts.Rate) * (1 + 0.25*math.Sin(2*math.Pi*(hourOfDay-8)/24))
}

// hour simulates hour h of traffic.
func (s *service) hour(h int) []prediction {
	rng := newRand(s.opts.Seed, streamTraffic, h)
	c := s.opts.conditions(h)
	mean := s.volume(h)
	n := max(1, int(math.Round(mean+math.Sqrt(mean)*rng.NormFloat64())))
	start := s.opts.hourTime(h)
	offsets := make([]time.Duration, n)
	for i := range offsets {
		offsets[i] = time.Duration(rng.Int64N(int64(time.Hour/time.Millisecond))) * time.Millisecond
	}
	sort.Slice(offsets, func(i, j int) bool { return offsets[i] < offsets[j] })
	out := make([]prediction, n)
	minDelay := s.opts.LabelDelay / 6
	for i := range out {
		p := &out[i]
		p.Time = start.Add(offsets[i])
		p.RequestID = fmt.Sprintf("r-%04d-%05d", h, i)
		p.App = drawApplication(rng, c)
		p.Defaulted = rng.Float64() < defaultProbability(p.App, c)
		p.LatencyMS = math.Round(math.Exp(math.Log(38)+0.4*rng.NormFloat64())*10) / 10
		if rng.Float64() < c.SlowShare {
			p.LatencyMS = math.Round(700 + 1800*rng.Float64())
		}
		if rng.Float64() < c.ErrorShare {
			p.Error = "feature store timeout after 250 ms"
			p.LatencyMS = 250 + math.Round(rng.Float64()*20)
			p.Score = math.NaN()
			continue
		}
		p.Score = s.model.Score(p.App)
		p.Prediction = classOf(p.Score)
		if rng.Float64() < c.MalformedShare {
			p.Malformed = true
			continue
		}
		if rng.Float64() < s.opts.LabelShare {
			// Most outcomes are known soon after the shortest delay, the
			// last ones only at the longest.
			u := rng.Float64()
			delay := minDelay + time.Duration(u*u*float64(s.opts.LabelDelay-minDelay)).Truncate(time.Second)
			p.LabelAt = p.Time.Add(delay)
		}
	}
	return out
}

func classOf(score float64) string {
	if score >= 0.5 {
		return ClassDefault
	}
	return ClassNoDefault
}

func (p *prediction) label() label {
	class := ClassNoDefault
	if p.Defaulted {
		class = ClassDefault
	}
	return label{Time: p.LabelAt, RequestID: p.RequestID, Class: class}
}

// rfc3339 formats t as the records carry it.
func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// predictionsBody is the direct-invocation payload of the ingest function
// for a batch of predictions.
func predictionsBody(batchID string, preds []prediction) ([]byte, error) {
	type rec struct {
		RequestID    string             `json:"request_id"`
		Timestamp    string             `json:"timestamp"`
		ModelVersion string             `json:"model_version"`
		Features     map[string]any     `json:"features"`
		Prediction   *string            `json:"prediction,omitempty"`
		Scores       map[string]float64 `json:"scores,omitempty"`
		LatencyMS    float64            `json:"latency_ms"`
		Error        *string            `json:"error"`
	}
	recs := make([]rec, len(preds))
	for i := range preds {
		p := &preds[i]
		features := make(map[string]any, len(p.App.Numeric)+len(p.App.Categorical))
		for k, v := range p.App.Numeric {
			if v == nil {
				features[k] = nil
			} else {
				features[k] = *v
			}
		}
		for k, v := range p.App.Categorical {
			features[k] = v
		}
		if p.Malformed {
			features[FeatDebtToIncome] = "NaN"
		}
		r := rec{RequestID: p.RequestID, Timestamp: rfc3339(p.Time), ModelVersion: ModelVersion,
			Features: features, LatencyMS: p.LatencyMS}
		if p.Error != "" {
			r.Error = &p.Error
		} else {
			pd := math.Round(p.Score*10000) / 10000
			r.Prediction = &p.Prediction
			r.Scores = map[string]float64{ClassDefault: pd, ClassNoDefault: math.Round((1-pd)*10000) / 10000}
		}
		recs[i] = r
	}
	return batchBody(record.Predictions, batchID, recs)
}

// labelsBody is the direct-invocation payload for a batch of labels.
func labelsBody(batchID string, labels []label) ([]byte, error) {
	type rec struct {
		RequestID string `json:"request_id"`
		Label     string `json:"label"`
		Timestamp string `json:"timestamp"`
	}
	recs := make([]rec, len(labels))
	for i, l := range labels {
		recs[i] = rec{RequestID: l.RequestID, Label: l.Class, Timestamp: rfc3339(l.Time)}
	}
	return batchBody(record.Labels, batchID, recs)
}

func batchBody(kind record.Kind, batchID string, records any) ([]byte, error) {
	body := struct {
		Model   string `json:"model"`
		Kind    string `json:"kind"`
		BatchID string `json:"batch_id"`
		Records any    `json:"records"`
	}{ModelName, string(kind), batchID, records}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("encode batch %s: %w", batchID, err)
	}
	return buf.Bytes(), nil
}

// trainingCSV writes n applications drawn from the training world, scored
// by model (when not nil), as the CSV that `modelwatch profile build`
// reads: the features, prediction, class scores and the label.
func trainingCSV(apps []Application, defaulted []bool, model *Model) []byte {
	var b bytes.Buffer
	cols := append(append([]string{}, NumericFeatures...), CategoricalFeatures...)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c)
	}
	b.WriteString(",prediction,score_default,score_no_default,label\n")
	for i, a := range apps {
		for j, c := range NumericFeatures {
			if j > 0 {
				b.WriteByte(',')
			}
			if v := a.Numeric[c]; v != nil {
				b.WriteString(strconv.FormatFloat(*v, 'f', -1, 64))
			}
		}
		for _, c := range CategoricalFeatures {
			b.WriteByte(',')
			b.WriteString(a.Categorical[c])
		}
		score := math.Round(model.Score(a)*10000) / 10000
		outcome := ClassNoDefault
		if defaulted[i] {
			outcome = ClassDefault
		}
		fmt.Fprintf(&b, ",%s,%s,%s,%s\n", classOf(score), strconv.FormatFloat(score, 'f', -1, 64),
			strconv.FormatFloat(math.Round((1-score)*10000)/10000, 'f', -1, 64), outcome)
	}
	return b.Bytes()
}

// drawTraining draws n applications of the training world and their
// outcomes.
func drawTraining(seed uint64, stream, n int) ([]Application, []bool) {
	rng := newRand(seed, stream, 0)
	apps := make([]Application, n)
	defaulted := make([]bool, n)
	for i := range apps {
		apps[i] = drawApplication(rng, Conditions{})
		defaulted[i] = rng.Float64() < defaultProbability(apps[i], Conditions{})
	}
	return apps, defaulted
}
