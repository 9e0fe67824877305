package main

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the soft limit on the Go runtime's memory that
// `profile build` and `compare` run under when GOMEMLIMIT does not set one.
// Near it the collector runs sooner instead of letting the heap grow to
// twice what is live, which keeps a 1M-row build + compare under 150 MB at
// no measurable cost in time. It is soft: a run that holds more live data
// (the sort buffers of a 10M-row column) gets what it needs.
const defaultMemoryLimit = 100 << 20

// limitMemory sets the default soft memory limit, unless GOMEMLIMIT is set.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
