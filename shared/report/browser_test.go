package report

import (
	"html"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/internal/headless"
)

// TestRenderInBrowser opens a page in headless Chromium, offline, and checks
// that it paints something that is not blank and that the DOM holds every
// feature. Set REPORT_SCREENSHOT=path.png to keep the screenshot.
func TestRenderInBrowser(t *testing.T) {
	bin := headless.Chromium(t)
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
	headless.Run(t, bin, page, "--screenshot="+shot, "--window-size=1280,2000")
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
	if n := headless.Colours(img); n < 16 {
		t.Errorf("screenshot has %d colours: blank page?", n)
	}

	out, _ := headless.Run(t, bin, page, "--dump-dom", "--virtual-time-budget=2000")
	dom := html.UnescapeString(out)
	for _, f := range r.Features {
		if !strings.Contains(dom, f.Name) {
			t.Errorf("the browser's DOM lacks feature %q", f.Name)
		}
	}
	if n := strings.Count(dom, `<svg class="chart"`); n < len(r.Features) {
		t.Errorf("the browser's DOM has %d charts, want at least %d", n, len(r.Features))
	}
}
