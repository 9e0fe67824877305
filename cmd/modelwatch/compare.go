package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/report"
)

func newCompareCommand() *cobra.Command {
	var (
		refURL, current, format, configPath, htmlOut string
		asJSON                                       bool
		opts                                         profile.CountOptions
	)
	cmd := &cobra.Command{
		Use:   "compare --reference PROFILE.json --current FILE",
		Short: "Compare current data with a reference profile",
		Long: `Profile the current data over the reference's own bins and compare: per
feature PSI, KL, Jensen-Shannon, Hellinger, KS, normalised Wasserstein,
chi-squared, L-infinity, missing-rate change and unseen categories, a severity
per feature (default: PSI, warn at 0.1, drift at 0.25) and the dataset verdict
(drift when at least half the features drifted). --config overrides methods
and thresholds (YAML or JSON).

When the reference has a multivariate model (profile build fits one), the
reconstruction error of the current rows is compared too (one more line; the
exit status does not depend on it).

Exit status: 0 no dataset drift, 1 error, 2 dataset drift detected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			limitMemory()
			ctx := cmd.Context()
			var cfg drift.Config
			if configPath != "" {
				var err error
				if cfg, err = drift.LoadConfig(configPath); err != nil {
					return err
				}
			}
			ref, err := loadReference(ctx, refURL)
			if err != nil {
				return err
			}
			r, err := openInput(current, format)
			if err != nil {
				return err
			}
			defer r.Close()
			cur, warnings, err := profile.CountWith(ctx, r, current, ref, opts)
			if err != nil {
				return err
			}
			rep, err := drift.Compare(ref, cur, cfg, warnings...)
			if err != nil {
				return err
			}
			if htmlOut != "" {
				var buf bytes.Buffer
				if err := report.HTML(&buf, rep, report.Options{Title: "modelwatch drift report"}); err != nil {
					return fmt.Errorf("render HTML report: %w", err)
				}
				if err := writeObject(ctx, htmlOut, buf.Bytes(), "text/html; charset=utf-8"); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return fmt.Errorf("write JSON report: %w", err)
				}
			} else {
				for _, w := range warnings {
					fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
				}
				for _, n := range rep.Notes {
					fmt.Fprintln(cmd.ErrOrStderr(), "note:", n)
				}
				writeTable(cmd.OutOrStdout(), rep)
			}
			if rep.DatasetDrift.Detected {
				return errDriftDetected
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&refURL, "reference", "", "reference profile: a path or s3://bucket/key")
	f.StringVar(&current, "current", "", "current data file (CSV, JSON Lines or Parquet)")
	f.StringVar(&format, "format", "", "current file format: csv, jsonl or parquet (default: from the extension)")
	f.StringVar(&configPath, "config", "", "drift config file (YAML or JSON): methods, thresholds, per-feature overrides")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON (schema_version 1)")
	f.StringVar(&htmlOut, "html", "", "also write a self-contained HTML report here (path or s3://bucket/key)")
	f.StringVar(&opts.Label, "label", "", "label column (default: the reference's)")
	f.StringVar(&opts.Prediction, "prediction", "", "prediction column (default: the reference's)")
	f.StringVar(&opts.ScorePrefix, "score-prefix", "", `prefix of class-score columns (default "score_")`)
	f.StringVar(&opts.Timestamp, "timestamp", "", "event-time column (default: the reference's)")
	f.StringSliceVar(&opts.Ignore, "ignore", nil, "columns to leave out")
	f.IntVar(&opts.Workers, "workers", 0, "goroutines counting the file's columns, one of them reading a CSV or JSON Lines file (a Parquet file's columns are read by the goroutines counting them) (default: the number of CPUs); the result is the same for every value")
	required(cmd, "reference", "current")
	return cmd
}

// writeTable prints the features worst first, then the dataset verdict.
func writeTable(w io.Writer, rep *drift.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	calibrated := false
	for _, f := range rep.Features {
		calibrated = calibrated || f.DecidedBy != ""
	}
	header := "FEATURE\tKIND\tMETHOD\tVALUE\tSEVERITY\tPSI\tKS D\tWASSERSTEIN\tJS\tMISSING\tUNSEEN"
	if calibrated {
		header += "\tFIXED\tCALIBRATED (DRIFT AT)\tDECIDED BY"
	}
	header += "\tWHY"
	fmt.Fprintln(tw, header)
	for _, f := range drift.WorstFirst(rep.Features) {
		ks := "-"
		if f.KS != nil {
			ks = fmtNum(&f.KS.Statistic)
		}
		unseen := "-"
		if f.Unseen != nil {
			unseen = fmt.Sprintf("%.1f%%", 100*f.Unseen.Share)
			if f.Unseen.UpperBound {
				unseen = "<=" + unseen
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f%% -> %.1f%%\t%s",
			f.Name, f.Kind, f.Method, fmtNum(f.Value), f.Severity, fmtNum(f.PSI), ks, fmtNum(f.Wasserstein), fmtNum(f.JS),
			100*f.Missing.Reference, 100*f.Missing.Current, unseen)
		if calibrated {
			cal := "-"
			if t := f.CalibratedThresholds; t != nil {
				cal = fmt.Sprintf("%s (%s)", f.CalibratedSeverity, fmtNum(&t.Drift))
			}
			fixed, by := f.FixedSeverity, string(f.DecidedBy)
			if f.DecidedBy == "" {
				fixed, by = f.MethodSeverity, "fixed"
			}
			fmt.Fprintf(tw, "\t%s\t%s\t%s", fixed, cal, by)
		}
		why := f.Reason()
		if why == "" {
			why = "-"
		}
		fmt.Fprintf(tw, "\t%s\n", why)
	}
	tw.Flush()
	d := rep.DatasetDrift
	verdict := "no dataset drift"
	if d.Detected {
		verdict = "DATASET DRIFT DETECTED"
	}
	fmt.Fprintf(w, "\n%d of %d features drifted (share %.2f, threshold %.2f): %s\n", d.Drifted, d.Features, d.Share, d.Threshold, verdict)
	if p := rep.Prediction; p != nil {
		fmt.Fprintf(w, "prediction: %s %s = %s (%s)\n", p.Drift.Name, p.Drift.Method, fmtNum(p.Drift.Value), p.Drift.Severity)
	}
	if m := rep.Multivariate; m != nil {
		verdict := "no multivariate drift"
		if m.Drift {
			verdict = "MULTIVARIATE DRIFT"
			if len(m.Contributions) >= 2 {
				verdict += fmt.Sprintf(" (worst reconstructed: %s, %s)", m.Contributions[0].Feature, m.Contributions[1].Feature)
			}
		}
		fmt.Fprintf(w, "reconstruction error: %.4g (reference %.4g, thresholds %.4g .. %.4g, %.1f standard errors): %s\n",
			m.Mean, m.ReferenceMean, m.Lower, m.Upper, m.Sigmas, verdict)
	}
}

func fmtNum(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.4g", *v)
}
