package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/profile"
)

func newProfileBuildCommand() *cobra.Command {
	var (
		input, out, format string
		opts               = profile.BuildOptions{Settings: profile.DefaultSettings()}
		mv                 = true
		mvOpts             multivariate.Options
	)
	cmd := &cobra.Command{
		Use:   "build --input FILE --out PROFILE.json",
		Short: "Build a reference profile from training or validation data",
		Long: `Build a reference profile from a CSV (with header), JSON Lines (prediction
records or flat objects) or Parquet file. Numeric columns get reference
quantile bins (--grid fine bins for KS and Wasserstein, --bins coarse bins for
PSI); numeric columns with at most 20 distinct values are profiled as discrete
values; text columns as categories (at most --max-categories, the rest pooled
as __other__). Column kinds are inferred from the first 10,000 rows: numeric
when every value is a number, categorical when most are not. A column of
mostly numbers with some values that are not (anywhere in the file) stops the
build with the file, line and value: say --categorical COL to profile it as
categories, or --numeric COL to count the values that are not numbers as
missing.

Columns of ISO-8601 date-times (RFC 3339 text, Parquet timestamps) are not
features: they are left out of drift with a note; --timestamp names the
event-time column (default "timestamp"). Columns starting with --score-prefix
are class scores only when every value is a number in [0, 1] and each names a
class of the prediction or label column; otherwise they are features, with a
note (--numeric COL makes any column a feature). --out may be a path or s3://bucket/key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			limitMemory()
			ctx := cmd.Context()
			r, err := openInput(input, format)
			if err != nil {
				return err
			}
			// The rows of a file read record by record are decoded on
			// another core while Build counts them; a Parquet file's columns
			// are decoded by the goroutines adding them.
			if _, columns := r.(dataset.ColumnReader); !columns {
				r = dataset.ReadAhead(r)
			}
			defer r.Close()
			if mv {
				// The build's read is the fit's first pass; the fit reads
				// the input again only when it cannot keep its cells in a
				// temporary file.
				opts.Multivariate = &profile.MultivariateOptions{Options: mvOpts, Reopen: reopen(input, format)}
			}
			p, err := profile.Build(ctx, r, input, opts)
			if err != nil {
				return err
			}
			data, err := p.Encode()
			if err != nil {
				return err
			}
			if err := writeObject(ctx, out, data, "application/json"); err != nil {
				return err
			}
			for _, n := range p.Notes {
				fmt.Fprintln(cmd.ErrOrStderr(), "note:", n)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "profiled %d rows, %d features -> %s\n", p.Rows, len(p.Features), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&input, "input", "", "data file (CSV, JSON Lines or Parquet; .gz accepted for CSV and JSON Lines)")
	f.StringVar(&out, "out", "", "where to write the profile: a path or s3://bucket/key")
	f.StringVar(&format, "format", "", "input format: csv, jsonl or parquet (default: from the file extension)")
	f.StringVar(&opts.Model, "model", "", "model name recorded in the profile")
	f.StringVar(&opts.Version, "version", "", "model version recorded in the profile")
	f.StringVar(&opts.Label, "label", "", `label column (default "label" when present)`)
	f.StringVar(&opts.Prediction, "prediction", "", `prediction column (default "prediction" when present)`)
	f.StringVar(&opts.ScorePrefix, "score-prefix", "", `prefix of class-score columns (default "score_")`)
	f.StringVar(&opts.Timestamp, "timestamp", "", `event-time column, RFC 3339 date-times (default "timestamp")`)
	f.StringSliceVar(&opts.Categorical, "categorical", nil, "columns to profile as categorical")
	f.StringSliceVar(&opts.Numeric, "numeric", nil, "columns to profile as numeric features (values that are not numbers count as missing)")
	f.StringSliceVar(&opts.Ignore, "ignore", nil, "columns to leave out")
	f.IntVar(&opts.Bins, "bins", opts.Bins, "coarse (PSI) bins per numeric feature")
	f.IntVar(&opts.Grid, "grid", opts.Grid, "fine bins per numeric feature (KS and Wasserstein resolution)")
	f.IntVar(&opts.MaxCategories, "max-categories", opts.MaxCategories, "categories kept per categorical feature")
	f.IntVar(&opts.DiscreteMax, "discrete-max", opts.DiscreteMax, "numeric columns with at most this many distinct values are discrete")
	f.IntVar(&opts.Workers, "workers", 0, "goroutines adding and binning the columns (default: the number of CPUs); the profile is the same for every value")
	f.BoolVar(&mv, "multivariate", mv, "fit the multivariate reconstruction model (PCA) of the features")
	f.Float64Var(&mvOpts.VarianceShare, "variance-share", multivariate.DefaultVarianceShare, "multivariate model: keep the fewest components explaining more than this share of the variance")
	f.IntVar(&mvOpts.WindowSize, "window-size", 0, "multivariate model: records per window the default thresholds are reported for (optional)")
	required(cmd, "input", "out")
	return cmd
}

// reopen opens the input again for the multivariate fit.
func reopen(input, format string) multivariate.Open {
	return func(context.Context) (dataset.Reader, error) {
		r, err := openInput(input, format)
		if err != nil {
			return nil, err
		}
		if _, columns := r.(dataset.ColumnReader); columns {
			return r, nil
		}
		return dataset.ReadAhead(r), nil
	}
}
