package templatetest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// maxBootstrapBytes is the largest a function's bootstrap may be (12 MB):
// a smaller binary loads faster on a cold start, and a bootstrap that grows
// past it has usually started linking something it does not use (a library
// whose reflection defeats the linker's dead-code elimination, or a package
// imported for one type).
const maxBootstrapBytes = 12_000_000

// TestBootstrapsAreSmall builds every function of the template as sam build
// does (its Makefile target, the Makefile's flags, arm64) and fails when a
// bootstrap is larger than maxBootstrapBytes. It takes seconds with a warm
// build cache and minutes with a cold one, so -short skips it.
func TestBootstrapsAreSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the five bootstraps (-short)")
	}
	makefile := string(readFile(t, "Makefile"))
	flags := lambdaFlags(t, makefile)
	pkgs := map[string]string{} // package path -> function id
	args := []string{"build", "-o", t.TempDir()}
	args = append(args, flags...)
	for _, id := range functionIDs {
		pkg := makeTargetPackage(t, makefile, "build-"+id)
		pkgs[pkg] = id
		args = append(args, pkg)
	}
	out := args[2]

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repoPath(t, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	t.Logf("built %d bootstraps in %v", len(pkgs), time.Since(start).Round(time.Millisecond))

	for pkg, id := range pkgs {
		info, err := os.Stat(filepath.Join(out, filepath.Base(pkg)))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		t.Logf("%-22s %s  %5.2f MB", id, pkg, float64(info.Size())/1e6)
		if info.Size() > maxBootstrapBytes {
			t.Errorf("%s: the bootstrap is %.2f MB, more than %.0f MB (go version -m and go tool nm -size -sort size show what it links)",
				id, float64(info.Size())/1e6, float64(maxBootstrapBytes)/1e6)
		}
	}
}

// lambdaFlags are the go build flags of the Makefile's GOFLAGS_LAMBDA,
// split as the shell splits them.
func lambdaFlags(t *testing.T, makefile string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^GOFLAGS_LAMBDA\s*:?=\s*(.+)$`).FindStringSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile does not set GOFLAGS_LAMBDA")
	}
	flags, err := splitShellWords(m[1])
	if err != nil {
		t.Fatalf("GOFLAGS_LAMBDA %q: %v", m[1], err)
	}
	return flags
}

// makeTargetPackage is the package a Makefile target builds: the ./...
// argument of its recipe's $(LAMBDA_BUILD) line.
func makeTargetPackage(t *testing.T, makefile, target string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(target) + `:.*\n\t\$\(LAMBDA_BUILD\) .*?(\./\S+)\s*$`).FindStringSubmatch(makefile)
	if m == nil {
		t.Fatalf("the Makefile's target %s does not build a package with $(LAMBDA_BUILD)", target)
	}
	return m[1]
}

// splitShellWords splits s into words at unquoted blanks; double quotes
// group, as in a Makefile recipe.
func splitShellWords(s string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		return nil, errUnclosedQuote
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

var errUnclosedQuote = errors.New("unclosed double quote")

func TestSplitShellWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{in: `-tags lambda.norpc,noparquet -trimpath -ldflags "-s -w"`, want: []string{"-tags", "lambda.norpc,noparquet", "-trimpath", "-ldflags", "-s -w"}},
		{in: "  a\tb  ", want: []string{"a", "b"}},
		{in: `""`, want: []string{""}},
		{in: `-ldflags "-s`, err: true},
	} {
		got, err := splitShellWords(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("splitShellWords(%q) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("splitShellWords(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
