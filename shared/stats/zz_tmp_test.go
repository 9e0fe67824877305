package stats

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"testing"
	"time"
)

func TestTmpKS(t *testing.T) {
	f, err := os.Open(os.Getenv("KSFILE"))
	if err != nil {
		t.Skip()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	worst := 0.0
	var slow time.Duration
	for sc.Scan() {
		var n int
		var d, want float64
		fmt.Sscan(sc.Text(), &n, &d, &want)
		st := time.Now()
		got := KolmogorovSF(n, d)
		el := time.Since(st)
		if el > slow {
			slow = el
			t.Logf("slow n=%d d=%g %v", n, d, el)
		}
		rel := math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
		if math.Abs(got-want) <= 1e-300 {
			rel = 0
		}
		if rel > worst {
			worst = rel
		}
		if rel > 1e-9 {
			t.Errorf("n=%d d=%v got %v want %v rel %.3g", n, d, got, want, rel)
		}
	}
	t.Logf("worst rel %.3g", worst)
}
