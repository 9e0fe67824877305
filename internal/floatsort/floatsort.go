package floatsort

import (
	"math"
	"slices"
)

// radixBits is the width of one digit of the LSD radix sort: six passes of
// 11 bits cover the 64 bits of a float64 key.
const (
	radixBits    = 11
	radixBuckets = 1 << radixBits
	radixPasses  = (64 + radixBits - 1) / radixBits
	// radixMin is the length below which a comparison sort is faster.
	radixMin = 1 << 10
)

// floatKey maps a float64 to a uint64 whose unsigned order is the numeric
// order of the floats (−0 before +0; NaN is not expected): the sign bit is
// flipped for positive values and every bit for negative ones.
func floatKey(v float64) uint64 {
	b := math.Float64bits(v)
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// Sort sorts x in increasing order with an LSD radix sort over the
// IEEE-754 bits, using tmp (at least as long as x) as the second buffer. It
// returns whichever of the two slices holds the result, of length len(x).
//
// x must contain no NaN and no −0 (callers normalise −0 to +0); then the
// result equals slices.Sort's bit for bit, because equal keys are equal
// float64 bits. Short slices are sorted with slices.Sort.
func Sort(x, tmp []float64) []float64 {
	if len(x) < radixMin {
		slices.Sort(x)
		return x
	}
	tmp = tmp[:len(x)]
	counts := radixCounts(x)
	src, dst := x, tmp
	for pass := range radixPasses {
		if !scatter(src, dst, &counts[pass], uint(pass*radixBits)) {
			continue
		}
		src, dst = dst, src
	}
	return src
}

// radixCounts counts every digit of every key in one pass over x.
func radixCounts(x []float64) *[radixPasses][radixBuckets]int {
	var counts [radixPasses][radixBuckets]int
	for _, v := range x {
		k := floatKey(v)
		for p := range radixPasses {
			counts[p][(k>>(uint(p)*radixBits))&(radixBuckets-1)]++
		}
	}
	return &counts
}

// scatter moves src into dst ordered by the digit at shift, stably, using
// the digit's counts. It returns false, moving nothing, when every key has
// the same digit, so the pass would not change the order.
func scatter(src, dst []float64, count *[radixBuckets]int, shift uint) bool {
	offset := 0
	for d, c := range count {
		if c == len(src) {
			return false
		}
		count[d] = offset
		offset += c
	}
	for _, v := range src {
		d := (floatKey(v) >> shift) & (radixBuckets - 1)
		dst[count[d]] = v
		count[d]++
	}
	return true
}
