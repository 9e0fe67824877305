package templatetest

import (
	"os/exec"
	"testing"
)

// TestCFNLint runs cfn-lint over template.yaml (it understands the SAM and
// LanguageExtensions transforms) and, where the SAM CLI is installed, sam
// validate --lint. cfn-lint is required except under -short:
// pip install cfn-lint.
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
	if sam, err := exec.LookPath("sam"); err == nil {
		cmd := exec.Command(sam, "validate", "--lint", "--template-file", "template.yaml")
		cmd.Dir = repoPath(t, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sam validate --lint: %v\n%s", err, out)
		}
	} else {
		t.Log("the SAM CLI is not installed; sam validate --lint not run (cfn-lint is the same check)")
	}
}
