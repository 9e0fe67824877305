package profile

import (
	"sync"
	"sync/atomic"
)

// profiledColumns returns the columns that become features of the profile,
// in the order the profile lists them, the confidence column last.
func (b *builder) profiledColumns() []*refColumn {
	var cols []*refColumn
	for _, c := range b.cols {
		switch c.role {
		case roleIgnored, roleError, roleScore, roleTime:
			continue
		}
		cols = append(cols, c)
	}
	if b.conf != nil {
		cols = append(cols, b.conf)
	}
	return cols
}

// sortBudget bounds the sort buffers of concurrent workers: past it, fewer
// columns are sorted at once (one at least), so memory stays flat in rows.
const sortBudget = 256 << 20

// sortWorkers returns how many of workers fit in sortBudget when each holds
// two buffers of the longest column's values (16 bytes a value).
func sortWorkers(cols []*refColumn, workers int) int {
	var n int64
	for _, c := range cols {
		if c.values != nil {
			n = max(n, c.values.n)
		}
	}
	if n > 0 {
		workers = min(workers, int(sortBudget/(16*n)))
	}
	return min(max(workers, 1), max(len(cols), 1))
}

// features computes the feature of every column on up to workers
// goroutines (fewer when their sort buffers would pass sortBudget), each
// with sort buffers of its own, and releases each column's values once it is
// done. feats[i] and errs[i] belong to cols[i], so the
// result does not depend on the number of workers or on scheduling.
func features(cols []*refColumn, s Settings, workers int) (feats []*Feature, errs []error) {
	feats, errs = make([]*Feature, len(cols)), make([]error, len(cols))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range sortWorkers(cols, workers) {
		wg.Go(func() {
			var bufs sortBuffers
			for i := int(next.Add(1) - 1); i < len(cols); i = int(next.Add(1) - 1) {
				feats[i], errs[i] = cols[i].feature(s, &bufs)
				cols[i].values.close()
			}
		})
	}
	wg.Wait()
	return feats, errs
}
