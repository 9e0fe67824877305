package templatetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
)

// testModels are the models the ForEach loops are expanded for: one plain
// name and one with the characters a logical id drops.
var testModels = []string{"credit-default", "fraud_v2.eu"}

// testStack is the stack name the names are rendered with: not the default
// (modelwatch), so that a name that ignores the stack's shows.
const testStack = "mw-eu"

var root = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
})

// repoPath returns a path inside the repository.
func repoPath(t testing.TB, rel string) string {
	t.Helper()
	dir, err := root()
	if err != nil {
		t.Fatalf("find the module root: %v", err)
	}
	return filepath.Join(dir, rel)
}

func loadTemplate(t testing.TB) *cfntemplate.Template {
	t.Helper()
	tpl, err := cfntemplate.Load(repoPath(t, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// resources returns the template's resources expanded for testModels.
func resources(t testing.TB) map[string]cfntemplate.Resource {
	t.Helper()
	res, err := loadTemplate(t).Resources(map[string]string{"Models": strings.Join(testModels, ",")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func resource(t testing.TB, res map[string]cfntemplate.Resource, id, typ string) cfntemplate.Resource {
	t.Helper()
	r, ok := res[id]
	if !ok {
		t.Fatalf("template.yaml has no resource %s", id)
	}
	if r.Type != typ {
		t.Fatalf("resource %s is a %s, want %s", id, r.Type, typ)
	}
	return r
}

// path walks nested maps: path(m, "A", "B") is m["A"]["B"].
func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func readFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
