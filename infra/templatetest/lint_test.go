package templatetest

import (
	"os"
	"os/exec"
	"testing"
)

// TestCFNLint runs cfn-lint over template.yaml (it understands the SAM
// transform) and the pinned SAM CLI's sam validate --lint. Both are required
// except under -short: pip install cfn-lint, and make tools.
func TestCFNLint(t *testing.T) {
	if testing.Short() {
		t.Skip("cfn-lint is not run under -short")
	}
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint is not on PATH; install it with: pip install cfn-lint")
	}
	cmd := exec.Command(bin, "--", "template.yaml")
	cmd.Dir = repoPath(t, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
	sam := repoPath(t, ".tools/sam/bin/sam")
	if _, err := os.Stat(sam); err != nil {
		t.Fatal("the pinned SAM CLI is not installed: run make tools")
	}
	cmd = exec.Command(sam, "validate", "--lint", "--template-file", "template.yaml")
	cmd.Dir = repoPath(t, ".")
	cmd.Env = append(os.Environ(), "SAM_CLI_TELEMETRY=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sam validate --lint: %v\n%s", err, out)
	}
}
