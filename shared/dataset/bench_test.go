package dataset

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
)

const (
	benchRows    = 1_000_000 // rows read per benchmark op
	benchColumns = 25
	benchBlock   = 10_000 // distinct rows generated; the input repeats them
)

// repeatReader yields head, then body count times, without holding the
// whole input in memory.
type repeatReader struct {
	head, body []byte
	count      int
	cur        []byte
}

func newRepeatReader(head, body []byte, count int) *repeatReader {
	return &repeatReader{head: head, body: body, count: count, cur: head}
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.count == 0 {
			return 0, io.EOF
		}
		r.count--
		r.cur = r.body
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// benchCSV returns a header and benchBlock rows of benchColumns columns:
// integers, decimals, categories, missing tokens and quoted text.
func benchCSV() (head, body []byte) {
	var h strings.Builder
	for c := range benchColumns {
		if c > 0 {
			h.WriteByte(',')
		}
		fmt.Fprintf(&h, "col%02d", c)
	}
	h.WriteByte('\n')
	var b bytes.Buffer
	countries := []string{"DE", "FR", "US", "GB", "NL", "ES", "IT", "PL"}
	for i := range benchBlock {
		for c := range benchColumns {
			if c > 0 {
				b.WriteByte(',')
			}
			switch c % 5 {
			case 0:
				fmt.Fprintf(&b, "%d", (i*7919+c)%100000)
			case 1:
				fmt.Fprintf(&b, "%.3f", float64((i*31+c)%10000)/7)
			case 2:
				b.WriteString(countries[(i+c)%len(countries)])
			case 3:
				if i%10 == 0 {
					b.WriteString("NA")
				} else {
					fmt.Fprintf(&b, "%.6g", float64(i%977)*1.25e-3)
				}
			case 4:
				if i%50 == 0 {
					b.WriteString(`"a, quoted ""cell"""`)
				} else {
					fmt.Fprintf(&b, "v%d", i%13)
				}
			}
		}
		b.WriteByte('\n')
	}
	return []byte(h.String()), b.Bytes()
}

// BenchmarkCSV reads 1M rows x 25 columns per op.
func BenchmarkCSV(b *testing.B) {
	head, body := benchCSV()
	reps := benchRows / benchBlock
	b.SetBytes(int64(len(head) + reps*len(body)))
	b.ReportAllocs()
	var row Row
	for b.Loop() {
		r, err := NewReader(newRepeatReader(head, body, reps), "bench.csv", FormatCSV)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			err := r.Next(&row)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchRows {
			b.Fatalf("read %d rows", n)
		}
		r.Close()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCSVBaseline is encoding/csv alone on the BenchmarkCSV input, to
// show what the reader adds.
func BenchmarkCSVBaseline(b *testing.B) {
	head, body := benchCSV()
	reps := benchRows / benchBlock
	b.SetBytes(int64(len(head) + reps*len(body)))
	b.ReportAllocs()
	for b.Loop() {
		cr := csv.NewReader(newRepeatReader(head, body, reps))
		cr.ReuseRecord = true
		for {
			if _, err := cr.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCSVScanner is the CSV scanner alone on the BenchmarkCSV input,
// beside BenchmarkCSVBaseline's encoding/csv.
func BenchmarkCSVScanner(b *testing.B) {
	head, body := benchCSV()
	reps := benchRows / benchBlock
	b.SetBytes(int64(len(head) + reps*len(body)))
	b.ReportAllocs()
	for b.Loop() {
		s := newCSVScanner(newRepeatReader(head, body, reps))
		for {
			if _, err := s.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// benchJSONL returns benchBlock prediction records like the ones the
// serving side logs, with 20 features and two scores.
func benchJSONL() []byte {
	var b bytes.Buffer
	countries := []string{"DE", "FR", "US", "GB"}
	for i := range benchBlock {
		fmt.Fprintf(&b, `{"request_id":"r-%d","timestamp":"2026-11-26T20:%02d:%02dZ","model_version":"v3","features":{`, i, i/60%60, i%60)
		for f := range 20 {
			if f > 0 {
				b.WriteByte(',')
			}
			switch f % 4 {
			case 0:
				fmt.Fprintf(&b, `"f%02d":%d`, f, (i*7919+f)%100000)
			case 1:
				fmt.Fprintf(&b, `"f%02d":%.4f`, f, float64((i*31+f)%10000)/7)
			case 2:
				fmt.Fprintf(&b, `"f%02d":"%s"`, f, countries[(i+f)%len(countries)])
			case 3:
				if i%10 == 0 {
					fmt.Fprintf(&b, `"f%02d":null`, f)
				} else {
					fmt.Fprintf(&b, `"f%02d":%t`, f, i%3 == 0)
				}
			}
		}
		fmt.Fprintf(&b, `},"prediction":"fraud","scores":{"fraud":0.%03d,"legit":0.%03d},"latency_ms":%.1f,"error":null,"label":"legit"}`+"\n", i%1000, 999-i%1000, float64(i%300)/10)
	}
	return b.Bytes()
}

// BenchmarkJSONL reads 1M prediction records per op.
func BenchmarkJSONL(b *testing.B) {
	body := benchJSONL()
	reps := benchRows / benchBlock
	b.SetBytes(int64(reps * len(body)))
	b.ReportAllocs()
	var row Row
	for b.Loop() {
		r, err := NewReader(newRepeatReader(nil, body, reps), "bench.jsonl", FormatJSONL)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			err := r.Next(&row)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchRows || len(r.Columns()) != 29 {
			b.Fatalf("read %d rows, %d columns", n, len(r.Columns()))
		}
		r.Close()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
