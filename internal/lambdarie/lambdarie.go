package lambdarie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// emulatorName is the emulator's binary, looked up on PATH and in GOPATH/bin.
const emulatorName = "aws-lambda-rie"

// Function is a bootstrap binary running under the emulator.
type Function struct {
	// URL is the invocation endpoint.
	URL    string
	cmd    *exec.Cmd
	output *lockedBuffer
}

// Build compiles the main package pkg (an import path or a ./relative path
// from the module root) into a bootstrap binary in a temporary directory.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("lambdarie: skipping emulator integration test in -short mode")
	}
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Dir = moduleRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lambdarie: build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("lambdarie: go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(b)))
}

// emulator finds aws-lambda-rie.
func emulator() (string, error) {
	if p, err := exec.LookPath(emulatorName); err == nil {
		return p, nil
	}
	if b, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(b)), "bin", emulatorName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("aws-lambda-rie not found on PATH or in $(go env GOPATH)/bin; install it with " +
		"go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d")
}

// Start runs bootstrap under the emulator with env (KEY=value pairs, added to
// a minimal environment) and stops it when the test ends.
func Start(t testing.TB, bootstrap string, env ...string) *Function {
	t.Helper()
	if testing.Short() {
		t.Skip("lambdarie: skipping emulator integration test in -short mode")
	}
	rie, err := emulator()
	if err != nil {
		t.Fatalf("lambdarie: %v", err)
	}
	invokePort, apiPort := freePort(t), freePort(t)
	for apiPort == invokePort {
		apiPort = freePort(t)
	}
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", fmt.Sprintf("127.0.0.1:%d", invokePort),
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"AWS_LAMBDA_FUNCTION_NAME=function",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=60",
		"AWS_REGION=us-east-1",
	}, env...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("lambdarie: start %s: %v", rie, err)
	}
	f := &Function{URL: fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", invokePort), cmd: cmd, output: out}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("lambdarie: emulator output:\n%s", out.String())
		}
	})
	if err := waitListening(invokePort, 20*time.Second); err != nil {
		t.Fatalf("lambdarie: emulator did not listen: %v\n%s", err, out.String())
	}
	return f
}

// Invoke sends event to the function and returns its response payload.
func (f *Function) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL, bytes.NewReader(event))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke: read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("invoke: HTTP %d: %s", resp.StatusCode, body)
	}
	return body, nil
}

// Output returns what the function and the emulator printed so far (the
// function's logs).
func (f *Function) Output() string { return f.output.String() }

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("lambdarie: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitListening(port int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
