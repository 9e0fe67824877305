package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// The monitored model scores card payments: two numeric and two categorical
// features, a class prediction with scores, and a latency.
var (
	countries = []string{"DE", "FR", "IT", "ES", "NL"}
	channels  = []string{"web", "app", "pos"}
)

type payment struct {
	amount, age      float64
	country, channel string
}

// draw returns a payment from the reference population, or from the drifted
// one: larger amounts, other countries (one the reference never saw), mostly
// app traffic. Age does not drift.
func draw(rng *rand.Rand, drifted bool) payment {
	p := payment{
		amount:  math.Exp(3.5 + 0.8*rng.NormFloat64()),
		age:     math.Round(40 + 12*rng.NormFloat64()),
		country: countries[rng.IntN(len(countries))],
		channel: channels[rng.IntN(len(channels))],
	}
	if drifted {
		p.amount = math.Exp(4.8 + 0.8*rng.NormFloat64())
		p.country = []string{"US", "US", "US", "DE"}[rng.IntN(4)]
		p.channel = []string{"app", "app", "app", "web"}[rng.IntN(4)]
	}
	return p
}

// score is the model: the probability of fraud.
func score(p payment) float64 {
	z := -2.5 + 0.012*(p.amount-30)
	if p.channel == "app" {
		z += 0.6
	}
	return 1 / (1 + math.Exp(-z))
}

func classOf(fraud float64) string {
	if fraud >= 0.5 {
		return "fraud"
	}
	return "legit"
}

// referenceProfile builds the reference profile of model version v1 from
// n payments of the reference population.
func referenceProfile(t *testing.T, ctx context.Context, model string, n int) *profile.Profile {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("amount,age,country,channel,prediction,score_fraud,score_legit\n")
	for range n {
		p := draw(rng, false)
		f := score(p)
		fmt.Fprintf(&b, "%.2f,%.0f,%s,%s,%s,%.4f,%.4f\n", p.amount, p.age, p.country, p.channel, classOf(f), f, 1-f)
	}
	r, err := dataset.NewReader(strings.NewReader(b.String()), "reference.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := profile.Build(ctx, r, "reference.csv", profile.BuildOptions{
		Settings: profile.DefaultSettings(), Model: model, Version: "v1", TempDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// batch returns n prediction records with event times spread over the hour
// starting at hour, as the body of an ingest request.
func batch(rng *rand.Rand, hour time.Time, n int, drifted bool, idPrefix string) []byte {
	type record struct {
		RequestID    string             `json:"request_id"`
		Timestamp    string             `json:"timestamp"`
		ModelVersion string             `json:"model_version"`
		Features     map[string]any     `json:"features"`
		Prediction   string             `json:"prediction"`
		Scores       map[string]float64 `json:"scores"`
		LatencyMS    float64            `json:"latency_ms"`
		Error        *string            `json:"error"`
	}
	body := struct {
		Records []record `json:"records"`
	}{}
	for i := range n {
		p := draw(rng, drifted)
		f := math.Round(score(p)*1e4) / 1e4
		at := hour.Add(time.Duration(i) * time.Hour / time.Duration(n+1)).Add(time.Second)
		body.Records = append(body.Records, record{
			RequestID:    fmt.Sprintf("%s-%05d", idPrefix, i),
			Timestamp:    at.UTC().Format(time.RFC3339),
			ModelVersion: "v1",
			Features:     map[string]any{"amount": math.Round(p.amount*100) / 100, "age": p.age, "country": p.country, "channel": p.channel},
			Prediction:   classOf(f),
			Scores:       map[string]float64{"fraud": f, "legit": math.Round((1-f)*1e4) / 1e4},
			LatencyMS:    math.Round((8+6*rng.ExpFloat64())*10) / 10,
		})
	}
	out, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return out
}

// schedulerTimePlaceholder is the EventBridge Scheduler context attribute
// the drift schedule's input carries.
const schedulerTimePlaceholder = "<aws.scheduler.scheduled-time>"
