package profile

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// buildParquet builds the reference profile of Parquet data, record by
// record or column by column, and returns its JSON, or the error.
func buildParquet(t *testing.T, data []byte, workers int, rowByRow bool) ([]byte, error) {
	t.Helper()
	return buildWith(t, data, dataset.FormatParquet, workers, rowByRow)
}

// buildWith builds the reference profile of data on workers goroutines and
// returns its JSON, or the error.
func buildWith(t *testing.T, data []byte, format dataset.Format, workers int, rowByRow bool) ([]byte, error) {
	t.Helper()
	r, err := dataset.NewReader(bytes.NewReader(data), "ref", format)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	opts := BuildOptions{Settings: DefaultSettings(), TempDir: t.TempDir(), Workers: workers, RowByRow: rowByRow,
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	p, err := Build(context.Background(), r, "ref", opts)
	if err != nil {
		return nil, err
	}
	out, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return out, nil
}

// sameBuild fails the test unless a build's profile (got) or error is the
// one wanted.
func sameBuild(t *testing.T, what string, got []byte, err error, want []byte, wantErr error) {
	t.Helper()
	switch {
	case wantErr != nil && (err == nil || err.Error() != wantErr.Error()):
		t.Errorf("%s: error %v, want %v", what, err, wantErr)
	case wantErr == nil && err != nil:
		t.Errorf("%s: %v", what, err)
	case !bytes.Equal(got, want):
		t.Errorf("%s: the profile differs", what)
	}
}

// buildCase is reference data, the cells changed in it and the error the
// build must give (empty: none).
type buildCase struct {
	name    string
	data    []byte
	cells   []buildCell
	wantErr string
}

type buildCell struct {
	line          int
	column, value string
}

// buildCases are the data the build's paths must agree on: clean, and with
// errors in several columns, records and orders.
func buildCases() []buildCase {
	rows := inferenceRows + 3*buildBlockRows/2
	base := recordsCSV(rows, 11, 0, true, true)
	return []buildCase{
		{"clean", base, nil, ""},
		{"smaller than the sample", recordsCSV(3000, 13, 0, false, true), nil, ""},
		{"an infinite value in the sample", base, []buildCell{{500, "heavy", "inf"}, {400, "x", "abc"}}, "build profile: ref:499: column heavy: non-finite value +Inf"},
		{"infinite values in two columns of the sample", base, []buildCell{{500, "x", "-inf"}, {500, "heavy", "inf"}}, "build profile: ref:499: column heavy: non-finite value +Inf"},
		{"drifted with unknown columns", recordsCSV(rows, 12, 0.5, true, false), nil, ""},
		{"a time column that stops being one", base, []buildCell{{rows - 5, "timestamp", "soon"}}, ""},
		{"not a number in a numeric column", base, []buildCell{{20000, "x", "abc"}}, "ref:19999: column x: not a number"},
		{"an earlier column, the same record", base, []buildCell{{20000, "x", "abc"}, {20000, "ties", "zz"}}, "ref:19999: column ties: not a number"},
		{"an earlier record, a later column", base, []buildCell{{30001, "ties", "zz"}, {30000, "x", "abc"}}, "ref:29999: column x: not a number"},
		{"an infinite value", base, []buildCell{{15000, "heavy", "inf"}, {15001, "x", "abc"}}, "build profile: ref:14999: column heavy: non-finite value +Inf"},
		{"an infinite value after a count error", base, []buildCell{{15001, "heavy", "inf"}, {15000, "x", "abc"}}, "ref:14999: column x: not a number"},
		{"a class score out of range", base, []buildCell{{12000, "score_a", "1.5"}, {12001, "x", "abc"}}, "ref:11999: column score_a: score 1.5 is outside [0, 1]"},
		{"a class score after the columns", base, []buildCell{{12000, "score_a", "1.5"}, {12000, "x", "abc"}}, "ref:11999: column x: not a number"},
		{"an infinite uncounted column", numberedColumn(base, "extra"), []buildCell{{25000, "extra", "-inf"}, {25001, "x", "abc"}}, "build profile: ref:24999: column extra: non-finite value -Inf"},
	}
}

// TestBuildColumnsSameAsRows: building from a Parquet file column by column
// (past the sampled records) gives the profile, byte for byte, or the
// error of building it record by record.
func TestBuildColumnsSameAsRows(t *testing.T) {
	tests := buildCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			for _, c := range tt.cells {
				data = withCell(data, c.line, c.column, c.value)
			}
			pq := csvToParquet(t, data, 7000)
			want, wantErr := buildParquet(t, pq, 1, true)
			switch {
			case tt.wantErr == "" && wantErr != nil:
				t.Fatalf("record by record: %v", wantErr)
			case tt.wantErr != "" && (wantErr == nil || !bytes.HasPrefix([]byte(wantErr.Error()), []byte(tt.wantErr))):
				t.Fatalf("record by record: error %v, want one starting %q", wantErr, tt.wantErr)
			}
			for _, workers := range []int{1, 2, 3} {
				got, err := buildParquet(t, pq, workers, false)
				sameBuild(t, fmt.Sprintf("%d workers", workers), got, err, want, wantErr)
			}
		})
	}
}

// TestBuildRowBlocksSameAsOneByOne: a file read record by record and added
// by column workers gives the profile, byte for byte, or the error, of
// adding its records one by one; so does a JSON Lines file that grows a
// column past the sampled records (the rest is added one by one).
func TestBuildRowBlocksSameAsOneByOne(t *testing.T) {
	cases := buildCases()
	var jsonl bytes.Buffer
	for i := range inferenceRows + 3*countBlockRows {
		fmt.Fprintf(&jsonl, `{"x":%d,"c":"k%d"`, i%17, i%5)
		if i > inferenceRows+2*countBlockRows+9 {
			fmt.Fprintf(&jsonl, `,"late":%g`, float64(i)/7)
		}
		jsonl.WriteString("}\n")
	}
	cases = append(cases, buildCase{name: "a JSON Lines column past the sample", data: jsonl.Bytes()})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			for _, c := range tt.cells {
				data = withCell(data, c.line, c.column, c.value)
			}
			format := dataset.FormatCSV
			if tt.cells == nil && bytes.HasPrefix(data, []byte("{")) {
				format = dataset.FormatJSONL
			}
			want, wantErr := buildWith(t, data, format, 1, true)
			if (tt.wantErr == "") != (wantErr == nil) {
				t.Fatalf("one by one: error %v, want %q", wantErr, tt.wantErr)
			}
			for _, workers := range []int{2, 3} {
				got, err := buildWith(t, data, format, workers, true)
				sameBuild(t, fmt.Sprintf("%d workers", workers), got, err, want, wantErr)
			}
		})
	}
}
