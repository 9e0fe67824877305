package profile

import (
	"fmt"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// Default column names of the prediction record (see the dataset package's
// flattening of JSON Lines records).
const (
	DefaultLabelColumn      = "label"
	DefaultPredictionColumn = "prediction"
	ErrorColumn             = "error"
	LatencyColumn           = "latency_ms"
	TimestampColumn         = "timestamp"
)

// recordColumns are columns of the prediction record that are not features.
var recordColumns = map[string]bool{
	"request_id":    true,
	TimestampColumn: true,
	"model_version": true,
	LatencyColumn:   true,
	ErrorColumn:     true,
}

// role is what a column of an input file is for.
type role int

const (
	roleFeature role = iota
	roleIgnored
	roleError
	rolePrediction
	roleLabel
	roleScore
	// roleTime is a column of date-times: not a feature, left out of drift;
	// the one named by Columns.Timestamp is the event time.
	roleTime
)

// Columns says which columns of a file play which part.
type Columns struct {
	// Label and Prediction name the label and prediction columns; empty means
	// "label" and "prediction" when the file has them.
	Label, Prediction string
	// ScorePrefix marks class-score columns (default "score_"); the highest
	// score of a record is profiled as its confidence. Build treats a column
	// with the prefix as a class score only when it looks like one (see
	// Build).
	ScorePrefix string
	// Timestamp names the event-time column (default "timestamp"): RFC 3339
	// date-times, never a feature.
	Timestamp string
	// Ignore lists columns that are not profiled.
	Ignore []string
}

func (c Columns) withDefaults() Columns {
	if c.Label == "" {
		c.Label = DefaultLabelColumn
	}
	if c.Prediction == "" {
		c.Prediction = DefaultPredictionColumn
	}
	if c.ScorePrefix == "" {
		c.ScorePrefix = dataset.ScorePrefix
	}
	if c.Timestamp == "" {
		c.Timestamp = TimestampColumn
	}
	return c
}

func (c Columns) roleOf(name string) role {
	switch {
	case contains(c.Ignore, name):
		return roleIgnored
	case name == ErrorColumn:
		return roleError
	case name == c.Prediction:
		return rolePrediction
	case name == c.Label:
		return roleLabel
	case name == c.Timestamp:
		return roleTime
	case strings.HasPrefix(name, c.ScorePrefix) && len(name) > len(c.ScorePrefix):
		return roleScore
	case recordColumns[name]:
		return roleIgnored
	}
	return roleFeature
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// isError reports whether an error cell marks a failed model call: any value
// other than missing, an empty string or false.
func isError(v dataset.Value) bool {
	switch v.Kind {
	case dataset.Missing:
		return false
	case dataset.Bool:
		return v.Str == "true"
	case dataset.Text:
		return v.Str != "" && v.Str != "false"
	}
	return true
}

// scoreValue reads a class score cell: a finite number in [0, 1] or missing.
func scoreValue(v dataset.Value) (float64, bool, error) {
	var s float64
	switch v.Kind {
	case dataset.Missing:
		return 0, false, nil
	case dataset.Number:
		s = v.Num
	case dataset.Text:
		var err error
		if s, err = dataset.ParseNumber(v.Str); err != nil {
			return 0, false, err
		}
	default:
		return 0, false, fmt.Errorf("got boolean %s, want a score in [0, 1]", v.Str)
	}
	if s < 0 || s > 1 {
		return 0, false, fmt.Errorf("score %g is outside [0, 1]", s)
	}
	return s, true, nil
}

// isTimeText reports whether s is an ISO-8601 date-time: a date, "T" or a
// space, a time of day with optional fractional seconds, and an optional
// zone ("Z" or ±hh:mm). Parquet timestamp columns arrive in this form too.
// A date alone is not a date-time.
func isTimeText(s string) bool {
	if len(s) < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') {
		return false
	}
	t := s[:10] + "T" + s[11:]
	for _, layout := range timeLayouts {
		if _, err := time.Parse(layout, t); err == nil {
			return true
		}
	}
	return false
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
}

// parseTime parses an event time: RFC 3339, or an ISO-8601 date-time
// without a zone, taken as UTC.
func parseTime(s string) (time.Time, error) {
	if !isTimeText(s) {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 date-time", s)
	}
	t := s[:10] + "T" + s[11:]
	var err error
	for _, layout := range timeLayouts {
		var v time.Time
		if v, err = time.Parse(layout, t); err == nil {
			return v, nil
		}
	}
	return time.Time{}, err
}

// lineError formats an error at a row and column of a file the way the dataset
// package does: "FILE:LINE: column NAME: what".
func lineError(file string, line int64, column string, err error) error {
	if column == "" {
		return fmt.Errorf("%s:%d: %w", file, line, err)
	}
	return fmt.Errorf("%s:%d: column %s: %w", file, line, column, err)
}
