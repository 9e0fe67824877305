package profile

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
)

// workerCounts are the worker counts whose batch profiles must agree.
var workerCounts = []int{1, 2, 3, 5}

// recordsCSV returns rows of prediction records: a numeric column with
// missing values, a heavy-tailed one, a discrete one, a categorical one with
// rare levels, an event time, a latency, failed calls, a prediction with
// class scores and a label. shift moves the current data away from the
// reference, with unseen categories and discrete values; extra adds a column
// the reference does not know; without heavy the file lacks a reference
// column.
func recordsCSV(rows int, seed uint64, shift float64, extra, heavy bool) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	var buf bytes.Buffer
	buf.WriteString("x")
	if heavy {
		buf.WriteString(",heavy")
	}
	buf.WriteString(",ties,colour,timestamp,latency_ms,error,prediction,score_a,score_b,label")
	if extra {
		buf.WriteString(",extra")
	}
	buf.WriteString("\n")
	colours := []string{"red", "green", "blue", "cyan", "rare1", "rare2", "rare3"}
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		x := fmt.Sprint(r.NormFloat64() + shift)
		if i%13 == 0 {
			x = "NA"
		}
		fmt.Fprintf(&buf, "%s", x)
		if heavy {
			fmt.Fprintf(&buf, ",%g", math.Exp(3*r.NormFloat64()))
		}
		ties := r.IntN(5)
		if shift != 0 && i%7 == 0 {
			ties = 9
		}
		colour := colours[min(r.IntN(12), len(colours)-1)]
		if shift != 0 && i%11 == 0 {
			colour = fmt.Sprintf("new%d", i%37)
		}
		failed := ""
		if i%97 == 5 {
			failed = "timeout"
		}
		pa := r.Float64()
		pred := "a"
		if pa < 0.5 {
			pred = "b"
		}
		scoreA := fmt.Sprint(pa)
		if i%29 == 0 {
			scoreA = ""
		}
		fmt.Fprintf(&buf, ",%d,%s,%s,%.1f,%s,%s,%s,%g,%s",
			ties, colour, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339),
			10+50*r.Float64(), failed, pred, scoreA, 1-pa, []string{"a", "b"}[r.IntN(2)])
		if extra {
			fmt.Fprintf(&buf, ",e%d", i%3)
		}
		buf.WriteString("\n")
	}
	return buf.Bytes()
}

// referenceWithModel builds the reference profile of data, with a
// multivariate model so that the reconstruction errors are counted too.
func referenceWithModel(t *testing.T, data []byte) *Profile {
	t.Helper()
	r, err := dataset.NewReader(bytes.NewReader(data), "ref.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Build(context.Background(), r, "ref.csv", BuildOptions{Settings: DefaultSettings(), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	specs := ref.MultivariateSpecs()
	open := func(context.Context) (dataset.Reader, error) {
		return dataset.NewReader(bytes.NewReader(data), "ref.csv", dataset.FormatCSV)
	}
	m, err := multivariate.Fit(context.Background(), open, specs, multivariate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.SetMultivariate(m); err != nil {
		t.Fatal(err)
	}
	return ref
}

// countJSON counts data over ref with the given number of workers and
// returns the batch profile's JSON and the warnings, or the error.
func countJSON(t *testing.T, ref *Profile, data []byte, format dataset.Format, workers int) ([]byte, []string, error) {
	t.Helper()
	return countWithOptions(t, ref, data, format, CountOptions{Workers: workers})
}

// countWithOptions counts data over ref with opts and returns the batch
// profile's JSON and the warnings, or the error.
func countWithOptions(t *testing.T, ref *Profile, data []byte, format dataset.Format, opts CountOptions) ([]byte, []string, error) {
	t.Helper()
	r, err := dataset.NewReader(bytes.NewReader(data), "cur", format)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, ok := r.(dataset.ColumnReader); !ok && format == dataset.FormatParquet {
		t.Fatal("the Parquet reader reads no columns")
	}
	p, warnings, err := CountWith(context.Background(), r, "cur", ref, opts)
	if err != nil {
		return nil, nil, err
	}
	p.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return out, warnings, nil
}

// jsonlRecords turns CSV rows into flat JSON Lines objects, and adds a key
// the reader first meets at row late, so that the columns change while the
// file is counted.
func jsonlRecords(t *testing.T, data []byte, late int) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	names := strings.Split(lines[0], ",")
	var buf bytes.Buffer
	for i, line := range lines[1:] {
		buf.WriteString("{")
		for j, v := range strings.Split(line, ",") {
			if j > 0 {
				buf.WriteString(",")
			}
			if v == "" || v == "NA" {
				fmt.Fprintf(&buf, "%q:null", names[j])
			} else {
				fmt.Fprintf(&buf, "%q:%q", names[j], v)
			}
		}
		if i >= late {
			fmt.Fprintf(&buf, `,"heavy":"%d"`, i%50)
		}
		buf.WriteString("}\n")
	}
	return buf.Bytes()
}

// TestCountSameBytesForEveryWorkerCount: counting the columns on several
// goroutines gives the batch profile and warnings one worker gives, byte for
// byte, over several blocks of records.
func TestCountSameBytesForEveryWorkerCount(t *testing.T) {
	ref := referenceWithModel(t, recordsCSV(3000, 1, 0, false, true))
	if ref.Multivariate == nil || ref.Confidence == nil || ref.EventTime == "" {
		t.Fatalf("reference lacks the parts under test: multivariate %v, confidence %v, event time %q",
			ref.Multivariate != nil, ref.Confidence != nil, ref.EventTime)
	}
	rows := 3*countBlockRows + 123
	tests := []struct {
		name   string
		data   []byte
		format dataset.Format
	}{
		{"like the reference", recordsCSV(rows, 2, 0, false, true), dataset.FormatCSV},
		{"drifted, unknown and absent columns", recordsCSV(rows, 3, 0.7, true, false), dataset.FormatCSV},
		{"one block", recordsCSV(100, 4, 0.2, false, true), dataset.FormatCSV},
		{"columns appearing mid-file", jsonlRecords(t, recordsCSV(rows, 5, 0.3, true, false), 2*countBlockRows+17), dataset.FormatJSONL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantWarnings, err := countJSON(t, ref, tt.data, tt.format, 1)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			if p.Errors == 0 || p.Reconstruction == nil || p.Reconstruction.Count == 0 || p.FirstEvent == nil || p.Latency == nil {
				t.Fatalf("batch profile lacks the parts under test: %d errors, reconstruction %v, first event %v, latency %v",
					p.Errors, p.Reconstruction != nil, p.FirstEvent, p.Latency != nil)
			}
			for _, workers := range workerCounts[1:] {
				got, warnings, err := countJSON(t, ref, tt.data, tt.format, workers)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%d workers: batch profile differs from one worker's", workers)
				}
				if strings.Join(warnings, "\n") != strings.Join(wantWarnings, "\n") {
					t.Errorf("%d workers: warnings %q, want %q", workers, warnings, wantWarnings)
				}
			}
		})
	}
}

// withCell returns data with the cell of the given column on the given line
// (1-based, the header being line 1) replaced.
func withCell(data []byte, line int, column, value string) []byte {
	lines := strings.Split(string(data), "\n")
	header := strings.Split(lines[0], ",")
	cells := strings.Split(lines[line-1], ",")
	for j, h := range header {
		if h == column {
			cells[j] = value
		}
	}
	lines[line-1] = strings.Join(cells, ",")
	return []byte(strings.Join(lines, "\n"))
}

// TestCountReportsTheFirstErrorInRecordOrder: whichever goroutine meets an
// error first, the one returned is the first a record-by-record count meets.
func TestCountReportsTheFirstErrorInRecordOrder(t *testing.T) {
	ref := referenceWithModel(t, recordsCSV(3000, 1, 0, false, true))
	base := recordsCSV(3*countBlockRows, 6, 0, false, true)
	type cell struct {
		line          int
		column, value string
	}
	tests := []struct {
		name  string
		cells []cell
		want  string
	}{
		{"a later column, an earlier record", []cell{{9002, "x", "abc"}, {9001, "ties", "zz"}}, "cur:9001: column ties: discrete feature: not a number"},
		{"an earlier column, the same record", []cell{{7000, "ties", "zz"}, {7000, "x", "abc"}}, "cur:7000: column x: numeric feature: not a number"},
		{"event time before the columns", []cell{{5000, "x", "abc"}, {5000, "timestamp", "soon"}}, `cur:5000: column timestamp: "soon" is not an RFC 3339 date-time`},
		{"a class score after the columns", []cell{{4100, "score_a", "1.5"}, {4100, "ties", "zz"}}, "cur:4100: column ties: discrete feature: not a number"},
		{"a class score in an earlier record", []cell{{4100, "score_a", "1.5"}, {4101, "x", "abc"}}, "cur:4100: column score_a: score 1.5 is outside [0, 1]"},
		{"a latency before the event time", []cell{{300, "timestamp", "soon"}, {300, "latency_ms", "-5"}}, "cur:300: column latency_ms:"},
		{"in the last, partial block", []cell{{3*countBlockRows + 1, "heavy", "inf"}}, fmt.Sprintf("cur:%d: column heavy: numeric feature: non-finite number", 3*countBlockRows+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := base
			for _, c := range tt.cells {
				data = withCell(data, c.line, c.column, c.value)
			}
			for _, workers := range workerCounts {
				_, _, err := countJSON(t, ref, data, dataset.FormatCSV, workers)
				if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
					t.Errorf("%d workers: error %v, want one starting %q", workers, err, tt.want)
				}
			}
		})
	}
}

// TestCountReadErrorAfterACountError: an error counting an early record
// wins over a malformed line later in the file, which the reader may reach
// first.
func TestCountReadErrorAfterACountError(t *testing.T) {
	ref := referenceWithModel(t, recordsCSV(3000, 1, 0, false, true))
	data := withCell(recordsCSV(2*countBlockRows, 8, 0, false, true), 10, "x", "abc")
	data = append(data, "1,2,3\n"...)
	for _, workers := range workerCounts {
		_, _, err := countJSON(t, ref, data, dataset.FormatCSV, workers)
		if want := "cur:10: column x: numeric feature: not a number"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%d workers: error %v, want one starting %q", workers, err, want)
		}
	}
	clean := append(recordsCSV(2*countBlockRows, 8, 0, false, true), "1,2,3\n"...)
	for _, workers := range workerCounts {
		_, _, err := countJSON(t, ref, clean, dataset.FormatCSV, workers)
		if want := fmt.Sprintf("count cur: cur:%d: row has 3 fields", 2*countBlockRows+2); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%d workers: error %v, want one starting %q", workers, err, want)
		}
	}
}
