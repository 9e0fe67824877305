package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/demo"
)

// TestDemoCommand plays a short story through the command line: the flags
// reach the story, the output is written, the summary names the page to
// open, and the progress lines go to stderr.
func TestDemoCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo-output")
	code, stdout, stderr := runCLI(t, "demo", "--out", out, "--hours", "4", "--drift-at", "2", "--rate", "300", "--seed", "7")
	if code != exitOK {
		t.Fatalf("demo exited %d: %s", code, stderr)
	}
	for _, want := range []string{"modelwatch demo: 4 simulated hours of credit-default (seed 7)", "hour 2  broker channel launched",
		"drifted features: channel, loan_amount (first at hour 3)", "open " + filepath.Join(out, "index.html")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "hour  2  Broker channel launched") || !strings.Contains(stderr, "ALARM modelwatch-feature-drift (contributor credit-default)") {
		t.Errorf("stderr lacks the progress lines:\n%s", stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, demo.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"hours": 4`)) || !bytes.Contains(data, []byte(`"seed": 7`)) {
		t.Errorf("summary.json does not reflect the flags: %s", data)
	}
	if _, err := os.Stat(filepath.Join(out, demo.IndexFile)); err != nil {
		t.Error(err)
	}

	// -q: no progress lines.
	code, _, stderr = runCLI(t, "demo", "-q", "--out", out, "--hours", "2", "--drift-at", "1", "--rate", "200")
	if code != exitOK || stderr != "" {
		t.Errorf("demo -q exited %d with stderr %q", code, stderr)
	}
}

func TestDemoCommandBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--hours", "1"}, "--hours 1"},
		{[]string{"--drift-at", "60"}, "--drift-at 60"},
		{[]string{"--rate", "5"}, "--rate 5"},
		{[]string{"--label-delay", "10m"}, "--label-delay 10m0s"},
		{[]string{"--seed", "x"}, "invalid argument"},
	}
	for _, tt := range tests {
		out := filepath.Join(t.TempDir(), "demo-output")
		code, _, stderr := runCLI(t, append([]string{"demo", "--out", out}, tt.args...)...)
		if code != exitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("demo %v: exit %d, stderr %q; want an error naming %q", tt.args, code, stderr, tt.want)
		}
	}
	// A directory that is not an earlier demo's output is left alone.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "demo", "--out", dir, "--hours", "2", "--drift-at", "1", "--rate", "200")
	if code != exitError || !strings.Contains(stderr, "not empty") {
		t.Errorf("demo into a foreign directory: exit %d, %q", code, stderr)
	}
}
