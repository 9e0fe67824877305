package report

import (
	"bytes"
	"context"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of a Chromium binary, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// TestRenderInBrowser opens a page in headless Chromium, offline, and checks
// that it paints something that is not blank and that the DOM holds every
// feature. Set REPORT_SCREENSHOT=path.png to keep the screenshot.
func TestRenderInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if testing.Short() {
			t.Skip("chromium is not installed (-short)")
		}
		t.Fatal("chromium is not on PATH nor at /usr/bin/chromium: install it (apt-get install -y chromium), or run go test -short to skip this test")
	}
	r := loadReport(t, filepath.Join("testdata", "full.json"))
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, r, Options{Generated: goldenTime}), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	if p := os.Getenv("REPORT_SCREENSHOT"); p != "" {
		shot = p
	}
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		base := []string{
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
			"--user-data-dir=" + t.TempDir(),
		}
		cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
		}
		return stdout.Bytes()
	}

	run("--screenshot="+shot, "--window-size=1280,2000", "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot is %v, want about 1280×2000", b)
	}
	if n := colours(img); n < 16 {
		t.Errorf("screenshot has %d colours: blank page?", n)
	}

	dom := html.UnescapeString(string(run("--dump-dom", "--virtual-time-budget=2000", "file://"+page)))
	for _, f := range r.Features {
		if !strings.Contains(dom, f.Name) {
			t.Errorf("the browser's DOM lacks feature %q", f.Name)
		}
	}
	if n := strings.Count(dom, `<svg class="chart"`); n < len(r.Features) {
		t.Errorf("the browser's DOM has %d charts, want at least %d", n, len(r.Features))
	}
}

// colours counts the distinct colours of img, up to 1000.
func colours(img image.Image) int {
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
