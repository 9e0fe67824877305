package profile

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/parquet-go/parquet-go"
)

// csvToParquet writes CSV data as Parquet: a column whose cells are all
// numbers (or missing) as optional DOUBLE, written plain, any other as an
// optional dictionary-encoded string; empty cells and NA are nulls. Row
// groups of rowsPerGroup records and small pages make the blocks straddle
// both.
func csvToParquet(t *testing.T, data []byte, rowsPerGroup int64) []byte {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, records := records[0], records[1:]
	numeric := make([]bool, len(header))
	group := parquet.Group{}
	for j, name := range header {
		numeric[j] = true
		for _, rec := range records {
			if c := rec[j]; c != "" && c != "NA" {
				if _, err := strconv.ParseFloat(c, 64); err != nil {
					numeric[j] = false
					break
				}
			}
		}
		if numeric[j] {
			group[name] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
		} else {
			group[name] = parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary))
		}
	}
	schema := parquet.NewSchema("records", group)
	// The schema orders its fields by name: map each to its CSV column.
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema, parquet.MaxRowsPerRowGroup(rowsPerGroup), parquet.PageBufferSize(2048))
	fields := schema.Fields()
	rows := make([]parquet.Row, 0, len(records))
	for _, rec := range records {
		row := make(parquet.Row, len(fields))
		for i, f := range fields {
			j := indexOf(header, f.Name())
			c := rec[j]
			switch {
			case c == "" || c == "NA":
				row[i] = parquet.Value{}.Level(0, 0, i)
			case numeric[j]:
				x, _ := strconv.ParseFloat(c, 64)
				row[i] = parquet.DoubleValue(x).Level(0, 1, i)
			default:
				row[i] = parquet.ByteArrayValue([]byte(c)).Level(0, 1, i)
			}
		}
		rows = append(rows, row)
	}
	if _, err := w.WriteRows(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// numberedColumn returns CSV data with the cells of column replaced by
// their line numbers.
func numberedColumn(data []byte, column string) []byte {
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	j := indexOf(strings.Split(lines[0], ","), column)
	for i := 1; i < len(lines); i++ {
		cells := strings.Split(lines[i], ",")
		cells[j] = strconv.Itoa(i + 1)
		lines[i] = strings.Join(cells, ",")
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

// countParquet counts Parquet data over ref, record by record or column by
// column, and returns the batch profile's JSON and the warnings, or the
// error.
func countParquet(t *testing.T, ref *Profile, data []byte, workers int, rowByRow bool) ([]byte, []string, error) {
	t.Helper()
	return countWithOptions(t, ref, data, dataset.FormatParquet, CountOptions{Workers: workers, RowByRow: rowByRow})
}

// TestCountColumnsSameBytesAsRows: counting a Parquet file column by column
// gives the batch profile and warnings of counting it record by record, byte
// for byte, for every worker count.
func TestCountColumnsSameBytesAsRows(t *testing.T) {
	withModel := referenceWithModel(t, recordsCSV(3000, 1, 0, false, true))
	plain := *withModel
	plain.Multivariate = nil // counted without the per-record reconstruction
	rows := 3*countBlockRows + 123
	tests := []struct {
		name         string
		data         []byte
		rowsPerGroup int64
	}{
		{"like the reference", recordsCSV(rows, 2, 0, false, true), 1 << 20},
		{"drifted, unknown and absent columns", recordsCSV(rows, 3, 0.7, true, false), 5000},
		{"one block", recordsCSV(100, 4, 0.2, false, true), 7},
		{"small row groups", recordsCSV(rows, 5, 0.3, true, true), 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := csvToParquet(t, tt.data, tt.rowsPerGroup)
			for _, ref := range []*Profile{withModel, &plain} {
				want, wantWarnings, err := countParquet(t, ref, data, 1, true)
				if err != nil {
					t.Fatal(err)
				}
				p, err := Decode(want)
				if err != nil {
					t.Fatal(err)
				}
				if p.Errors == 0 || (p.Reconstruction == nil) != (ref == &plain) || p.FirstEvent == nil || p.Latency == nil {
					t.Fatalf("batch profile lacks the parts under test: %d errors, reconstruction %v, first event %v, latency %v",
						p.Errors, p.Reconstruction != nil, p.FirstEvent, p.Latency != nil)
				}
				checkCountColumns(t, ref, data, want, wantWarnings)
			}
		})
	}
}

func checkCountColumns(t *testing.T, ref *Profile, data, want []byte, wantWarnings []string) {
	t.Helper()
	for _, workers := range workerCounts {
		got, warnings, err := countParquet(t, ref, data, workers, false)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d workers: batch profile differs from the record-by-record one", workers)
		}
		if strings.Join(warnings, "\n") != strings.Join(wantWarnings, "\n") {
			t.Errorf("%d workers: warnings %q, want %q", workers, warnings, wantWarnings)
		}
	}
}

// TestCountColumnsSameErrorAsRows: column by column, the error returned is
// the one counting record by record returns, including values the Parquet
// reader rejects (an infinite DOUBLE) in counted, per-record and uncounted
// columns.
func TestCountColumnsSameErrorAsRows(t *testing.T) {
	ref := referenceWithModel(t, recordsCSV(3000, 1, 0, false, true))
	base := recordsCSV(3*countBlockRows, 6, 0, false, true)
	type cell struct {
		line          int
		column, value string
	}
	tests := []struct {
		name  string
		extra bool
		cells []cell
		want  string
	}{
		{"a later column, an earlier record", false, []cell{{9002, "x", "abc"}, {9001, "ties", "zz"}}, "cur:9000: column ties: discrete feature: not a number"},
		{"an earlier column, the same record", false, []cell{{7000, "x", "abc"}, {7000, "ties", "zz"}}, "cur:6999: column ties: discrete feature: not a number"}, // columns by name
		{"event time before the columns", false, []cell{{5000, "x", "abc"}, {5000, "timestamp", "soon"}}, `cur:4999: column timestamp: "soon" is not an RFC 3339 date-time`},
		{"a class score in an earlier record", false, []cell{{4100, "score_a", "1.5"}, {4101, "x", "abc"}}, "cur:4099: column score_a: score 1.5 is outside [0, 1]"},
		{"a latency before the event time", false, []cell{{300, "timestamp", "soon"}, {300, "latency_ms", "-5"}}, "cur:299: column latency_ms:"},
		{"an infinite feature", false, []cell{{3*countBlockRows + 1, "heavy", "inf"}}, fmt.Sprintf("count cur: cur:%d: column heavy: non-finite value +Inf is not allowed", 3*countBlockRows)},
		{"an infinite value before a count error", false, []cell{{6000, "heavy", "-inf"}, {6000, "timestamp", "soon"}, {6001, "x", "abc"}}, "count cur: cur:5999: column heavy: non-finite value -Inf is not allowed"},
		{"a count error before an infinite value", false, []cell{{6001, "heavy", "-inf"}, {6000, "ties", "zz"}}, "cur:5999: column ties: discrete feature: not a number"},
		{"infinite latency and feature", false, []cell{{2000, "heavy", "inf"}, {2000, "latency_ms", "inf"}}, "count cur: cur:1999: column heavy: non-finite"},
		{"an infinite score", false, []cell{{2000, "score_b", "inf"}, {2001, "x", "abc"}}, "count cur: cur:1999: column score_b: non-finite"},
		{"an infinite uncounted column", true, []cell{{4097, "extra", "inf"}, {4098, "x", "abc"}}, "count cur: cur:4096: column extra: non-finite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := base
			if tt.extra {
				data = numberedColumn(recordsCSV(3*countBlockRows, 6, 0, true, true), "extra")
			}
			for _, c := range tt.cells {
				data = withCell(data, c.line, c.column, c.value)
			}
			pq := csvToParquet(t, data, 2500)
			_, _, want := countParquet(t, ref, pq, 1, true)
			if want == nil || !strings.HasPrefix(want.Error(), tt.want) {
				t.Fatalf("record by record: error %v, want one starting %q", want, tt.want)
			}
			for _, workers := range workerCounts {
				_, _, err := countParquet(t, ref, pq, workers, false)
				if err == nil || err.Error() != want.Error() {
					t.Errorf("%d workers: error %v, want %v", workers, err, want)
				}
			}
		})
	}
}

// TestCountColumnsCancelled: a cancelled context stops the counting.
func TestCountColumnsCancelled(t *testing.T) {
	ref := referenceWithModel(t, recordsCSV(3000, 1, 0, false, true))
	data := csvToParquet(t, recordsCSV(100, 2, 0, false, true), 1<<20)
	r, err := dataset.NewReader(bytes.NewReader(data), "cur", dataset.FormatParquet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := CountWith(ctx, r, "cur", ref, CountOptions{}); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("error %v, want a cancellation", err)
	}
}
