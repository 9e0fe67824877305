package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/modelwatch/modelwatch/shared/profile"
)

func newProfileInspectCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "inspect PROFILE.json",
		Short: "Print a profile's summary: its model, rows and every column's kind, missing rate and bins",
		Long: `Print what a profile (reference or batch; a path or s3://bucket/key) holds:
its model and version, fingerprint, rows, build settings, the date-time
columns left out of drift and the notes written when it was built, then one
line per column: kind, missing rate, bins or categories, and the moments of
numeric columns.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readObject(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			p, err := profile.Decode(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			writeProfileSummary(cmd.OutOrStdout(), p)
			return nil
		},
	}
}

// writeProfileSummary prints the profile's header and one row per column.
func writeProfileSummary(w io.Writer, p *profile.Profile) {
	fmt.Fprintf(w, "%s profile", p.Type)
	if p.Model != "" || p.Version != "" {
		fmt.Fprintf(w, " of %s %s", p.Model, p.Version)
	}
	fmt.Fprintf(w, "\nfingerprint %s, created %s\n", p.Fingerprint, p.CreatedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "rows %d", p.Rows)
	if p.Errors > 0 {
		fmt.Fprintf(w, " (%d failed model calls)", p.Errors)
	}
	fmt.Fprintln(w)
	if s := p.Settings; s != nil {
		fmt.Fprintf(w, "settings: %d PSI bins, %d-bin grid, at most %d categories, discrete up to %d values\n", s.Bins, s.Grid, s.MaxCategories, s.DiscreteMax)
	}
	if p.EventTime != "" {
		fmt.Fprintf(w, "event time: %s\n", p.EventTime)
	}
	if len(p.TimeColumns) > 0 {
		fmt.Fprintf(w, "date-time columns left out of drift: %s\n", strings.Join(p.TimeColumns, ", "))
	}
	if p.FirstEvent != nil && p.LastEvent != nil {
		fmt.Fprintf(w, "events from %s to %s\n", p.FirstEvent.UTC().Format(time.RFC3339), p.LastEvent.UTC().Format(time.RFC3339))
	}
	if m := p.Multivariate; m != nil {
		fmt.Fprintf(w, "multivariate model: %d of %d components (%.1f %% of the variance, share %g), reconstruction error mean %.4g, std %.4g\n",
			len(m.Components), len(m.Features), 100*m.Explained, m.VarianceShare, m.ErrorMean, m.ErrorStd)
	}
	if r := p.Reconstruction; r != nil && r.Count > 0 {
		fmt.Fprintf(w, "reconstruction error: %d records, mean %.4g\n", r.Count, r.Mean())
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COLUMN\tROLE\tKIND\tMISSING\tBINS\tMEAN\tSTD\tMIN\tMAX")
	row := func(role string, f *profile.Feature) {
		if f == nil {
			return
		}
		missing := "-"
		if n := f.Missing + f.Present(); n > 0 {
			missing = fmt.Sprintf("%.1f%%", 100*float64(f.Missing)/float64(n))
		}
		var bins string
		switch f.Kind {
		case profile.Categorical:
			bins = fmt.Sprintf("%d categories + %s", len(f.Categories), profile.OtherCategory)
			if len(f.Categories) == 0 {
				bins = fmt.Sprintf("%d values", len(f.Values))
			}
		case profile.Discrete:
			bins = fmt.Sprintf("%d values", len(f.Edges))
			if len(f.Edges) == 0 {
				bins = fmt.Sprintf("%d values", len(f.Values))
			}
		default:
			bins = fmt.Sprintf("%d coarse, %d fine", len(f.CoarseEdges)+1, len(f.Edges)+1)
			if len(f.Edges) == 0 {
				bins = fmt.Sprintf("%d fine", len(f.Grid))
			}
		}
		mean, std, lo, hi := "-", "-", "-", "-"
		if m := f.Moments; m != nil && m.Count > 0 {
			mean, std, lo, hi = fmtNum(&m.Mean), fmtNum(ptr(m.Std())), fmtNum(&m.Min), fmtNum(&m.Max)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, role, f.Kind, missing, bins, mean, std, lo, hi)
	}
	for _, f := range p.Features {
		row("feature", f)
	}
	row("prediction", p.Prediction)
	row("confidence", p.Confidence)
	row("label", p.Label)
	tw.Flush()
}

func ptr(v float64) *float64 { return &v }
