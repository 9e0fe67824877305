package headless

import (
	"bytes"
	"context"
	"image"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Chromium returns the path of the Chromium binary; it fails t when there is
// none (skips it under -short).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if testing.Short() {
		t.Skip("chromium is not installed (-short)")
	}
	t.Fatal("chromium is not on PATH nor at /usr/bin/chromium: install it (apt-get install -y chromium), or run go test -short to skip this test")
	return ""
}

// Run loads the local file page in headless Chromium with the network
// features off, a fresh profile, logging to stderr, and args (such as
// --dump-dom or --screenshot=PATH); it returns stdout and stderr.
func Run(t testing.TB, bin, page string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// Colours counts the distinct colours of img (sampling every third pixel),
// up to 1000: a blank or failed page has one or two.
func Colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
