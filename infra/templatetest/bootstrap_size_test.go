package templatetest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
// bootstrap is larger than maxBootstrapBytes, or when the linker saw a call
// of a method by a name known only at run time (reflect.Value.MethodByName,
// as text/template makes): that keeps every exported method of every
// reachable type, whatever the size. It takes seconds with a warm build
// cache and minutes with a cold one, so -short skips it.
func TestBootstrapsAreSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the five bootstraps (-short)")
	}
	makefile := string(readFile(t, "Makefile"))
	// -dumpdep makes the linker print its reachability graph, each symbol
	// that calls a method by name marked <ReflectMethod>; the binary is the
	// same.
	flags := withLinkerFlag(lambdaFlags(t, makefile), "-dumpdep")
	pkgs := map[string]string{} // package path -> function id
	out := t.TempDir()
	args := append([]string{"build", "-o", out}, flags...)
	for _, id := range functionIDs {
		pkg := makeTargetPackage(t, makefile, "build-"+id)
		pkgs[pkg] = id
		args = append(args, pkg)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repoPath(t, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reflective, messages := scanLinkerGraph(stderr)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, strings.Join(messages, "\n"))
	}
	t.Logf("built %d bootstraps in %v", len(pkgs), time.Since(start).Round(time.Millisecond))

	for pkg, id := range pkgs {
		if sym := reflective[modulePath+strings.TrimPrefix(pkg, ".")]; sym != "" {
			t.Errorf("%s: the linker keeps every exported method: %s calls methods by name through reflection "+
				"(text/template does; write pages with shared/htmlwrite)", id, sym)
		}
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

// scanLinkerGraph reads go build's output with the linker's -dumpdep graphs:
// it returns, per main package ("# path" heads its link's output), the first
// symbol marked <ReflectMethod>, and the lines that are not the graph (the
// build's messages).
func scanLinkerGraph(r io.Reader) (reflective map[string]string, messages []string) {
	reflective = map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var pkg string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# "):
			pkg = strings.TrimPrefix(line, "# ")
		case strings.Contains(line, " -> "):
			from, _, _ := strings.Cut(line, " -> ")
			if sym, ok := strings.CutSuffix(from, " <ReflectMethod>"); ok && reflective[pkg] == "" {
				reflective[pkg] = sym
			}
		default:
			messages = append(messages, line)
		}
	}
	return reflective, messages
}

// withLinkerFlag adds flag to the -ldflags of build flags.
func withLinkerFlag(flags []string, flag string) []string {
	out := slices.Clone(flags)
	for i := range out {
		if out[i] == "-ldflags" && i+1 < len(out) {
			out[i+1] += " " + flag
			return out
		}
		if v, ok := strings.CutPrefix(out[i], "-ldflags="); ok {
			out[i] = "-ldflags=" + v + " " + flag
			return out
		}
	}
	return append(out, "-ldflags="+flag)
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

func TestWithLinkerFlag(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"-trimpath", "-ldflags", "-s -w"}, []string{"-trimpath", "-ldflags", "-s -w -dumpdep"}},
		{[]string{"-ldflags=-s"}, []string{"-ldflags=-s -dumpdep"}},
		{[]string{"-trimpath"}, []string{"-trimpath", "-ldflags=-dumpdep"}},
	} {
		if got := withLinkerFlag(tc.in, "-dumpdep"); !slices.Equal(got, tc.want) {
			t.Errorf("withLinkerFlag(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestScanLinkerGraph(t *testing.T) {
	out := strings.Join([]string{
		"# example.com/functions/a",
		"_ -> main.main",
		"main.main -> fmt.Println",
		"# example.com/functions/b",
		"main.main -> text/template.(*Template).Execute",
		"text/template.(*state).evalField <ReflectMethod> -> reflect.Value.MethodByName",
		"reflect.Value.Methods.func1 <ReflectMethod> -> reflect.Value.Method",
		"type:reflect.Value <UsedInIface> -> reflect.Value.Methods",
		"ld: warning: something",
	}, "\n")
	reflective, messages := scanLinkerGraph(strings.NewReader(out))
	if got := reflective["example.com/functions/b"]; got != "text/template.(*state).evalField" {
		t.Errorf("package b: %q, want text/template.(*state).evalField", got)
	}
	if got, ok := reflective["example.com/functions/a"]; ok {
		t.Errorf("package a: %q, want none", got)
	}
	if !slices.Equal(messages, []string{"ld: warning: something"}) {
		t.Errorf("messages %q", messages)
	}
}
