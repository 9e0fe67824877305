package stats_test

import (
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/shared/stats"
)

func ExamplePSI() {
	ref := stats.Proportions([]int64{250, 250, 250, 250})
	cur := stats.Proportions([]int64{100, 200, 300, 400})
	fmt.Printf("PSI       %.4f\n", stats.PSI(ref, cur))
	fmt.Printf("KL        %.4f\n", stats.KL(ref, cur))
	fmt.Printf("JS        %.4f\n", stats.JensenShannon(ref, cur))
	fmt.Printf("Hellinger %.4f\n", stats.Hellinger(ref, cur))
	fmt.Printf("L∞        %.4f\n", stats.LInf(ref, cur))
	// Output:
	// PSI       0.2282
	// KL        0.1218
	// JS        0.2005
	// Hellinger 0.1679
	// L∞        0.1500
}

func ExampleKSStatisticCounts() {
	// Two samples binned on the same edges.
	ref := []int64{120, 380, 300, 150, 50}
	cur := []int64{60, 290, 350, 220, 80}
	d := stats.KSStatisticCounts(ref, cur)
	p := stats.KSPValue(d, 1000, 1000)
	fmt.Printf("D = %.3f, p = %.3g\n", d, p)
	// Output:
	// D = 0.150, p = 2.76e-10
}

func ExampleKolmogorovSF() {
	// The classical 5% critical value 1.3581/√n is accurate only for
	// large n.
	for _, n := range []int{10, 100, 10000, 1000000} {
		d := 1.3581 / math.Sqrt(float64(n))
		fmt.Printf("n = %7d: P(D ≥ %.5f) = %.4f\n", n, d, stats.KolmogorovSF(n, d))
	}
	// Output:
	// n =      10: P(D ≥ 0.42947) = 0.0343
	// n =     100: P(D ≥ 0.13581) = 0.0453
	// n =   10000: P(D ≥ 0.01358) = 0.0495
	// n = 1000000: P(D ≥ 0.00136) = 0.0500
}

func ExampleChiSquaredHomogeneity() {
	// Both sides are samples; bin 3 was seen only in the current window.
	ref := []int64{100, 400, 500, 0}
	cur := []int64{120, 380, 495, 5}
	r := stats.ChiSquaredHomogeneity(ref, cur)
	fmt.Printf("χ² = %.4f, dof = %d, p = %.4f\n", r.Statistic, r.DOF, r.PValue)
	// Output:
	// χ² = 7.3561, dof = 3, p = 0.0614
}

func ExampleChiSquaredGoodnessOfFit() {
	// The reference never saw bin 3; its 5 current observations are added
	// to bin 0, the bin with the smallest expectation.
	ref := []int64{100, 400, 500, 0}
	cur := []int64{120, 380, 495, 5}
	r := stats.ChiSquaredGoodnessOfFit(ref, cur)
	fmt.Printf("χ² = %.4f, dof = %d, p = %.4f\n", r.Statistic, r.DOF, r.PValue)
	// Output:
	// χ² = 7.3000, dof = 2, p = 0.0260
}

func ExampleWassersteinBinned() {
	ref := []float64{0.1, 0.4, 0.5, 0.9, 1.2, 1.3, 2.0, 2.2}
	cur := []float64{0.6, 1.0, 1.1, 1.4, 1.9, 2.5, 2.6, 3.1}
	// Bins split at the reference quartiles; lo and hi are the extremes of
	// both samples.
	edges := stats.Quantiles(ref, []float64{0.25, 0.5, 0.75})
	lo, hi := 0.1, 3.1
	r, c := make([]int64, len(edges)+1), make([]int64, len(edges)+1)
	for _, v := range ref {
		r[stats.BinIndex(edges, v)]++
	}
	for _, v := range cur {
		c[stats.BinIndex(edges, v)]++
	}
	fmt.Printf("edges %.4g\n", edges)
	fmt.Printf("binned W₁ %.4f ± %.4f\n",
		stats.WassersteinBinned(edges, lo, hi, r, c), stats.WassersteinBinnedBound(edges, lo, hi, r, c))
	fmt.Printf("exact  W₁ %.4f\n", stats.Wasserstein(ref, cur))
	// Output:
	// edges [0.475 1.05 1.475]
	// binned W₁ 0.5000 ± 0.9062
	// exact  W₁ 0.7000
}

func ExampleBins() {
	bins := stats.NewBins([]float64{0, 1, 2})
	for _, v := range []float64{-5, 0, 0.5, 1, 2, 7} {
		fmt.Printf("%v → bin %d\n", v, bins.Index(v))
	}
	// Output:
	// -5 → bin 0
	// 0 → bin 0
	// 0.5 → bin 1
	// 1 → bin 1
	// 2 → bin 2
	// 7 → bin 3
}

func ExampleBenjaminiHochberg() {
	p := []float64{0.01, 0.04, 0.03, 0.2}
	fmt.Printf("%.3g\n", stats.BenjaminiHochberg(p))
	// Output:
	// [0.04 0.0533 0.0533 0.2]
}

func ExampleQuantiles() {
	x := []float64{1, 2, 2, 3, 10} // sorted
	fmt.Println(stats.Quantiles(x, []float64{0, 0.1, 0.5, 0.9, 1}))
	// Output:
	// [1 1.4 2 7.200000000000001 10]
}
