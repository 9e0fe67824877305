package motoserver

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Static settings every client of the server should use.
const (
	Region          = "us-east-1"
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)

// startTimeout bounds how long we wait for moto to answer HTTP.
const startTimeout = 30 * time.Second

// Server is a running moto server.
type Server struct {
	// URL is the endpoint, e.g. "http://127.0.0.1:54321".
	URL string

	cmd      *exec.Cmd
	exited   chan struct{} // closed when the process has exited
	output   *tailBuffer
	stopOnce sync.Once
}

// Endpoint returns s.URL.
func (s *Server) Endpoint() string { return s.URL }

// Start starts a dedicated moto server for t and stops it when t ends.
// It skips t under -short and fails t if moto cannot be started.
func Start(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("motoserver: skipping moto integration test in -short mode")
	}
	if ep := os.Getenv("MOTO_ENDPOINT"); ep != "" {
		return external(t, ep)
	}
	s, err := start()
	if err != nil {
		t.Fatalf("motoserver: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

var shared struct {
	mu  sync.Mutex
	srv *Server
	err error
}

// Shared returns the test binary's shared moto server, starting it on
// first use. It skips t under -short and fails t if moto cannot be
// started (later callers get the same failure without a retry). Use
// RunMain in TestMain so that the server is stopped when the tests end;
// without it the server is still killed when the test process exits on
// Linux, but not elsewhere.
func Shared(t testing.TB) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("motoserver: skipping moto integration test in -short mode")
	}
	if ep := os.Getenv("MOTO_ENDPOINT"); ep != "" {
		return external(t, ep)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv == nil && shared.err == nil {
		shared.srv, shared.err = start()
	}
	if shared.err != nil {
		t.Fatalf("motoserver: %v", shared.err)
	}
	return shared.srv
}

// RunMain runs the tests and then stops the shared server, if one was
// started. Use it as: func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }
func RunMain(m *testing.M) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	code := m.Run()
	StopShared()
	return code
}

// StopShared stops the shared server, if one is running. RunMain calls it.
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		shared.srv.Stop()
		shared.srv = nil
	}
	shared.err = nil
}

func external(t testing.TB, endpoint string) *Server {
	t.Helper()
	s := &Server{URL: strings.TrimRight(endpoint, "/")}
	if err := waitHTTP(context.Background(), s.URL, nil, 5*time.Second); err != nil {
		t.Fatalf("motoserver: MOTO_ENDPOINT=%s does not answer: %v", endpoint, err)
	}
	return s
}

// command returns the argv that starts moto on 127.0.0.1:port.
func command(port int) ([]string, error) {
	args := []string{"-H", "127.0.0.1", "-p", strconv.Itoa(port)}
	if bin := os.Getenv("MOTO_SERVER_BIN"); bin != "" {
		return append([]string{bin}, args...), nil
	}
	if bin, err := exec.LookPath("moto_server"); err == nil {
		return append([]string{bin}, args...), nil
	}
	for _, py := range []string{"python3", "python"} {
		bin, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		// Check that moto's server module is importable so the error
		// message can say so, instead of timing out later.
		if out, err := exec.Command(bin, "-c", "import moto.server").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("moto_server is not on PATH and %s cannot import moto.server (%v: %s); install it with: pip install 'moto[server]'",
				bin, err, bytes.TrimSpace(out))
		}
		return append([]string{bin, "-m", "moto.server"}, args...), nil
	}
	return nil, errors.New("neither moto_server nor python3 is on PATH; install moto with: pip install 'moto[server]'")
}

func start() (*Server, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // the free port may be taken before moto binds it
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		argv, err := command(port)
		if err != nil {
			return nil, err
		}
		s, err := launch(argv, port)
		if err == nil {
			return s, nil
		}
		var se *startError
		if errors.As(err, &se) { // cannot even exec: retrying won't help
			return nil, err
		}
		lastErr = err
	}
	return nil, lastErr
}

func launch(argv []string, port int) (*Server, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	out := &tailBuffer{max: 16 << 10}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
	setProcAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return nil, &startError{fmt.Errorf("start %s: %w (install moto with: pip install 'moto[server]', or set MOTO_SERVER_BIN)", strings.Join(argv, " "), err)}
	}
	s := &Server{
		URL:    "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:    cmd,
		exited: make(chan struct{}),
		output: out,
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := waitHTTP(context.Background(), s.URL, s.exited, startTimeout); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%s did not come up: %w\n--- moto output ---\n%s", strings.Join(argv, " "), err, out.String())
	}
	return s, nil
}

// waitHTTP polls url until any HTTP response arrives, exited is closed,
// or timeout passes.
func waitHTTP(ctx context.Context, url string, exited <-chan struct{}, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	var lastErr error
	for delay := 20 * time.Millisecond; ; delay = min(delay*2, 200*time.Millisecond) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/moto-api/data.json", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		lastErr = err
		select {
		case <-exited:
			return errors.New("process exited before answering HTTP")
		case <-ctx.Done():
			return fmt.Errorf("no answer within %v (last error: %v)", timeout, lastErr)
		case <-time.After(delay):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Stop kills the server (its whole process group) and waits for it to
// exit. It is safe to call more than once; for a server from MOTO_ENDPOINT
// it does nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.stopOnce.Do(func() {
		killProcess(s.cmd)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
		}
	})
}

// Output returns the tail of the server's stdout and stderr, for
// diagnostics.
func (s *Server) Output() string {
	if s.output == nil {
		return ""
	}
	return s.output.String()
}

// Reset wipes all of moto's state (every bucket, topic, ...) by POSTing
// to /moto-api/reset.
func (s *Server) Reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return fmt.Errorf("motoserver: reset: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("motoserver: reset: HTTP %s", resp.Status)
	}
	return nil
}

// Env points the default AWS configuration chain at the server for the
// duration of t: it sets AWS_ENDPOINT_URL, static credentials and the
// region with t.Setenv, and neutralises settings that could override them
// (profile, session token, service-specific S3 endpoint, shared config
// files, IMDS). Like t.Setenv it cannot be used in parallel tests.
func (s *Server) Env(t testing.TB) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":                    s.URL,
		"AWS_ENDPOINT_URL_S3":                 "",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
		"AWS_ACCESS_KEY_ID":                   AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":               SecretAccessKey,
		"AWS_SESSION_TOKEN":                   "",
		"AWS_REGION":                          Region,
		"AWS_DEFAULT_REGION":                  Region,
		"AWS_PROFILE":                         "",
		"AWS_CONFIG_FILE":                     os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE":         os.DevNull,
		"AWS_EC2_METADATA_DISABLED":           "true",
	} {
		t.Setenv(k, v)
	}
}

// AWSConfig returns an aws.Config for the server with static credentials
// and region, independent of the environment (usable in parallel tests).
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(s.URL),
	}
}

// S3Client returns a path-style S3 client for the server, built from
// AWSConfig.
func (s *Server) S3Client() *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

var bucketSeq atomic.Int64

// NewBucket creates a bucket with a unique name on the server and returns
// the name. The bucket is not deleted afterwards; it disappears with the
// server or on Reset.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test-%d-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6, bucketSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.S3Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("motoserver: create bucket %s: %v", name, err)
	}
	return name
}

// startError means the server process could not be started at all.
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
