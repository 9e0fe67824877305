package capture

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// parseCSV reads a CSV payload into rows of values: numbers become
// json.Number, empty fields nil (a missing value), anything else a string.
func parseCSV(data []byte) ([][]any, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var rows [][]any
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("invalid CSV: %w", err)
		}
		row := make([]any, len(rec))
		for i, f := range rec {
			row[i] = csvValue(f)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, errors.New("empty CSV payload")
	}
	return rows, nil
}

// csvValue converts one CSV field.
func csvValue(f string) any {
	f = strings.TrimSpace(f)
	if f == "" {
		return nil
	}
	if c := f[0]; c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') {
		if v, err := strconv.ParseFloat(f, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return f
}

// parseJSON reads one JSON value, numbers as json.Number.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: text after the value (for one value per line, use format jsonlines)")
	}
	return v, nil
}

// parseJSONLines reads one JSON value per non-empty line.
func parseJSONLines(data []byte) ([]any, error) {
	var out []any
	for i, line := range bytes.Split(data, []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		v, err := parseJSON(line)
		if err != nil {
			return nil, fmt.Errorf("JSON Lines line %d: %w", i+1, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("empty JSON Lines payload")
	}
	return out, nil
}

// at follows a dotted path into v; "" and "." are v itself.
func at(v any, path string) (any, error) {
	if path == "" || path == "." {
		return v, nil
	}
	cur := v
	for _, seg := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: got %s, want an object with field %q", path, kindOf(cur), seg)
		}
		if cur, ok = obj[seg]; !ok {
			return nil, fmt.Errorf("%s: no field %q", path, seg)
		}
	}
	return cur, nil
}

// jsonAt reads one JSON value and follows the dotted path into it; setting
// names the mapping's setting that holds path, for messages.
func jsonAt(data []byte, path, setting string) (any, error) {
	v, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	r, err := at(v, path)
	if err != nil {
		return nil, fmt.Errorf("%s %w", setting, err)
	}
	return r, nil
}

// kindOf names a decoded JSON value's type for messages (never its value).
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// number reads a number: a JSON number, or a numeric string.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	return 0, false
}
