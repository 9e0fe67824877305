// Package python runs the Python client's tests (pytest) from go test, so
// that CI runs them: the client is installed with pip into a fresh virtual
// environment and talks to the real ingest bootstrap under aws-lambda-rie,
// behind the SigV4-checking API Gateway stand-in of internal/apigwshim,
// storing into moto's S3.
package python

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/internal/apigwshim"
	"github.com/modelwatch/modelwatch/internal/motoserver"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

func run(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	t.Logf("%s %v:\n%s", filepath.Base(name), args, out)
}

func TestPythonClient(t *testing.T) {
	stack := apigwshim.StartIngest(t) // skips with -short
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found: install Python 3.9 or later (with venv and pip)")
	}

	// pip builds in the source tree; build from a copy instead.
	src := filepath.Join(t.TempDir(), "python")
	if err := os.CopyFS(src, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && (d.Name() == "build" || d.Name() == "__pycache__" || filepath.Ext(d.Name()) == ".egg-info") {
			os.RemoveAll(p)
			return filepath.SkipDir
		}
		return nil
	})
	venv := filepath.Join(t.TempDir(), "venv")
	// No AWS setting of this machine reaches the tests: only the stack's.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PYTHONDONTWRITEBYTECODE=1")
	run(t, env, python, "-m", "venv", "--system-site-packages", venv)
	bin := filepath.Join(venv, "bin")
	run(t, env, filepath.Join(bin, "pip"), "install", "--quiet", "-r", filepath.Join(src, "requirements-test.txt"))
	run(t, env, filepath.Join(bin, "pip"), "install", "--quiet", "--no-build-isolation", src)

	data, err := filepath.Abs(filepath.Join("..", "..", "testdata", "example"))
	if err != nil {
		t.Fatal(err)
	}
	testEnv := append(env,
		"MODELWATCH_EXAMPLE_DATA="+data,
		"MODELWATCH_TEST_ENDPOINT="+stack.URL,
		"MODELWATCH_TEST_MODEL="+apigwshim.Model,
		"MODELWATCH_TEST_BUCKET="+stack.Bucket,
		"MODELWATCH_TEST_S3="+stack.Moto.URL,
		"AWS_ACCESS_KEY_ID="+apigwshim.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+apigwshim.SecretAccessKey,
		"AWS_REGION="+apigwshim.Region,
		"AWS_DEFAULT_REGION="+apigwshim.Region,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
	)
	// The tests import the installed package, not the source tree.
	cmd := exec.Command(filepath.Join(bin, "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error::pytest.PytestUnknownMarkWarning",
		filepath.Join(src, "tests"))
	cmd.Dir = t.TempDir()
	cmd.Env = testEnv
	out, err := cmd.CombinedOutput()
	t.Logf("pytest:\n%s", out)
	if err != nil {
		t.Fatalf("pytest failed: %v", err)
	}
}
