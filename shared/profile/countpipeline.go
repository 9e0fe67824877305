package profile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"github.com/modelwatch/modelwatch/internal/spread"
	"github.com/modelwatch/modelwatch/shared/dataset"
)

const (
	// countBlockRows is how many records a block holds: enough that handing
	// a block from goroutine to goroutine costs little per record, few
	// enough that the blocks in flight stay small (about 3 MB each for 25
	// columns).
	countBlockRows = 4096
	// countBlocks is how many blocks are in flight: one being read, the
	// others queued or being counted.
	countBlocks = 4
)

// Where in the counting of a record a failure happened: the record's
// latency, then its event time, then its columns in the file's order (the
// column's index), then its class scores and its confidence (after the last
// column). The first failure in this order is the one Count returns.
const (
	orderLatency    = -2
	orderTime       = -1
	orderScore      = 1
	orderConfidence = 2
)

// countFailure is an error met while counting, and where it was met.
type countFailure struct {
	record int64 // index of the record in the file
	order  int   // see orderLatency
	err    error
}

// before reports whether f comes before g in record order (a nil g comes
// after everything).
func (f *countFailure) before(g *countFailure) bool {
	if g == nil {
		return true
	}
	if f.record != g.record {
		return f.record < g.record
	}
	return f.order < g.order
}

// countTask feeds the values of a column of the file into an accumulator
// column.
type countTask struct{ in, col int }

// countPlan is how the records of one column layout are counted: a snapshot
// of the counter's mapping of the file's columns (which a JSON Lines file can
// extend as it goes) and each worker's share of it. A plan is never changed
// once blocks use it.
type countPlan struct {
	names                   []string
	scores                  []int
	errIdx, latIdx, timeIdx int
	// tasks are each column worker's columns, in the file's order; absent
	// are the accumulator columns it owns that the file lacks (missing in
	// every record).
	tasks  [][]countTask
	absent [][]int
	// record are the columns the record worker counts itself: any mapped
	// to the confidence column, which it owns. confAbsent: the file has no
	// class scores, so the confidence is missing in every record.
	record     []countTask
	confAbsent bool
}

// countBlock is a block of records and what the workers share about them.
type countBlock struct {
	plan  *countPlan
	first int64 // index in the file of the block's first record
	rows  []dataset.Row
	n     int
	skip  []bool // records of failed model calls: their columns are not counted
	// mv holds, with a multivariate model, the encoded features of each
	// record, NaN when missing: feature j of record k at
	// j*countBlockRows+k, so that each column worker writes runs of its own
	// (no cache line is written by two). The record worker reads them once
	// the column workers are done with the block.
	mv      []float64
	mvRow   []float64 // the record worker's gathered row
	counted sync.WaitGroup
	refs    atomic.Int32
}

// countPipeline counts a file's records on several goroutines: the caller's
// reads the file into blocks; each column worker counts the columns it owns
// in every block, in order; the record worker counts the per-record part.
// Every accumulator column is written by exactly one goroutine, and every
// goroutine takes the blocks in file order, so the sums are those of a
// single goroutine counting record after record.
type countPipeline struct {
	c       *counter
	mvWidth int
	owner   []int // column worker of each accumulator column; -1 for the record worker
	workers []chan *countBlock
	record  chan *countBlock
	free    chan *countBlock
	wg      sync.WaitGroup
	firstFailure
}

// firstFailure keeps the first failure in record order that the goroutines
// of a pipeline meet, and tells its reader to stop.
type firstFailure struct {
	mu      sync.Mutex
	fail    *countFailure
	stopped atomic.Bool // a worker failed: reading further is pointless
}

func newCountPipeline(c *counter, workers int) *countPipeline {
	a := c.acc
	p := &countPipeline{c: c, owner: make([]int, len(a.cols))}
	if a.mv != nil {
		p.mvWidth = len(a.mvRow)
	}
	// Spread the columns over the workers by their rough cost: categories
	// (a map lookup) cost more than numbers (a bin lookup and the moments).
	var cols []int
	for col := range a.cols {
		p.owner[col] = -1 // the confidence: the record worker's
		if col != c.confCol {
			cols = append(cols, col)
		}
	}
	owned := spread.ByCost(cols, func(col int) int {
		if a.cols[col].ref.Kind == Categorical {
			return 3
		}
		return 2
	}, min(max(workers, 1), max(len(cols), 1)))
	workers = len(owned)
	for w, list := range owned {
		for _, col := range list {
			p.owner[col] = w
		}
	}
	p.workers = make([]chan *countBlock, workers)
	for w := range p.workers {
		p.workers[w] = make(chan *countBlock, countBlocks)
	}
	p.record = make(chan *countBlock, countBlocks)
	p.free = make(chan *countBlock, countBlocks)
	for range countBlocks {
		b := &countBlock{rows: make([]dataset.Row, countBlockRows), skip: make([]bool, countBlockRows)}
		if p.mvWidth > 0 {
			b.mv = make([]float64, countBlockRows*p.mvWidth)
			b.mvRow = make([]float64, p.mvWidth)
			for i := range b.mv {
				b.mv[i] = math.NaN()
			}
		}
		p.free <- b
	}
	return p
}

// plan snapshots the counter's current mapping of the file's columns.
func (p *countPipeline) plan() *countPlan {
	c := p.c
	pl := &countPlan{
		names: c.names, scores: c.scores, errIdx: c.errIdx, latIdx: c.latIdx, timeIdx: c.timeIdx,
		tasks: make([][]countTask, len(p.workers)), absent: make([][]int, len(p.workers)),
	}
	for i, t := range c.target {
		if t < 0 {
			continue
		}
		if w := p.owner[t]; w >= 0 {
			pl.tasks[w] = append(pl.tasks[w], countTask{in: i, col: t})
		} else {
			pl.record = append(pl.record, countTask{in: i, col: t})
		}
	}
	for col, ok := range c.present {
		switch {
		case ok:
		case col == c.confCol:
			pl.confAbsent = true
		default:
			pl.absent[p.owner[col]] = append(pl.absent[p.owner[col]], col)
		}
	}
	return pl
}

// run reads r to the end, counting its records, and returns the first
// failure in record order, else the error that stopped the reading.
func (p *countPipeline) run(ctx context.Context, r dataset.Reader) error {
	for w := range p.workers {
		p.wg.Go(func() { p.columnWorker(w) })
	}
	p.wg.Go(p.recordWorker)
	readErr := p.read(ctx, r)
	return p.finish(readErr)
}

// finish closes the workers' queues once the reading has ended with readErr,
// waits for the workers, and returns the first failure in record order,
// else readErr.
func (p *countPipeline) finish(readErr error) error {
	for _, ch := range p.workers {
		close(ch)
	}
	close(p.record)
	p.wg.Wait()
	if p.fail != nil {
		return p.fail.err
	}
	return readErr
}

// read fills blocks from r and hands them to the workers.
func (p *countPipeline) read(ctx context.Context, r dataset.Reader) error {
	c := p.c
	var plan *countPlan
	var blk *countBlock
	var records int64
	defer func() {
		if blk != nil {
			p.dispatch(blk)
		}
	}()
	for !p.stopped.Load() {
		if blk == nil {
			blk = p.take(plan, records)
		}
		row := &blk.rows[blk.n]
		if err := r.Next(row); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("count %s: %w", c.file, err)
		}
		if records%65536 == 0 && ctx.Err() != nil {
			return fmt.Errorf("count %s: %w", c.file, ctx.Err())
		}
		if names := r.Columns(); len(names) != len(c.target) || plan == nil {
			if len(names) != len(c.target) {
				c.mapColumns(names)
			}
			plan = p.plan()
			if blk.n > 0 {
				// The record just read starts a block of the new layout.
				next := p.take(plan, records)
				next.rows[0], blk.rows[blk.n] = blk.rows[blk.n], next.rows[0]
				p.dispatch(blk)
				blk = next
			}
			blk.plan = plan
			row = &blk.rows[blk.n]
		}
		blk.skip[blk.n] = plan.errIdx >= 0 && plan.errIdx < len(row.Values) && isError(row.Values[plan.errIdx])
		blk.n++
		records++
		if blk.n == len(blk.rows) {
			p.dispatch(blk)
			blk = nil
		}
	}
	return nil
}

// take returns a free block (waiting for one) for records from first on.
func (p *countPipeline) take(plan *countPlan, first int64) *countBlock {
	b := <-p.free
	b.plan, b.first, b.n = plan, first, 0
	return b
}

// dispatch hands a block to every worker, or frees an empty one.
func (p *countPipeline) dispatch(b *countBlock) {
	if b.n == 0 {
		p.free <- b
		return
	}
	b.refs.Store(int32(len(p.workers) + 1))
	b.counted.Add(len(p.workers))
	for _, ch := range p.workers {
		ch <- b
	}
	p.record <- b
}

// release frees a block once every worker is done with it.
func (p *countPipeline) release(b *countBlock) {
	if b.refs.Add(-1) == 0 {
		p.free <- b
	}
}

// failed records a failure, keeping the first in record order, and stops
// the reading.
func (ff *firstFailure) failed(f *countFailure) {
	ff.mu.Lock()
	if f.before(ff.fail) {
		ff.fail = f
	}
	ff.mu.Unlock()
	ff.stopped.Store(true)
}

// countChunk is how many records of a block a column worker counts column
// by column before it moves on: their cells (32 bytes each) stay in the
// core's cache while it goes through its columns.
const countChunk = 256

// columnWorker counts worker w's columns in every block. Each column stops
// at its first failure; the worker stops after the chunk of records where
// one happened, since the rest hold only later records.
func (p *countPipeline) columnWorker(w int) {
	stop := false
	for b := range p.workers[w] {
		pl := b.plan
		for lo := 0; lo < b.n && !stop; lo += countChunk {
			hi := min(lo+countChunk, b.n)
			for _, t := range pl.tasks[w] {
				if f := p.countColumn(b, t, lo, hi); f != nil {
					p.failed(f)
					stop = true
				}
			}
		}
		p.finishBlock(b, w, stop)
	}
}

// finishBlock ends worker w's part of block b: unless counting stopped, the
// worker's columns that the file lacks count every counted record of the
// block as missing; then the block is marked counted and released.
func (p *countPipeline) finishBlock(b *countBlock, w int, stop bool) {
	if !stop {
		a := p.c.acc
		n := int64(b.n - countTrue(b.skip[:b.n]))
		for _, col := range b.plan.absent[w] {
			a.cols[col].missing += n
		}
	}
	b.counted.Done()
	p.release(b)
}

// countColumn counts one column of the block's records lo to hi.
func (p *countPipeline) countColumn(b *countBlock, t countTask, lo, hi int) *countFailure {
	c := p.c.acc.cols[t.col]
	mv := c.mvJ >= 0 && b.mv != nil
	for k := lo; k < hi; k++ {
		if b.skip[k] {
			continue
		}
		row := &b.rows[k]
		v := dataset.Value{Kind: dataset.Missing}
		if t.in < len(row.Values) {
			v = row.Values[t.in]
		}
		x, err := c.value(v)
		if err != nil {
			return &countFailure{b.first + int64(k), t.in, lineError(p.c.file, row.Line, b.plan.names[t.in], err)}
		}
		if mv {
			b.mv[c.mvJ*countBlockRows+k] = x
		}
	}
	return nil
}

func countTrue(s []bool) int {
	n := 0
	for _, v := range s {
		if v {
			n++
		}
	}
	return n
}

// recordWorker counts what belongs to records rather than columns, record
// by record: the record count, failed calls, latencies, event times, the
// confidence and, once the column workers are done with a block, the
// reconstruction error of each record.
func (p *countPipeline) recordWorker() {
	stop := false
	for b := range p.record {
		if p.mvWidth > 0 {
			b.counted.Wait()
		}
		if !stop {
			if f := p.countRecords(b); f != nil {
				p.failed(f)
				stop = true
			}
		}
		p.release(b)
	}
}

// countRecords counts the per-record part of a block's records; it stops at
// the first failure.
func (p *countPipeline) countRecords(b *countBlock) *countFailure {
	for k := range b.n {
		if f := p.countRecord(b, k, &b.rows[k]); f != nil {
			return f
		}
	}
	return nil
}

// countRecord counts the per-record part of record k of a block, whose
// cells are row.
func (p *countPipeline) countRecord(b *countBlock, k int, row *dataset.Row) *countFailure {
	c, a, pl := p.c, p.c.acc, b.plan
	record := b.first + int64(k)
	a.AddRecord()
	if f := c.addMeta(pl, row, record); f != nil {
		return f
	}
	if b.skip[k] {
		a.AddError()
		return nil
	}
	for _, t := range pl.record {
		v := dataset.Value{Kind: dataset.Missing}
		if t.in < len(row.Values) {
			v = row.Values[t.in]
		}
		if err := a.AddValue(t.col, v); err != nil {
			return &countFailure{record, t.in, lineError(c.file, row.Line, pl.names[t.in], err)}
		}
	}
	if pl.confAbsent {
		a.AddMissing(c.confCol)
	}
	if p.mvWidth > 0 {
		x := b.mvRow
		for j := range x {
			x[j] = b.mv[j*countBlockRows+k]
			b.mv[j*countBlockRows+k] = math.NaN()
		}
		a.addReconstruction(x)
	}
	if c.confCol >= 0 && len(pl.scores) > 0 {
		if f := c.addConfidence(pl, row, record); f != nil {
			return f
		}
	}
	return nil
}
