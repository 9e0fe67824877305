package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
)

// BenchmarkColdStart measures the function's init: from starting the
// bootstrap process to its first request for an event on the Lambda
// Runtime API (served here by a stub), which is what Lambda reports as Init
// Duration minus the sandbox's own start. It also reports the size of the
// deployment binary (linux/arm64, -tags lambda.norpc -trimpath -ldflags
// "-s -w", as the Makefile builds it).
func BenchmarkColdStart(b *testing.B) {
	bin := lambdarie.Build(b, "./functions/ingest")

	arm := filepath.Join(b.TempDir(), "bootstrap-arm64")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", arm, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build arm64: %v\n%s", err, out)
	}
	st, err := os.Stat(arm)
	if err != nil {
		b.Fatal(err)
	}

	asked := make(chan time.Time, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case asked <- time.Now():
		default:
		}
		<-r.Context().Done() // hold the runtime until it is killed
	})}
	go srv.Serve(ln)
	defer srv.Close()

	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=ingest", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true",
		"BUCKET=bench", "PATH=" + os.Getenv("PATH"),
	}
	var total time.Duration
	for b.Loop() {
		cmd := exec.Command(bin)
		cmd.Env = env
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-asked:
			total += at.Sub(start)
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			b.Fatal("the bootstrap never asked for an event")
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "init-ms")
	b.ReportMetric(float64(st.Size())/(1<<20), "arm64-MiB")
}
