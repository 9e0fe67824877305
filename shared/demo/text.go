package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/modelwatch/modelwatch/shared/chart"
)

// WriteText writes the short summary `modelwatch demo` prints at the end:
// the story, the alarms and what the alarm handler did, the retraining
// requests and the drifted features, and the page to open.
func WriteText(w io.Writer, res *Result, index string) error {
	s := res.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "modelwatch demo: %d simulated hours of %s (seed %d)\n\n", s.Hours, s.Model, s.Seed)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  hour 0\tbaseline: the world of the training data\n")
	for _, e := range s.Events {
		fmt.Fprintf(tw, "  hour %d\t%s\n", e.From, strings.ToLower(e.Title[:1])+e.Title[1:])
	}
	tw.Flush()
	b.WriteString("\nalarms (what the alarm handler did):\n")
	if len(s.Alarms) == 0 {
		b.WriteString("  none\n")
	}
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, a := range s.Alarms {
		v := "no datapoint"
		if a.Value != nil {
			v = fmt.Sprintf("%s = %s %s %s", a.Metric, chart.ValueLabel(*a.Value), comparisonSymbol[a.Comparison], formatValue(a.Threshold))
		}
		until := ""
		if a.ResolvedHour != nil {
			until = fmt.Sprintf(", OK at hour %d", *a.ResolvedHour)
		}
		fmt.Fprintf(tw, "  hour %d\t%s\t%s\t%s%s\n", a.Hour, a.Name, v, outcomeText[a.Handler].short, until)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nretraining requests: %d\n", len(s.RetrainRequests))
	for _, r := range s.RetrainRequests {
		fmt.Fprintf(&b, "  hour %d  %s (by %s)\n", r.Hour, r.ExecutionName, r.AlarmName)
	}
	first, names := firstDrift(s)
	if len(names) == 0 {
		b.WriteString("\ndrifted features: none\n")
	} else {
		fmt.Fprintf(&b, "\ndrifted features: %s (first at hour %d)\n", strings.Join(names, ", "), first)
	}
	if s.RecordsRejected > 0 {
		fmt.Fprintf(&b, "records rejected by the ingest function: %d\n", s.RecordsRejected)
	}
	fmt.Fprintf(&b, "\nopen %s\n", index)
	_, err := io.WriteString(w, b.String())
	return err
}

// firstDrift returns the first hour any feature drifted and every feature
// that ever did.
func firstDrift(s *Summary) (int, []string) {
	first := 0
	seen := map[string]bool{}
	for h := 1; h <= s.Hours; h++ {
		for _, n := range s.DriftedFeatures[h] {
			if first == 0 {
				first = h
			}
			seen[n] = true
		}
	}
	return first, sortedKeys(seen)
}
