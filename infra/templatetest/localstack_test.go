package templatetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The LocalStack setup cannot run here (no Docker on the build machines), so
// it is linted: the image stays on the last tag that starts without an auth
// token, a token is passed through, the port stays on loopback, and the init
// hooks are executable shell scripts that parse.
func TestLocalStackComposeFile(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Ports       []string          `yaml:"ports"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			Healthcheck map[string]any    `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(readFile(t, "localstack/docker-compose.yml"), &compose); err != nil {
		t.Fatalf("localstack/docker-compose.yml: %v", err)
	}
	ls, ok := compose.Services["localstack"]
	if !ok {
		t.Fatal("localstack/docker-compose.yml has no service localstack")
	}
	if ls.Image != "localstack/localstack:${LOCALSTACK_VERSION:-4.14.0}" {
		t.Errorf("image %q: want localstack/localstack pinned to 4.14.0 by default (later tags need an auth token)", ls.Image)
	}
	if got := ls.Environment["LOCALSTACK_AUTH_TOKEN"]; got != "${LOCALSTACK_AUTH_TOKEN:-}" {
		t.Errorf("LOCALSTACK_AUTH_TOKEN is %q, want it passed through from the environment", got)
	}
	for _, p := range ls.Ports {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("port %q is not bound to loopback", p)
		}
	}
	services := strings.Split(ls.Environment["SERVICES"], ",")
	for _, s := range []string{"s3", "sns", "sqs", "cloudwatch", "lambda", "stepfunctions", "scheduler", "cloudformation"} {
		if !slices.Contains(services, s) {
			t.Errorf("SERVICES lacks %s", s)
		}
	}
	if !slices.Contains(ls.Volumes, "./init/ready.d:/etc/localstack/init/ready.d:ro") {
		t.Errorf("the init hooks are not mounted: volumes %v", ls.Volumes)
	}
	if ls.Healthcheck == nil {
		t.Error("no health check, so `up --wait` cannot wait for the init hooks")
	}
}

func TestLocalStackInitHooks(t *testing.T) {
	dir := repoPath(t, "localstack/init/ready.d")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no init hooks")
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable; LocalStack runs only executable hooks", e.Name())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "#!/bin/bash\n") {
			t.Errorf("%s does not start with #!/bin/bash", e.Name())
		}
		if out, err := exec.Command("bash", "-n", p).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", e.Name(), err, out)
		}
	}
}
