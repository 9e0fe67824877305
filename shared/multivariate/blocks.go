package multivariate

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// A block is blockRows rows of the reference, each feature's values in
// turn (feature j at j*blockRows): its numbers, or its categories'
// encodings, NaN where missing. The scatter and error passes work on the
// blocks on every core and merge their results on one goroutine in block
// order, so the model does not depend on the number of workers.
type block struct {
	index int // block number: its first row is index*blockRows
	rows  int
	vals  []float64
	buf   []byte // the spill's bytes of the block

	// the scatter pass: the block's scatter of its even and its odd rows
	// about the shift (upper triangles, d×d), their sums and counts
	scatter [2][]float64
	dsum    [2][]float64
	nh      [2]int64

	// the error pass: each row's error and squared residuals (d a row)
	errors []float64
	resid  []float64
}

// blockSource gives the passes the blocks of the reference: from the spill
// (any block, from any goroutine) or by reading the data again (in order,
// from one goroutine).
type blockSource struct {
	f      *fitter
	tables [][]float64 // the spill's categorical encodings by name index

	// reading the data again
	r    dataset.Reader
	cols []int
	rec  dataset.Row
}

// parallel reports whether blocks may be loaded concurrently.
func (s *blockSource) parallel() bool { return s.r == nil }

// load fills blk with block blk.index.
func (s *blockSource) load(blk *block) error {
	f := s.f
	d := len(f.specs)
	blk.rows = int(min(blockRows, f.n-int64(blk.index)*blockRows))
	if len(blk.vals) < d*blockRows {
		blk.vals = make([]float64, d*blockRows)
	}
	if s.r == nil {
		if len(blk.buf) < d*blockRows*8 {
			blk.buf = make([]byte, d*blockRows*8)
		}
		return f.spill.readBlock(blk.index, blk.rows, blk.buf, blk.vals, s.tables)
	}
	skip := f.opts.Skip
	for k := 0; k < blk.rows; {
		if err := s.r.Next(&s.rec); err == io.EOF {
			return io.ErrUnexpectedEOF // the data changed since the first pass
		} else if err != nil {
			return err
		}
		if skip != nil && skip(s.rec.Values) {
			continue
		}
		for j, c := range s.cols {
			var v dataset.Value
			if c < len(s.rec.Values) {
				v = s.rec.Values[c]
			}
			blk.vals[j*blockRows+k] = f.model.Features[j].encode(v)
		}
		k++
	}
	return nil
}

// errStopped ends the work on the blocks after a failure.
var errStopped = errors.New("stopped")

// eachBlock runs work on every block of the reference, on f.workers
// goroutines (one when the source reads the data again, in order), and
// merge on each, in block order, on the caller's, while the workers go on
// with the next blocks (3 per worker in flight).
func (f *fitter) eachBlock(ctx context.Context, src *blockSource, work func(w int, blk *block), merge func(blk *block)) error {
	blocks := int((f.n + blockRows - 1) / blockRows)
	workers := f.workers
	if !src.parallel() {
		workers = 1
	}
	ring := min(3*workers, blocks)
	slots := make([]*block, ring)
	free := make([]chan struct{}, ring)
	done := make([]chan error, ring)
	for s := range ring {
		slots[s] = &block{}
		free[s] = make(chan struct{}, 1)
		free[s] <- struct{}{}
		done[s] = make(chan error, 1)
	}
	var (
		next atomic.Int64
		stop atomic.Bool
		wg   sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= blocks {
					return
				}
				s := i % ring
				<-free[s] // block i−ring is merged
				if stop.Load() {
					done[s] <- errStopped
					continue
				}
				blk := slots[s]
				blk.index = i
				err := src.load(blk)
				if err == nil {
					work(w, blk)
				}
				done[s] <- err
			}
		})
	}
	var first error
	for i := range blocks {
		s := i % ring
		err := <-done[s]
		if first == nil && err == nil {
			err = ctx.Err()
		}
		if first == nil && err != nil {
			first = err
			stop.Store(true)
		}
		if first == nil {
			merge(slots[s])
		}
		free[s] <- struct{}{}
	}
	wg.Wait()
	return first
}

// scatterBlock centres the block's values on the shift, imputing the
// missing ones, and computes the scatter of its even and of its odd rows,
// each summed in row order.
func (f *fitter) scatterBlock(_ int, blk *block) {
	d := len(f.specs)
	n := blk.rows
	for h := range blk.scatter {
		if blk.scatter[h] == nil {
			blk.scatter[h] = make([]float64, d*d)
			blk.dsum[h] = make([]float64, d)
		}
		clear(blk.scatter[h])
		blk.nh[h] = int64((n + 1 - h) / 2) // the block starts on an even row
	}
	for j := range d {
		ft := &f.model.Features[j]
		col := blk.vals[j*blockRows : j*blockRows+n]
		shift := f.shift[j]
		var s0, s1 float64
		for k, v := range col {
			if v != v {
				v = ft.Impute
			}
			v -= shift
			col[k] = v
			if k&1 == 0 {
				s0 += v
			} else {
				s1 += v
			}
		}
		blk.dsum[0][j], blk.dsum[1][j] = s0, s1
	}
	for i := range d {
		xi := blk.vals[i*blockRows : i*blockRows+n]
		for k := i; k < d; k++ {
			xk := blk.vals[k*blockRows : k*blockRows+n]
			var s0, s1 float64
			r := 0
			for ; r+1 < n; r += 2 {
				s0 += xi[r] * xk[r]
				s1 += xi[r+1] * xk[r+1]
			}
			if r < n {
				s0 += xi[r] * xk[r]
			}
			blk.scatter[0][i*d+k], blk.scatter[1][i*d+k] = s0, s1
		}
	}
}

// mergeScatter adds a block's scatter to the halves'.
func (f *fitter) mergeScatter(blk *block) {
	d := len(f.specs)
	for h := range f.scatter {
		raw := f.scatter[h].RawSymmetric()
		for i := range d {
			row := raw.Data[i*raw.Stride : i*raw.Stride+d]
			part := blk.scatter[h][i*d : i*d+d]
			for k := i; k < d; k++ {
				row[k] += part[k]
			}
		}
		for j := range d {
			f.dsum[h][j] += blk.dsum[h][j]
		}
		f.nh[h] += blk.nh[h]
	}
}

// errorBlock computes each row's error, scored by the model of the other
// half of the rows, and its squared residuals.
func (f *fitter) errorBlock(w int, blk *block) {
	d := len(f.specs)
	if blk.errors == nil {
		blk.errors = make([]float64, blockRows)
		blk.resid = make([]float64, d*blockRows)
	}
	x := make([]float64, d)
	scorers := f.scorers[w]
	for k := range blk.rows {
		for j := range d {
			x[j] = blk.vals[j*blockRows+k]
		}
		blk.errors[k] = scorers[k&1].ErrorOf(x, blk.resid[k*d:k*d+d])
	}
}

// mergeErrors adds a block's errors to the reference summary and the
// sample, in row order.
func (f *fitter) mergeErrors(blk *block) {
	d := len(f.specs)
	s := &f.model.Reference
	for k, e := range blk.errors[:blk.rows] {
		s.Count++
		s.Sum += e
		s.SumSquares += e * e
		for j, r := range blk.resid[k*d : k*d+d] {
			s.Residuals[j] += r
		}
		f.seen++
		if len(f.sample) < f.opts.SampleSize {
			f.sample = append(f.sample, e)
		} else if i := f.rng.Int64N(f.seen); i < int64(f.opts.SampleSize) {
			f.sample[i] = e
		}
	}
}

// spillTables returns, for each categorical feature, the encoding of each
// name the first pass counted, by its index; nil for numeric features.
func (f *fitter) spillTables() [][]float64 {
	tables := make([][]float64, len(f.specs))
	for j, st := range f.stats {
		if st.kind == Numeric {
			continue
		}
		ft := &f.model.Features[j]
		tables[j] = make([]float64, len(st.names))
		for k, name := range st.names {
			tables[j][k] = ft.lookup(name)
		}
	}
	return tables
}
