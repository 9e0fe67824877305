package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/modelwatch/modelwatch/shared/calibrate"
	"github.com/modelwatch/modelwatch/shared/drift"
)

func newCalibrateCommand() *cobra.Command {
	var (
		refURL, history, out, base, decide string
		sampling                           calibrate.SamplingOptions
		hist                               calibrate.HistoryOptions
	)
	cmd := &cobra.Command{
		Use:   "calibrate (--reference PROFILE.json --window-size N | --history DIR|s3://BUCKET/PREFIX) --out drift.yaml",
		Short: "Learn each feature's normal drift and write calibrated thresholds",
		Long: `Instead of the conventional PSI lines (0.1 / 0.25), learn thresholds from data:

  --window-size N   draw many windows of N records from the reference distribution
                    (seeded) and keep, per feature and statistic, the --quantile
                    (default 0.99, drift) and --warn-quantile (0.95) of the values
                    seen when nothing drifted: the reference's own sampling noise.
  --history LOCATION  read past reports (compare --json outputs or the drift
                    function's reports, *.json; other files are skipped with a
                    warning) and use mean + k·σ (k = 3; warn at mean + 2σ) of
                    each statistic over the windows that were not flagged as
                    drifted; p-values (ks, chi2) are calibrated on −log10 p.

The output is a drift config (YAML) for compare --config and the drift
function: --config's settings plus a calibration section and --decide
(calibrated by default: calibrated thresholds decide; fixed: the fixed ones
decide and the calibrated verdict is only reported; both: drift only when both
agree).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			windowSet := cmd.Flags().Changed("window-size")
			switch {
			case windowSet == (history != ""):
				return fmt.Errorf("give exactly one of --window-size (with --reference) and --history")
			case windowSet && sampling.WindowSize <= 0:
				return fmt.Errorf("--window-size %d: want the number of records in a window, at least 1", sampling.WindowSize)
			case windowSet && refURL == "":
				return fmt.Errorf("--window-size needs --reference, the profile whose sampling noise is measured")
			case history != "" && refURL != "":
				return fmt.Errorf("--history calibrates from past reports alone: leave out --reference")
			}
			var cfg drift.Config
			if base != "" {
				var err error
				if cfg, err = drift.LoadConfig(base); err != nil {
					return err
				}
			}
			var cal *drift.Calibration
			var err error
			if history != "" {
				windows, skipped, err := loadHistory(ctx, history)
				for _, w := range skipped {
					fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
				}
				if err != nil {
					return err
				}
				cal, err = calibrate.FromHistory(windows, hist)
				if err != nil {
					return err
				}
			} else {
				ref, err := loadReference(ctx, refURL)
				if err != nil {
					return err
				}
				if cal, err = calibrate.FromReference(ctx, ref, sampling); err != nil {
					return err
				}
			}
			cfg.Calibration, cfg.Decide = cal, drift.Decide(decide)
			if err := cfg.Validate(); err != nil {
				return err
			}
			data, err := yaml.Marshal(cfg)
			if err != nil {
				return fmt.Errorf("encode drift config: %w", err)
			}
			header := fmt.Sprintf("# Drift config with thresholds calibrated by modelwatch calibrate (%s).\n", cal.Method)
			if err := writeObject(ctx, out, append([]byte(header), data...), "application/yaml"); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "calibrated %d features (%s, window of %d records) -> %s\n", len(cal.Features), cal.Method, cal.WindowSize, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&refURL, "reference", "", "reference profile (path or s3://bucket/key), for --window-size")
	f.IntVar(&sampling.WindowSize, "window-size", 0, "records per window the model really sees")
	f.StringVar(&history, "history", "", "directory or s3://bucket/prefix of past JSON reports")
	f.Float64Var(&sampling.Quantile, "quantile", 0.99, "quantile of the no-drift distribution that marks drift")
	f.Float64Var(&sampling.WarnQuantile, "warn-quantile", 0.95, "quantile of the no-drift distribution that marks warn")
	f.IntVar(&sampling.Draws, "draws", 1000, "simulated windows")
	f.Uint64Var(&sampling.Seed, "seed", 1, "random seed of the simulated windows")
	f.Float64Var(&hist.K, "k", 3, "standard deviations above the mean, for --history")
	f.IntVar(&hist.MinWindows, "min-windows", 8, "fewest undrifted past windows a feature needs, for --history")
	f.StringVar(&base, "config", "", "drift config to extend (methods, fixed thresholds, overrides)")
	f.StringVar(&decide, "decide", string(drift.DecideCalibrated), "which thresholds decide: calibrated, fixed or both")
	f.StringVar(&out, "out", "", "where to write the drift config: a path or s3://bucket/key")
	required(cmd, "out")
	return cmd
}

// loadHistory reads every *.json report under a directory or S3 prefix
// (latest.json copies are skipped so that no window counts twice) and
// returns warnings naming the files it skipped: files that are not JSON
// reports (HTML reports, profiles, anything else).
func loadHistory(ctx context.Context, location string) ([]calibrate.Window, []string, error) {
	st, prefix, err := openPrefix(ctx, location)
	if err != nil {
		return nil, nil, err
	}
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", location, err)
	}
	var keys, skipped []string
	for _, o := range objs {
		switch {
		case strings.HasSuffix(o.Key, "/latest.json") || o.Key == "latest.json":
		case strings.HasSuffix(o.Key, ".json"):
			keys = append(keys, o.Key)
		case strings.HasSuffix(o.Key, ".html"):
			// The drift function writes an HTML report beside each JSON one.
		default:
			skipped = append(skipped, fmt.Sprintf("skipped %s: not a JSON report", o.Key))
		}
	}
	sort.Strings(keys)
	windows := make([]calibrate.Window, 0, len(keys))
	for _, k := range keys {
		data, err := st.Get(ctx, k)
		if err != nil {
			return nil, skipped, fmt.Errorf("read %s: %w", k, err)
		}
		w, err := calibrate.DecodeWindow(data)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("skipped %s: %v", k, err))
			continue
		}
		windows = append(windows, w)
	}
	if len(windows) == 0 {
		return nil, skipped, fmt.Errorf("no drift reports (*.json) under %s", location)
	}
	return windows, skipped, nil
}
