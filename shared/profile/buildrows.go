package profile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// rowBlock is a block of records read record by record, which the
// column workers and the record worker of a build share.
type rowBlock struct {
	first int64 // index in the file of the block's first record
	rows  []dataset.Row
	n     int
	skip  []bool // records of failed model calls
	refs  atomic.Int32
}

// rowPipeline adds the records of a file read record by record on several
// goroutines: the caller's reads them into blocks; each column worker adds
// the columns it owns, block after block; the record worker adds each
// record's confidence and calibration. Every column is added to by one
// goroutine, in record order, so the profile is the one adding the records
// one by one gives, and so is the error: the first in record order.
type rowPipeline struct {
	b       *builder
	owned   [][]int // each column worker's columns
	workers []chan *rowBlock
	record  chan *rowBlock // nil: no class scores
	free    chan *rowBlock
	wg      sync.WaitGroup
	firstFailure
}

// addRowBlocks adds the records of r to its end on workers column workers.
// A record whose columns are not those of the sample (a JSON Lines file
// that grows a column) ends the pipeline: it and the records after it are
// added one by one.
func (b *builder) addRowBlocks(ctx context.Context, r dataset.Reader, workers int) error {
	p := &rowPipeline{b: b, owned: b.spreadAdded(workers)}
	workers = len(p.owned)
	p.workers = make([]chan *rowBlock, workers)
	for w := range p.workers {
		p.workers[w] = make(chan *rowBlock, countBlocks)
		p.wg.Go(func() { p.columnWorker(w) })
	}
	if b.conf != nil {
		p.record = make(chan *rowBlock, countBlocks)
		p.wg.Go(p.recordWorker)
	}
	p.free = make(chan *rowBlock, countBlocks)
	for range countBlocks {
		p.free <- &rowBlock{rows: make([]dataset.Row, countBlockRows), skip: make([]bool, countBlockRows)}
	}

	rest, readErr := p.read(ctx, r)
	for _, ch := range p.workers {
		close(ch)
	}
	if p.record != nil {
		close(p.record)
	}
	p.wg.Wait()
	if p.fail != nil {
		return p.fail.err
	}
	if readErr != nil || rest == nil {
		return readErr
	}
	// A record of another layout: it and the rest, one by one.
	if err := b.add(*rest, r.Columns()); err != nil {
		return err
	}
	return b.addRows(ctx, r)
}

// read fills blocks from r and hands them to the workers. It returns the
// record that ends the pipeline, if one does (its columns differ from the
// sample's), else the error that ended the reading (nil at the end of r).
func (p *rowPipeline) read(ctx context.Context, r dataset.Reader) (*dataset.Row, error) {
	b := p.b
	var blk *rowBlock
	defer func() {
		if blk != nil {
			p.dispatch(blk)
		}
	}()
	for !p.stopped.Load() {
		if blk == nil {
			blk = <-p.free
			blk.first, blk.n = b.rows, 0
		}
		row := &blk.rows[blk.n]
		if err := r.Next(row); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, fmt.Errorf("build profile: %w", err)
		}
		if b.rows%65536 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("build profile of %s: %w", b.file, ctx.Err())
		}
		if len(r.Columns()) != len(b.cols) {
			rest := *row
			rest.Values = append([]dataset.Value(nil), row.Values...)
			return &rest, nil
		}
		b.rows++
		skip := b.errIdx >= 0 && b.errIdx < len(row.Values) && isError(row.Values[b.errIdx])
		blk.skip[blk.n] = skip
		if skip {
			b.errors++
		}
		blk.n++
		if blk.n == len(blk.rows) {
			p.dispatch(blk)
			blk = nil
		}
	}
	return nil, nil
}

// dispatch hands a block to every worker, or frees an empty one.
func (p *rowPipeline) dispatch(blk *rowBlock) {
	if blk.n == 0 {
		p.free <- blk
		return
	}
	n := len(p.workers)
	if p.record != nil {
		n++
	}
	blk.refs.Store(int32(n))
	for _, ch := range p.workers {
		ch <- blk
	}
	if p.record != nil {
		p.record <- blk
	}
}

// release frees a block once every worker is done with it.
func (p *rowPipeline) release(blk *rowBlock) {
	if blk.refs.Add(-1) == 0 {
		p.free <- blk
	}
}

// columnWorker adds worker w's columns of every block, a chunk of records
// at a time; each column stops at its first failure, and the worker after
// the chunk where one failed (the rest holds only later records).
func (p *rowPipeline) columnWorker(w int) {
	b := p.b
	stop := false
	for blk := range p.workers[w] {
		for lo := 0; lo < blk.n && !stop; lo += countChunk {
			hi := min(lo+countChunk, blk.n)
			for _, i := range p.owned[w] {
				if f := p.addColumn(blk, i, b.cols[i], lo, hi); f != nil {
					p.failed(f) // the chunk's other columns may fail earlier
					stop = true
				}
			}
		}
		p.release(blk)
	}
}

// addColumn adds column i of the block's records lo to hi.
func (p *rowPipeline) addColumn(blk *rowBlock, i int, c *refColumn, lo, hi int) *buildFailure {
	b := p.b
	for k := lo; k < hi; k++ {
		if blk.skip[k] {
			continue
		}
		row := &blk.rows[k]
		v := dataset.Value{Kind: dataset.Missing}
		if i < len(row.Values) {
			v = row.Values[i]
		}
		if err := c.add(v, b.opts.Settings); err != nil {
			return &buildFailure{blk.first + int64(k), i, lineError(b.file, row.Line, c.name, err)}
		}
	}
	return nil
}

// recordWorker adds the confidence and calibration of every record.
func (p *rowPipeline) recordWorker() {
	stop := false
	for blk := range p.record {
		for k := 0; k < blk.n && !stop; k++ {
			if blk.skip[k] {
				continue
			}
			if f := p.b.addConfidence(blk.rows[k], blk.first+int64(k)); f != nil {
				p.failed(f)
				stop = true
			}
		}
		p.release(blk)
	}
}
