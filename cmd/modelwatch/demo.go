package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/modelwatch/modelwatch/shared/demo"
)

func newDemoCommand() *cobra.Command {
	opts := demo.DefaultOptions()
	var quiet bool
	cmd := &cobra.Command{
		Use:   "demo [--out DIR] [--seed N] [--hours N] [--drift-at H] [--rate N]",
		Short: "Play 48 hours of a model in production, end to end, on this machine",
		Long: `Play a production story with the real ingest, drift and alarm-handler code,
on a local directory instead of AWS (no AWS account, Docker or Python):

  hours 0-24   a credit-default model serves loan applications like its
               training data; nothing should fire
  hour 24      a broker channel launches: a new category in channel, larger
               loan_amount (a covariate shift in two features)
  hour 30      an interest-rate shock: defaults rise, accuracy falls, which
               shows only when the delayed labels arrive
  hour 38      a latency spike (two hours)
  hour 43      a burst of model errors and malformed records

Traffic goes through the ingest function's handler, the drift function runs
every simulated hour, the alarms of template.yaml are evaluated on what it
would publish to CloudWatch, and their notifications go to the alarm
handler, which requests retraining at most once per model and cooldown.

--out gets the bucket (same keys as on S3), index.html (the dashboard: open
it in a browser), the hourly HTML reports, summary.json, the metrics and the
functions' logs. The same flags give the same output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bar := newProgressBar(cmd.ErrOrStderr(), quiet)
			opts.Progress = bar.update
			res, err := demo.Run(cmd.Context(), opts)
			bar.done()
			if err != nil {
				return err
			}
			index, err := filepath.Rel(mustGetwd(), res.Index)
			if err != nil || strings.HasPrefix(index, "..") {
				index = res.Index
			}
			out := cmd.OutOrStdout()
			if err := demo.WriteText(out, res, index); err != nil {
				return err
			}
			fmt.Fprintf(out, "(%s of wall time)\n", res.Elapsed.Round(100*time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Out, "out", opts.Out, "output directory (replaced when it holds an earlier demo's output)")
	f.Uint64Var(&opts.Seed, "seed", opts.Seed, "random seed: the same seed gives the same story")
	f.IntVar(&opts.Hours, "hours", opts.Hours, "simulated hours")
	f.IntVar(&opts.DriftAt, "drift-at", opts.DriftAt, "hour of the covariate shift; the later events follow it")
	f.IntVar(&opts.Rate, "rate", opts.Rate, "mean predictions per hour")
	f.Float64Var(&opts.LabelShare, "label-share", opts.LabelShare, "share of predictions whose outcome becomes known")
	f.DurationVar(&opts.LabelDelay, "label-delay", opts.LabelDelay, "longest delay of an outcome (each arrives between 1/6 of it and all of it)")
	f.StringVar(&opts.Source, "source", opts.Source, "how the traffic arrives: api (batches to the ingest function) or sagemaker-capture (Data Capture files and ground truth in a capture bucket, imported)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	return cmd
}

func mustGetwd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// progressBar draws the hours played on a terminal, and on anything else
// prints only the notable hours.
type progressBar struct {
	w       io.Writer
	tty     bool
	quiet   bool
	start   time.Time
	drawn   bool
	lastLen int
}

func newProgressBar(w io.Writer, quiet bool) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, tty: tty, quiet: quiet, start: time.Now()}
}

const barWidth = 32

func (p *progressBar) update(pr demo.Progress) {
	if p.quiet {
		return
	}
	if len(pr.Notes) > 0 {
		p.clear()
		for _, n := range pr.Notes {
			fmt.Fprintf(p.w, "hour %2d  %s\n", n.Hour, n.Text)
		}
	}
	if !p.tty {
		return
	}
	filled := barWidth * pr.Hour / max(pr.Hours, 1)
	line := fmt.Sprintf("\r[%s%s] %d/%d simulated hours  %s", strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled),
		pr.Hour, pr.Hours, time.Since(p.start).Round(100*time.Millisecond))
	fmt.Fprint(p.w, line)
	p.drawn, p.lastLen = true, len(line)
}

func (p *progressBar) clear() {
	if p.tty && p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.lastLen))
		p.drawn = false
	}
}

func (p *progressBar) done() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
