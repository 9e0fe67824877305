package monitor

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden.* files")

// TestGoldenReports renders the JSON and HTML reports of a window with
// drift, errors and labels, and of a window without data, and compares them
// with testdata/*.golden.*; go test ./shared/monitor -update rewrites them.
func TestGoldenReports(t *testing.T) {
	f := newFixture(t, Config{})
	recs := f.traffic(t, hour0, 2, 300, monitortest.Shift{Mean: map[string]float64{"f3": 0.8}, Skew: map[string]float64{"c1": 0.6}}, 200)
	failed := monitortest.Generate(20, hour0.Add(58*time.Minute), time.Second, monitortest.Shift{}, 201, "failing")
	failed[0].Error = "model timed out"
	monitortest.WriteBatch(t, f.st, f.ref, "batch-failing", failed)
	monitortest.WriteLabels(t, f.st, "credit", "labels", hour0.Add(50*time.Minute), recs[:150])
	end := hour0.Add(time.Hour)
	run(t, f.mon, driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	empty := end.Add(time.Hour)
	run(t, f.mon, driftevent.Event{WindowEnd: empty.Format(time.RFC3339)})

	for _, c := range []struct {
		name string
		end  time.Time
	}{{"window", end}, {"no_data", empty}} {
		for _, ext := range []string{"json", "html"} {
			got, err := f.st.Get(context.Background(), layout.Report("credit", c.end, ext))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", c.name+".golden."+ext)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/monitor -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test ./shared/monitor -update if the change is intended):\n%s", c.name, golden, firstDiff(got, want))
			}
		}
	}
}

func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + string(gl[:min(len(gl), 300)]) + "\nwant: " + string(wl[:min(len(wl), 300)])
		}
	}
	return "(same lines, different bytes)"
}
