package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Prediction is a prediction record as the ingest API takes it.
type Prediction struct {
	RequestID    string             `json:"request_id"`
	Timestamp    string             `json:"timestamp"`
	ModelVersion string             `json:"model_version,omitempty"`
	Features     map[string]any     `json:"features"`
	Prediction   any                `json:"prediction"`
	Scores       map[string]float64 `json:"scores,omitempty"`
}

// Label is a label record as the ingest API takes it.
type Label struct {
	RequestID string `json:"request_id"`
	Label     any    `json:"label"`
	Timestamp string `json:"timestamp"`
}

// Predictions turns one capture line into its prediction records: one per
// record of the request, the i-th of several with request id "{id}#{i}".
// variant stamps the records when the mapping names no model version.
func (m *Mapping) Predictions(l *Line, variant string) ([]Prediction, error) {
	cd := l.CaptureData
	if cd == nil {
		return nil, errors.New("not a capture line (no captureData)")
	}
	if cd.EndpointInput == nil {
		return nil, errors.New("captureData.endpointInput: absent; capture requests (CaptureOptions Input)")
	}
	if cd.EndpointOutput == nil {
		return nil, errors.New("captureData.endpointOutput: absent; capture responses too (CaptureOptions Output)")
	}
	id, err := m.requestID(l.EventMetadata)
	if err != nil {
		return nil, err
	}
	ts := strings.TrimSpace(l.EventMetadata.InferenceTime)
	if ts == "" {
		return nil, errors.New("eventMetadata.inferenceTime: absent")
	}
	features, err := m.inputs(cd.EndpointInput)
	if err != nil {
		return nil, fmt.Errorf("endpointInput: %w", err)
	}
	outs, err := m.outputs(cd.EndpointOutput, len(features))
	if err != nil {
		return nil, fmt.Errorf("endpointOutput: %w", err)
	}
	version := m.ModelVersion
	if version == "" {
		version = variant
	}
	recs := make([]Prediction, len(features))
	for i, f := range features {
		pred, scores, err := m.interpret(outs[i])
		if err != nil {
			if len(features) > 1 {
				return nil, fmt.Errorf("endpointOutput: output %d: %w", i, err)
			}
			return nil, fmt.Errorf("endpointOutput: %w", err)
		}
		rid := id
		if len(features) > 1 {
			rid = id + "#" + strconv.Itoa(i)
		}
		recs[i] = Prediction{RequestID: rid, Timestamp: ts, ModelVersion: version, Features: f, Prediction: pred, Scores: scores}
	}
	return recs, nil
}

// Labels turns one ground-truth line into label records stamped ts: one per
// value, the i-th of several with request id "{eventId}#{i}".
func (m *Mapping) Labels(l *Line, ts string) ([]Label, error) {
	gt := l.GroundTruthData
	if gt == nil {
		return nil, errors.New("not a ground-truth line (no groundTruthData)")
	}
	id := strings.TrimSpace(l.EventMetadata.EventID)
	if id == "" {
		return nil, errors.New("eventMetadata.eventId: absent; it names the request the label is for")
	}
	data, err := gt.Bytes()
	if err != nil {
		return nil, fmt.Errorf("groundTruthData.%w", err)
	}
	format := m.GroundTruth.Format
	if format == FormatAuto {
		if format, err = gt.format(FormatAuto); err != nil {
			return nil, fmt.Errorf("groundTruthData: %w", err)
		}
	}
	var values []any
	switch format {
	case FormatCSV:
		rows, err := parseCSV(data)
		if err != nil {
			return nil, fmt.Errorf("groundTruthData: %w", err)
		}
		if len(rows) == 1 {
			values = rows[0]
		} else {
			for i, r := range rows {
				if len(r) != 1 {
					return nil, fmt.Errorf("groundTruthData: row %d has %d values; several rows must have one label each", i+1, len(r))
				}
				values = append(values, r[0])
			}
		}
	case FormatJSONLines:
		if values, err = parseJSONLines(data); err != nil {
			return nil, fmt.Errorf("groundTruthData: %w", err)
		}
	default:
		v, err := parseJSON(data)
		if err != nil {
			return nil, fmt.Errorf("groundTruthData: %w", err)
		}
		if arr, ok := v.([]any); ok {
			values = arr
		} else {
			values = []any{v}
		}
	}
	if format != FormatCSV {
		for i := range values {
			if values[i], err = at(values[i], m.GroundTruth.Label); err != nil {
				return nil, fmt.Errorf("groundTruthData: ground_truth.label %w", err)
			}
		}
	}
	if len(values) == 0 {
		return nil, errors.New("groundTruthData: no label")
	}
	out := make([]Label, len(values))
	for i, v := range values {
		lv, err := m.labelValue(v)
		if err != nil {
			return nil, fmt.Errorf("groundTruthData: %w", err)
		}
		rid := id
		if len(values) > 1 {
			rid = id + "#" + strconv.Itoa(i)
		}
		out[i] = Label{RequestID: rid, Label: lv, Timestamp: ts}
	}
	return out, nil
}

// requestID picks the request id the mapping names.
func (m *Mapping) requestID(md EventMetadata) (string, error) {
	switch {
	case m.customAttribute != "":
		attrs, err := customAttributes(md.CustomAttributes)
		if err != nil {
			return "", fmt.Errorf("eventMetadata.customAttributes: %w", err)
		}
		v, ok := attrs[m.customAttribute]
		if !ok || v == "" {
			return "", fmt.Errorf("eventMetadata.customAttributes: no attribute %q (request_id is custom_attribute:%s)", m.customAttribute, m.customAttribute)
		}
		return v, nil
	case m.RequestID == RequestIDEvent:
		if md.EventID == "" {
			return "", errors.New("eventMetadata.eventId: absent")
		}
		return md.EventID, nil
	}
	if md.InferenceID != "" {
		return md.InferenceID, nil
	}
	if md.EventID == "" {
		return "", errors.New("eventMetadata: neither inferenceId nor eventId")
	}
	return md.EventID, nil
}

// customAttributes parses the CustomAttributes header: name=value pairs
// separated by ',' or ';', as a string or a list of strings.
func customAttributes(raw json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("absent")
	}
	var parts []string
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		parts = []string{s}
	} else if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, errors.New("want a string or a list of strings")
	}
	out := map[string]string{}
	for _, p := range parts {
		for _, kv := range strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ';' }) {
			k, v, ok := strings.Cut(kv, "=")
			if ok {
				out[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return out, nil
}

// inputs reads the feature objects of a request, one per record.
func (m *Mapping) inputs(p *Payload) ([]map[string]any, error) {
	data, format, err := p.body(m.Input.Format)
	if err != nil {
		return nil, err
	}
	var elems []any
	switch format {
	case FormatCSV:
		if len(m.Input.Features) == 0 {
			return nil, errors.New("a CSV request, but the mapping has no input.features (the names, in column order)")
		}
		rows, err := parseCSV(data)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			elems = append(elems, r)
		}
	case FormatJSONLines:
		if elems, err = parseJSONLines(data); err != nil {
			return nil, err
		}
	default:
		r, err := jsonAt(data, m.Input.Records, "input.records")
		if err != nil {
			return nil, err
		}
		if arr, ok := r.([]any); ok && !(len(arr) > 0 && isScalar(arr[0]) && m.Input.FeaturesField == "") {
			elems = arr
		} else {
			elems = []any{r}
		}
	}
	if len(elems) == 0 {
		return nil, errors.New("no records in the request")
	}
	out := make([]map[string]any, len(elems))
	for i, e := range elems {
		f, err := m.features(e)
		if err != nil {
			if len(elems) > 1 {
				return nil, fmt.Errorf("record %d: %w", i, err)
			}
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// features reads one record's features.
func (m *Mapping) features(rec any) (map[string]any, error) {
	v, err := at(rec, m.Input.FeaturesField)
	if err != nil {
		return nil, fmt.Errorf("input.features_field %w", err)
	}
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case []any:
		names := m.Input.Features
		if len(names) == 0 {
			return nil, errors.New("the features are an array, but the mapping has no input.features (the names, in order)")
		}
		if len(x) != len(names) {
			return nil, fmt.Errorf("%d values, but input.features names %d", len(x), len(names))
		}
		f := make(map[string]any, len(x))
		for i, n := range names {
			f[n] = x[i]
		}
		return f, nil
	}
	return nil, fmt.Errorf("the features are %s, want an object or an array", kindOf(v))
}

// outputs reads the outputs of a response, n of them.
func (m *Mapping) outputs(p *Payload, n int) ([]any, error) {
	data, format, err := p.body(m.Output.Format)
	if err != nil {
		return nil, err
	}
	var outs []any
	switch format {
	case FormatCSV:
		rows, err := parseCSV(data)
		if err != nil {
			return nil, err
		}
		switch {
		case len(rows) == n:
			for _, r := range rows {
				if len(r) == 1 {
					outs = append(outs, r[0])
				} else {
					outs = append(outs, r)
				}
			}
		case len(rows) == 1 && len(rows[0]) == n && m.Output.Scores != ".":
			// Several scalar outputs on one line, as some built-in
			// algorithms answer a CSV batch.
			outs = rows[0]
		default:
			return nil, fmt.Errorf("%d records but %d output rows", n, len(rows))
		}
	case FormatJSONLines:
		if outs, err = parseJSONLines(data); err != nil {
			return nil, err
		}
	default:
		r, err := jsonAt(data, m.Output.Records, "output.records")
		if err != nil {
			return nil, err
		}
		arr, isArr := r.([]any)
		switch {
		case isArr && len(arr) == n && !(n == 1 && m.Output.Scores == "."):
			// One output per record; a one-element array is the single
			// record's output unless the output itself is the score list.
			outs = arr
		case n == 1:
			outs = []any{r}
		default:
			return nil, fmt.Errorf("%d records but the response is %s, want an array of %d outputs (output.records)", n, kindOf(r), n)
		}
	}
	if len(outs) != n {
		return nil, fmt.Errorf("%d outputs for %d records", len(outs), n)
	}
	return outs, nil
}

// interpret reads the prediction and the class scores of one output.
func (m *Mapping) interpret(out any) (pred any, scores map[string]float64, err error) {
	o := &m.Output
	if o.Scores != "" {
		v, err := at(out, o.Scores)
		if err != nil {
			return nil, nil, fmt.Errorf("output.scores %w", err)
		}
		if scores, err = m.scores(v); err != nil {
			return nil, nil, err
		}
	}
	if o.Probability != "" {
		v, err := at(out, o.Probability)
		if err != nil {
			return nil, nil, fmt.Errorf("output.probability %w", err)
		}
		p, ok := number(v)
		if !ok || p < 0 || p > 1 {
			return nil, nil, fmt.Errorf("output.probability: got %s, want a number in [0, 1]", kindOf(v))
		}
		if scores == nil {
			scores = map[string]float64{o.Classes[0]: 1 - p, o.Classes[1]: p}
		}
		if o.Label == "" {
			pred = o.Classes[0]
			if p >= o.threshold() {
				pred = o.Classes[1]
			}
		}
	}
	if o.Label != "" {
		v, err := at(out, o.Label)
		if err != nil {
			return nil, nil, fmt.Errorf("output.label %w", err)
		}
		if pred, err = m.labelValue(v); err != nil {
			return nil, nil, fmt.Errorf("output.label: %w", err)
		}
	} else if pred == nil {
		best, bestScore := "", math.Inf(-1)
		for c, s := range scores {
			if s > bestScore || (s == bestScore && c < best) {
				best, bestScore = c, s
			}
		}
		pred = best
	}
	return pred, scores, nil
}

// scores reads class scores: a list in output.classes order, or an object
// of class names.
func (m *Mapping) scores(v any) (map[string]float64, error) {
	out := map[string]float64{}
	switch x := v.(type) {
	case []any:
		if len(m.Output.Classes) != len(x) {
			return nil, fmt.Errorf("output.scores: %d scores, but output.classes names %d classes", len(x), len(m.Output.Classes))
		}
		for i, s := range x {
			f, ok := number(s)
			if !ok {
				return nil, fmt.Errorf("output.scores[%d]: got %s, want a number", i, kindOf(s))
			}
			out[m.Output.Classes[i]] = f
		}
	case map[string]any:
		for c, s := range x {
			f, ok := number(s)
			if !ok {
				return nil, fmt.Errorf("output.scores.%s: got %s, want a number", c, kindOf(s))
			}
			out[c] = f
		}
	default:
		return nil, fmt.Errorf("output.scores: got %s, want a list or an object of class scores", kindOf(v))
	}
	if len(out) == 0 {
		return nil, errors.New("output.scores: empty")
	}
	return out, nil
}

// labelValue reads a class label or a regression target: strings as they
// are; with output.classes, an integer n is classes[n] and a boolean is
// classes[0] or classes[1]; without, a number is a number.
func (m *Mapping) labelValue(v any) (any, error) {
	classes := m.Output.Classes
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil, errors.New("empty label")
		}
		return x, nil
	case bool:
		if len(classes) != 2 {
			return nil, errors.New("a boolean label needs output.classes with two classes")
		}
		if x {
			return classes[1], nil
		}
		return classes[0], nil
	case json.Number:
		if len(classes) == 0 {
			return x, nil
		}
		f, err := x.Float64()
		if err != nil || f != math.Trunc(f) || f < 0 || int(f) >= len(classes) {
			return nil, fmt.Errorf("the number %s is not a class index of output.classes (0 to %d)", x, len(classes)-1)
		}
		return classes[int(f)], nil
	}
	return nil, fmt.Errorf("got %s, want a class label or a number", kindOf(v))
}
