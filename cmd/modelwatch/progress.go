package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress is a one-line progress bar on a terminal: files and bytes done,
// rate and time left. Off a terminal (or with -q) it prints nothing.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	on          bool
	total, done int
	bytesTotal  int64
	bytesDone   int64
	start, last time.Time
}

func newProgress(w io.Writer, total int, bytesTotal int64, quiet bool) *progress {
	p := &progress{w: w, total: total, bytesTotal: bytesTotal, start: time.Now()}
	if f, ok := w.(*os.File); ok && !quiet {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) step(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.bytesDone += n
	if now := time.Now(); p.on && (now.Sub(p.last) > 100*time.Millisecond || p.done == p.total) {
		p.last = now
		fmt.Fprint(p.w, "\r"+p.line(now))
	}
}

// finish ends the bar's line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) line(now time.Time) string {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.done) / float64(p.total)
	}
	fill := int(frac * width)
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	elapsed := now.Sub(p.start)
	left := "?"
	if p.done > 0 && p.done < p.total {
		left = (time.Duration(float64(elapsed) / frac * (1 - frac))).Round(time.Second).String()
	} else if p.done == p.total {
		left = "0s"
	}
	return fmt.Sprintf("[%s] %d/%d files  %.1f/%.1f MB  %s elapsed, %s left ",
		bar, p.done, p.total, float64(p.bytesDone)/1e6, float64(p.bytesTotal)/1e6, elapsed.Round(time.Second), left)
}
