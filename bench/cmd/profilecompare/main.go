package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage:
  profilecompare count   --reference REF.json --current FILE --part-rows N --out DIR
  profilecompare compare --reference REF.json --parts DIR [--config FILE] [--iterations N] [--report FILE]
  profilecompare bounds  --reference REF.json --parts DIR
  profilecompare pprof   --step build|count --input FILE [--reference REF.json] --cpuprofile OUT.prof`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "profilecompare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	refPath := fs.String("reference", "", "reference profile (JSON)")
	var result any
	switch args[0] {
	case "count":
		current := fs.String("current", "", "current data file (CSV, JSON Lines or Parquet)")
		partRows := fs.Int64("part-rows", 0, "records per batch profile")
		out := fs.String("out", "", "directory for the batch profiles")
		if err := parse(fs, args[1:], "reference", "current", "part-rows", "out"); err != nil {
			return err
		}
		ref, err := loadReference(*refPath)
		if err != nil {
			return err
		}
		if result, err = countParts(ctx, ref, *current, *partRows, *out); err != nil {
			return err
		}
	case "compare":
		parts := fs.String("parts", "", "directory of batch profiles (part-*.json)")
		config := fs.String("config", "", "drift config (YAML or JSON)")
		iterations := fs.Int("iterations", 20, "timed repetitions")
		report := fs.String("report", "", "write the report of the last repetition here")
		if err := parse(fs, args[1:], "reference", "parts"); err != nil {
			return err
		}
		var err error
		if result, err = timeCompare(*refPath, *parts, *config, *iterations, *report); err != nil {
			return err
		}
	case "bounds":
		parts := fs.String("parts", "", "directory of batch profiles (part-*.json)")
		if err := parse(fs, args[1:], "reference", "parts"); err != nil {
			return err
		}
		var err error
		if result, err = featureBounds(*refPath, *parts); err != nil {
			return err
		}
	case "pprof":
		step := fs.String("step", "", "build (a reference profile) or count (a batch profile)")
		input := fs.String("input", "", "data file")
		cpuOut := fs.String("cpuprofile", "", "where to write the CPU profile")
		if err := parse(fs, args[1:], "step", "input", "cpuprofile"); err != nil {
			return err
		}
		var err error
		if result, err = profileStep(ctx, *step, *input, *refPath, *cpuOut); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(result); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// parse parses the flags and checks that the required ones were given.
func parse(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w\n%s", fs.Name(), err, usage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q\n%s", fs.Name(), fs.Arg(0), usage)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range required {
		if !set[name] {
			return fmt.Errorf("%s: --%s is required\n%s", fs.Name(), name, usage)
		}
	}
	return nil
}
