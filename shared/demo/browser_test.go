package demo_test

// The browser test needs Chromium (Debian: apt-get install -y chromium); it
// fails when Chromium is missing, except under go test -short.

import (
	"bytes"
	"html"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/headless"

	"github.com/modelwatch/modelwatch/shared/demo"
	"github.com/modelwatch/modelwatch/shared/layout"
)

// consoleErrors are the lines of Chromium's log that report the page's
// console messages, uncaught errors or failed loads. The pages have no
// script, so any console message is a defect.
var consoleErrors = regexp.MustCompile(`(?m)^.*(CONSOLE|Uncaught|net::ERR_|Failed to load resource).*$`)

// TestDashboardInBrowser loads index.html and a window report in headless
// Chromium: no console message, no failed load, the DOM has the charts and
// the timeline, and the screenshot is not blank. DEMO_SCREENSHOT=dir keeps
// the screenshots.
func TestDashboardInBrowser(t *testing.T) {
	bin := headless.Chromium(t)
	res := story(t)
	s := res.Summary
	report := filepath.Join(res.Dir, demo.BucketDir, filepath.FromSlash(layout.Report(demo.ModelName, s.Start.Add(time.Duration(s.DriftAt+1)*time.Hour), "html")))
	shots := t.TempDir()
	if d := os.Getenv("DEMO_SCREENSHOT"); d != "" {
		shots = d
	}
	pages := []struct {
		name, path string
		want       []string
		charts     int
	}{
		{"index", res.Index, []string{"modelwatch demo", "Alarms and retraining", "modelwatch-feature-drift",
			"Retraining requested", demo.FeatChannel, demo.FeatLoanAmount, "Window reports"}, 20},
		{"report", report, []string{demo.FeatChannel, demo.FeatLoanAmount}, 13},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			shot := filepath.Join(shots, p.name+".png")
			_, logs := headless.Run(t, bin, p.path, "--screenshot="+shot, "--window-size=1280,2400")
			if bad := consoleErrors.FindAllString(logs, -1); len(bad) > 0 {
				t.Errorf("the browser reported:\n%s", strings.Join(bad, "\n"))
			}
			f, err := os.Open(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v", err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 2000 {
				t.Errorf("screenshot is %v, want about 1280×2400", b)
			}
			if n := headless.Colours(img); n < 16 {
				t.Errorf("the screenshot has %d colours: a blank page?", n)
			}

			dom, logs := headless.Run(t, bin, p.path, "--dump-dom", "--virtual-time-budget=2000")
			if bad := consoleErrors.FindAllString(logs, -1); len(bad) > 0 {
				t.Errorf("the browser reported:\n%s", strings.Join(bad, "\n"))
			}
			dom = html.UnescapeString(dom)
			for _, w := range p.want {
				if !strings.Contains(dom, w) {
					t.Errorf("the browser's DOM lacks %q", w)
				}
			}
			if n := strings.Count(dom, `<svg class="chart"`); n < p.charts {
				t.Errorf("the browser's DOM has %d charts, want at least %d", n, p.charts)
			}
		})
	}
}

// TestDashboardIsSelfContained: nothing on the page is loaded from
// elsewhere, and every link to a window report points at a file.
func TestDashboardIsSelfContained(t *testing.T) {
	res := story(t)
	page, err := os.ReadFile(res.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", `src="`} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("index.html has %s", bad)
		}
	}
	if n := bytes.Count(page, []byte("http")) - bytes.Count(page, []byte(`xmlns="http://www.w3.org/2000/svg"`)); n != 0 {
		t.Errorf("index.html names %d URLs besides the SVG namespace", n)
	}
	links := regexp.MustCompile(`href="([^"]+)"`).FindAllSubmatch(page, -1)
	if len(links) < res.Summary.Hours {
		t.Errorf("%d links, want one per window at least", len(links))
	}
	for _, l := range links {
		target := html.UnescapeString(string(l[1]))
		if _, err := os.Stat(filepath.Join(res.Dir, filepath.FromSlash(target))); err != nil {
			t.Errorf("link %s: %v", target, err)
		}
	}
}
