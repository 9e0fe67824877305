package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// PprofResult is the time of one profiled step.
type PprofResult struct {
	Step    string  `json:"step"`
	Rows    int64   `json:"rows"`
	Seconds float64 `json:"seconds"`
	Profile string  `json:"cpu_profile"`
}

// profileStep runs the step that `modelwatch profile build` (step "build",
// on input, with the multivariate model) or the counting half of `modelwatch compare` (step "count", input
// counted against reference refPath) performs, under the CPU profiler, and
// writes the profile to cpuOut for `go tool pprof`.
func profileStep(ctx context.Context, step, input, refPath, cpuOut string) (*PprofResult, error) {
	var ref *profile.Profile
	if step == "count" {
		var err error
		if ref, err = loadReference(refPath); err != nil {
			return nil, err
		}
	} else if step != "build" {
		return nil, fmt.Errorf("pprof: step %q: want build or count", step)
	}
	f, err := os.Create(cpuOut)
	if err != nil {
		return nil, fmt.Errorf("pprof: %w", err)
	}
	defer f.Close()
	r, err := dataset.Open(input, "")
	if err != nil {
		return nil, fmt.Errorf("pprof: open %s: %w", input, err)
	}
	defer r.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, fmt.Errorf("pprof: %w", err)
	}
	start := time.Now()
	var p *profile.Profile
	if step == "build" {
		reopen := func(context.Context) (dataset.Reader, error) { return dataset.Open(input, "") }
		p, err = profile.Build(ctx, r, input, profile.BuildOptions{Settings: profile.DefaultSettings(),
			Multivariate: &profile.MultivariateOptions{Reopen: reopen}})
	} else {
		p, _, err = profile.Count(ctx, r, input, ref, profile.Columns{})
	}
	elapsed := time.Since(start)
	pprof.StopCPUProfile()
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("pprof: write %s: %w", cpuOut, err)
	}
	return &PprofResult{Step: step, Rows: p.Rows, Seconds: elapsed.Seconds(), Profile: cpuOut}, nil
}
