// Package floatsort sorts float64 values with an LSD radix sort over their
// IEEE-754 bits: the same order, bit for bit, as slices.Sort (for values
// without NaN and −0), in a fixed number of linear passes. The reference
// build sorts each numeric column with it, and the multivariate fit the
// reference's reconstruction errors.
package floatsort
