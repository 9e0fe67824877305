package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/modelwatch/modelwatch/shared/layout"
)

// MappingKey is the key of a model's capture mapping in the modelwatch
// bucket.
func MappingKey(model string) string { return "config/" + model + "/capture.yaml" }

// Mapping says how a model's Data Capture files and ground truth become
// records. docs/ingest.md documents every field.
type Mapping struct {
	// Model is the model the records are for (from the key, not the file).
	Model string `yaml:"-"`
	// Endpoint and Variant name the SageMaker endpoint and production
	// variant whose captures are this model's; an empty Variant is every
	// variant of the endpoint.
	Endpoint string `yaml:"endpoint"`
	Variant  string `yaml:"variant"`
	// ModelVersion is stamped on every prediction record; empty: the
	// variant name.
	ModelVersion string `yaml:"model_version"`
	// RequestID is where a record's request id comes from: inference_id
	// (the default: inferenceId, or eventId when the request had none),
	// event_id, or custom_attribute:NAME.
	RequestID string `yaml:"request_id"`
	Input     Input  `yaml:"input"`
	Output    Output `yaml:"output"`
	// GroundTruth says where ground truth for the model is uploaded.
	GroundTruth GroundTruth `yaml:"ground_truth"`

	customAttribute string
}

// Input says where the features of a request are.
type Input struct {
	// Format is csv, json or jsonlines; empty: from the observed content type.
	Format Format `yaml:"format"`
	// Features are the feature names in column order: required for CSV,
	// and for JSON records that are arrays.
	Features []string `yaml:"features"`
	// Records is the dotted path, in a JSON payload, to the record or to an
	// array of records; empty: the payload itself.
	Records string `yaml:"records"`
	// FeaturesField is the dotted path, within a JSON record, to its
	// features (an object by name or an array in Features order); empty:
	// the record itself.
	FeaturesField string `yaml:"features_field"`
}

// Output says how to read a response: a class label, a probability or class
// scores, per record.
type Output struct {
	Format Format `yaml:"format"`
	// Records is the dotted path, in a JSON response, to the output or to an
	// array of outputs (one per record); empty: the response itself.
	Records string `yaml:"records"`
	// Label, Probability and Scores are dotted paths within one output;
	// "." is the output itself. Set at least one.
	Label       string `yaml:"label"`
	Probability string `yaml:"probability"`
	Scores      string `yaml:"scores"`
	// Classes names the classes: the order of a scores list, classes[1]
	// is the class whose probability Probability is, and an integer label
	// n is classes[n].
	Classes []string `yaml:"classes"`
	// Threshold turns a probability into a label when Label is not set:
	// classes[1] when probability ≥ threshold (default 0.5).
	Threshold *float64 `yaml:"threshold"`
}

// GroundTruth says where a model's ground truth lands and how to read it.
type GroundTruth struct {
	// Prefix is the key prefix, in the capture bucket, of the model's
	// ground-truth files.
	Prefix string `yaml:"prefix"`
	// Format is csv or json; empty: from the encoding.
	Format Format `yaml:"format"`
	// Label is the dotted path to the label within a JSON value; empty or
	// ".": the value itself.
	Label string `yaml:"label"`
}

// The request id sources.
const (
	RequestIDInference = "inference_id"
	RequestIDEvent     = "event_id"
	customAttrPrefix   = "custom_attribute:"
)

// ParseMapping decodes and validates model's mapping document. Every
// problem is reported, each with the field it is about.
func ParseMapping(model string, data []byte) (*Mapping, error) {
	m := &Mapping{Model: model}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("capture mapping of %s: the document is empty", model)
		}
		return nil, fmt.Errorf("capture mapping of %s: %w", model, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("capture mapping of %s: %w", model, err)
	}
	return m, nil
}

func (m *Mapping) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := layout.CheckModel(m.Model); err != nil {
		bad("%v", err)
	}
	if m.Endpoint == "" && m.GroundTruth.Prefix == "" {
		bad("endpoint: required (the SageMaker endpoint whose captures are this model's), or ground_truth.prefix for ground truth only")
	}
	for _, f := range []struct{ field, v string }{{"endpoint", m.Endpoint}, {"variant", m.Variant}} {
		if strings.Contains(f.v, "/") {
			bad("%s %q: a name, not a path", f.field, f.v)
		}
	}
	if m.Variant != "" && m.Endpoint == "" {
		bad("variant: set without endpoint")
	}
	if m.ModelVersion != "" {
		if err := layout.CheckVersion(m.ModelVersion); err != nil {
			bad("model_version: %v", err)
		}
	}
	switch rid := m.RequestID; {
	case rid == "":
		m.RequestID = RequestIDInference
	case rid == RequestIDInference || rid == RequestIDEvent:
	case strings.HasPrefix(rid, customAttrPrefix) && strings.TrimSpace(rid[len(customAttrPrefix):]) != "":
		m.customAttribute = strings.TrimSpace(rid[len(customAttrPrefix):])
	default:
		bad("request_id %q: want inference_id, event_id or custom_attribute:NAME", rid)
	}
	checkFormat := func(field string, f Format, allowed ...Format) {
		if f == FormatAuto {
			return
		}
		for _, a := range allowed {
			if f == a {
				return
			}
		}
		bad("%s %q: want one of %v, or leave it out for the payload's own content type", field, f, allowed)
	}
	checkFormat("input.format", m.Input.Format, FormatCSV, FormatJSON, FormatJSONLines)
	checkFormat("output.format", m.Output.Format, FormatCSV, FormatJSON, FormatJSONLines)
	checkFormat("ground_truth.format", m.GroundTruth.Format, FormatCSV, FormatJSON)
	seen := map[string]bool{}
	for i, f := range m.Input.Features {
		switch {
		case strings.TrimSpace(f) == "":
			bad("input.features[%d]: empty name", i)
		case seen[f]:
			bad("input.features[%d]: %q appears twice", i, f)
		}
		seen[f] = true
	}
	if m.Input.Format == FormatCSV && len(m.Input.Features) == 0 {
		bad("input.features: required for CSV input (the feature names, in column order)")
	}
	for _, p := range []struct{ field, path string }{
		{"input.records", m.Input.Records}, {"input.features_field", m.Input.FeaturesField},
		{"output.records", m.Output.Records}, {"ground_truth.label", m.GroundTruth.Label},
	} {
		if err := checkPath(p.path, true); err != nil {
			bad("%s: %v", p.field, err)
		}
	}
	o := m.Output
	if m.Endpoint != "" && o.Label == "" && o.Probability == "" && o.Scores == "" {
		bad("output: set label, probability or scores (a dotted path within one output, or \".\" for the output itself)")
	}
	for _, p := range []struct{ field, path string }{{"output.label", o.Label}, {"output.probability", o.Probability}, {"output.scores", o.Scores}} {
		if err := checkPath(p.path, false); err != nil {
			bad("%s: %v", p.field, err)
		}
	}
	classes := map[string]bool{}
	for i, c := range o.Classes {
		switch {
		case c == "":
			bad("output.classes[%d]: empty name", i)
		case classes[c]:
			bad("output.classes[%d]: %q appears twice", i, c)
		}
		classes[c] = true
	}
	if o.Probability != "" && len(o.Classes) != 2 {
		bad("output.classes: probability needs exactly two classes, [negative, positive]; got %d", len(o.Classes))
	}
	if o.Threshold != nil && (math.IsNaN(*o.Threshold) || *o.Threshold <= 0 || *o.Threshold >= 1) {
		bad("output.threshold %v: want a number between 0 and 1", *o.Threshold)
	}
	if o.Threshold != nil && o.Probability == "" {
		bad("output.threshold: set without output.probability")
	}
	return errors.Join(errs...)
}

// checkPath validates a dotted path: names separated by '.', no empty
// segment; "." (the value itself) is allowed unless top is set, where the
// empty path means the same.
func checkPath(p string, top bool) error {
	if p == "" || (!top && p == ".") {
		return nil
	}
	if p == "." {
		return errors.New(`"." is the default here; leave it out`)
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return fmt.Errorf("%q has an empty segment", p)
		}
	}
	return nil
}

// Matches reports whether a capture of endpoint and variant is the model's.
func (m *Mapping) Matches(endpoint, variant string) bool {
	return m.Endpoint != "" && m.Endpoint == endpoint && (m.Variant == "" || m.Variant == variant)
}

// threshold is the probability threshold.
func (o *Output) threshold() float64 {
	if o.Threshold != nil {
		return *o.Threshold
	}
	return 0.5
}
