package multivariate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// spillCSV has numeric columns with missing cells and text that is not a
// number, and categorical ones with missing cells, booleans-as-text and
// many rare names.
func spillCSV(rows int) []byte {
	r := rand.New(rand.NewPCG(3, 9))
	var buf bytes.Buffer
	buf.WriteString("a,b,c,d\n")
	for i := range rows {
		a := fmt.Sprint(r.NormFloat64())
		switch i % 17 {
		case 0:
			a = ""
		case 5:
			a = "n/a-ish"
		}
		b := fmt.Sprint(2*r.NormFloat64() + float64(i%3))
		c := []string{"x", "y", "z", "true", ""}[r.IntN(5)]
		d := fmt.Sprintf("n%d", r.IntN(400))
		fmt.Fprintf(&buf, "%s,%s,%s,%s\n", a, b, c, d)
	}
	return buf.Bytes()
}

func fitJSON(t *testing.T, data []byte, opts Options) []byte {
	t.Helper()
	open := func(context.Context) (dataset.Reader, error) {
		return dataset.NewReader(bytes.NewReader(data), "fit.csv", dataset.FormatCSV)
	}
	specs := []Spec{{"a", Numeric}, {"b", Numeric}, {"c", Categorical}, {"d", Categorical}}
	opts.MaxCategories, opts.SampleSize = 50, 500
	m, err := Fit(context.Background(), open, specs, opts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFitSpillSameModel: reading the first pass's cells back from the
// spill gives the model that reading the data three times gives, byte for
// byte, including names beyond the counted ones and a spill dropped past
// its limit mid-file, and so does every number of workers.
func TestFitSpillSameModel(t *testing.T) {
	data := spillCSV(3*blockRows + 17)
	defer func(limit int64, counted int) { spillLimit, countedNames = limit, counted }(spillLimit, countedNames)
	for _, counted := range []int{100_000, 150} {
		countedNames = counted
		spillLimit = 0 // every row past the limit: the data is read again
		want := fitJSON(t, data, Options{Workers: 1})
		for _, limit := range []int64{1 << 30, 2 * 4 * blockRows * 8} {
			spillLimit = limit
			for _, workers := range []int{1, 2, 3, 8} {
				if got := fitJSON(t, data, Options{Workers: workers}); !bytes.Equal(got, want) {
					t.Errorf("counted names %d, spill limit %d, %d workers: the model differs from the one read three times on one goroutine", counted, limit, workers)
				}
			}
		}
	}
}

// TestFitBlockBoundaries: the model of a file does not depend on where its
// rows fall in the blocks the later passes read: fitting n rows one by one
// from the file or through a Collector fed the same values agree, for n
// around the block size.
func TestFitBlockBoundaries(t *testing.T) {
	specs := []Spec{{"a", Numeric}, {"b", Numeric}, {"c", Categorical}, {"d", Categorical}}
	for _, n := range []int{3, blockRows - 1, blockRows, blockRows + 1, 2*blockRows + 1} {
		data := spillCSV(n)
		open := func(context.Context) (dataset.Reader, error) {
			return dataset.NewReader(bytes.NewReader(data), "fit.csv", dataset.FormatCSV)
		}
		want, err := Fit(context.Background(), open, specs, Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if want.Rows != int64(n) || want.Reference.Count != int64(n) {
			t.Fatalf("%d rows: model of %d rows, reference summary of %d", n, want.Rows, want.Reference.Count)
		}
		c := NewCollector(specs, Options{Workers: 3})
		r, _ := open(context.Background())
		var rec dataset.Row
		for r.Next(&rec) == nil {
			for j := range specs {
				c.Add(j, rec.Values[j])
			}
		}
		got, err := c.Fit(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		if !bytes.Equal(a, b) {
			t.Errorf("%d rows: the collector's model differs from Fit's", n)
		}
	}
}

// TestFitSkip: the records Skip is true of are left out, as if they were
// not in the file, whether the later passes read the spill or the data.
func TestFitSkip(t *testing.T) {
	data := spillCSV(blockRows + 500)
	lines := bytes.SplitAfter(data, []byte("\n"))
	var kept bytes.Buffer
	kept.Write(lines[0])
	for _, l := range lines[1:] {
		if !bytes.Contains(l, []byte(",true,")) {
			kept.Write(l)
		}
	}
	want := fitJSON(t, kept.Bytes(), Options{})
	// column c (index 2) is "true" in about a fifth of the records, as a
	// failed-call column is in a profile build.
	skip := func(v []dataset.Value) bool { return len(v) > 2 && v[2].Str == "true" }
	defer func(limit int64) { spillLimit = limit }(spillLimit)
	for _, limit := range []int64{1 << 30, 0} {
		spillLimit = limit
		if got := fitJSON(t, data, Options{Skip: skip}); !bytes.Equal(got, want) {
			t.Errorf("spill limit %d: the model with Skip differs from the model of the records kept", limit)
		}
	}
}

// TestCollectorIndexedSameAsNamed: categories given by their number in the
// order first met give the model that the values give, also past the
// counted names.
func TestCollectorIndexedSameAsNamed(t *testing.T) {
	defer func(counted int) { countedNames = counted }(countedNames)
	countedNames = 3
	specs := []Spec{{"x", Numeric}, {"c", Categorical}}
	r := rand.New(rand.NewPCG(5, 6))
	named, indexed := NewCollector(specs, Options{}), NewCollector(specs, Options{})
	numbers := map[string]int{}
	for range 3 * blockRows {
		x := r.NormFloat64()
		name := fmt.Sprintf("n%d", r.IntN(6))
		if r.IntN(9) == 0 {
			named.AddMissing(1)
			indexed.AddMissing(1)
		} else {
			k, ok := numbers[name]
			if !ok {
				k = len(numbers)
				numbers[name] = k
			}
			named.Add(1, dataset.Value{Kind: dataset.Text, Str: name})
			indexed.AddIndexed(1, k, name)
		}
		x += float64(numbers[name])
		named.AddNumber(0, x)
		indexed.AddNumber(0, x)
	}
	a, err := named.Fit(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := indexed.Fit(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("indexed categories give another model:\n%s\n%s", jb, ja)
	}
}
