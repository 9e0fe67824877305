// Package spread shares work out among goroutines: the columns of a file
// among the workers that decode and count them, so that each gets a share
// of about the same cost.
package spread
