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

func fitJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	open := func(context.Context) (dataset.Reader, error) {
		return dataset.NewReader(bytes.NewReader(data), "fit.csv", dataset.FormatCSV)
	}
	specs := []Spec{{"a", Numeric}, {"b", Numeric}, {"c", Categorical}, {"d", Categorical}}
	m, err := Fit(context.Background(), open, specs, Options{MaxCategories: 50, SampleSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFitSpillSameModel: replaying the first pass's spill gives the model
// that reading the data three times gives, byte for byte, including names
// beyond the counted ones and a spill dropped past its limit mid-file.
func TestFitSpillSameModel(t *testing.T) {
	data := spillCSV(3000)
	defer func(limit int64, counted int) { spillLimit, countedNames = limit, counted }(spillLimit, countedNames)
	for _, counted := range []int{100_000, 150} {
		countedNames = counted
		spillLimit = 0 // every row past the limit: the data is read again
		want := fitJSON(t, data)
		for _, limit := range []int64{1 << 30, 32 * 1000} {
			spillLimit = limit
			if got := fitJSON(t, data); !bytes.Equal(got, want) {
				t.Errorf("counted names %d, spill limit %d: the model differs from the one read three times", counted, limit)
			}
		}
	}
}
