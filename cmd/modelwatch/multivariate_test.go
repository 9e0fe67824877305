package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// TestMultivariateCLI: profile build fits the multivariate model (unless
// --multivariate=false), inspect shows it, compare prints its line and its
// JSON carries the comparison.
func TestMultivariateCLI(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		flags []string
		want  bool
	}{
		{"default", nil, true},
		{"variance share", []string{"--variance-share", "0.9"}, true},
		{"off", []string{"--multivariate=false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			args := append([]string{"profile", "build", "--input", exampleRef, "--out", ref}, tc.flags...)
			if code, _, stderr := runCLI(t, args...); code != exitOK {
				t.Fatalf("profile build exited %d: %s", code, stderr)
			}
			data, err := os.ReadFile(ref)
			if err != nil {
				t.Fatal(err)
			}
			p, err := profile.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if (p.Multivariate != nil) != tc.want {
				t.Fatalf("multivariate model present: %v, want %v", p.Multivariate != nil, tc.want)
			}
			_, inspect, _ := runCLI(t, "profile", "inspect", ref)
			if strings.Contains(inspect, "multivariate model:") != tc.want {
				t.Errorf("inspect: %s", inspect)
			}
			code, text, stderr := runCLI(t, "compare", "--reference", ref, "--current", exampleCur)
			if code == exitError {
				t.Fatalf("compare: %s", stderr)
			}
			if strings.Contains(text, "reconstruction error:") != tc.want {
				t.Errorf("compare output: %s", text)
			}
			_, js, _ := runCLI(t, "compare", "--reference", ref, "--current", exampleCur, "--json")
			var rep drift.Report
			if err := json.Unmarshal([]byte(js), &rep); err != nil {
				t.Fatal(err)
			}
			if (rep.Multivariate != nil) != tc.want {
				t.Fatalf("compare --json multivariate: %v", rep.Multivariate)
			}
			if tc.want {
				if tc.name == "variance share" && p.Multivariate.Explained <= 0.9 {
					t.Errorf("explained %g with share 0.9", p.Multivariate.Explained)
				}
				// the example's current data drifted: the multivariate signal sees it too
				if !rep.Multivariate.Drift || !strings.Contains(text, "MULTIVARIATE DRIFT") {
					t.Errorf("no multivariate drift on the example: %+v", rep.Multivariate)
				}
			}
		})
	}
}

// TestMultivariateModelNotFitted: data PCA cannot model (every feature
// constant) still get their profile, with a note saying why there is no
// multivariate model.
func TestMultivariateModelNotFitted(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "constant.csv")
	if err := os.WriteFile(in, []byte("a,b\n1,x\n1,x\n1,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ref.json")
	code, _, stderr := runCLI(t, "profile", "build", "--input", in, "--out", out)
	if code != exitOK || !strings.Contains(stderr, "note: no multivariate model: ") || !strings.Contains(stderr, "no variance") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Decode(data)
	if err != nil || p.Multivariate != nil {
		t.Fatalf("profile %v, model %v", err, p.Multivariate)
	}
}
