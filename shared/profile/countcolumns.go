package profile

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// A file read column by column (see countPipeline.runColumns) is never
// assembled into records: each worker decodes the columns it counts, block
// by block. A value the reader rejects fails the record it belongs to before
// anything of that record is counted, the first such column in the file's
// order first, as when the reader yields records; decodeOrder places these
// failures before orderLatency.
func decodeOrder(in, columns int) int { return in - columns - 3 }

// columnPlan is who decodes which column of a file read column by column,
// beside the countPlan's counting: checks are the columns no one counts,
// decoded only for the errors their values may raise, spread over the column
// workers; meta are the columns the record worker decodes (latency, event
// time, class scores, and those it counts).
type columnPlan struct {
	checks [][]int
	meta   []int
}

func (p *countPipeline) columnPlan(pl *countPlan) *columnPlan {
	cp := &columnPlan{checks: make([][]int, len(p.workers))}
	used := make([]bool, len(pl.names))
	load := make([]int, len(p.workers))
	for w, tasks := range pl.tasks {
		for _, t := range tasks {
			used[t.in] = true
			load[w]++
		}
	}
	addMeta := func(i int) {
		if i >= 0 && !used[i] {
			used[i] = true
			cp.meta = append(cp.meta, i)
		}
	}
	addMeta(pl.latIdx)
	addMeta(pl.timeIdx)
	for _, i := range pl.scores {
		addMeta(i)
	}
	for _, t := range pl.record {
		addMeta(t.in)
	}
	if pl.errIdx >= 0 {
		used[pl.errIdx] = true // the reading goroutine's
	}
	for i, u := range used {
		if u {
			continue
		}
		w := 0
		for k := range load {
			if load[k] < load[w] {
				w = k
			}
		}
		cp.checks[w] = append(cp.checks[w], i)
		load[w]++
	}
	return cp
}

// columnCursors are the cursors of the file's columns, each used by one
// goroutine only.
type columnCursors []dataset.ColumnCursor

func (cs columnCursors) close() {
	for _, c := range cs {
		if c != nil {
			c.Close()
		}
	}
}

// runColumns counts the records of a file read column by column: the
// caller's goroutine cuts the file into blocks of records (decoding only the
// failed-call column, which every worker needs); each column worker decodes
// and counts its own columns of every block, in order; the record worker
// decodes the per-record columns and counts them. Every failure is placed in
// record order as the row-by-row counting places it, so that the same one is
// returned.
func (p *countPipeline) runColumns(ctx context.Context, r dataset.ColumnReader) error {
	c := p.c
	c.mapColumns(r.Columns())
	pl := p.plan()
	cp := p.columnPlan(pl)
	cursors := make(columnCursors, len(pl.names))
	defer cursors.close()
	for i := range cursors {
		cur, err := r.ColumnCursor(i)
		if err != nil {
			return fmt.Errorf("count %s: %w", c.file, err)
		}
		cursors[i] = cur
	}
	for w := range p.workers {
		p.wg.Go(func() { p.columnWorkerColumns(w, cp, cursors) })
	}
	p.wg.Go(func() { p.recordWorkerColumns(cp, cursors) })
	readErr := p.readColumns(ctx, r, pl, cursors)
	return p.finish(readErr)
}

// readColumns cuts the file into blocks and hands them to the workers,
// marking the records of failed model calls.
func (p *countPipeline) readColumns(ctx context.Context, r dataset.ColumnReader, pl *countPlan, cursors columnCursors) error {
	total := r.Records()
	var errs dataset.Column
	for first := int64(0); first < total && !p.stopped.Load(); first += countBlockRows {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("count %s: %w", p.c.file, err)
		}
		b := p.take(pl, first)
		b.n = int(min(countBlockRows, total-first))
		clear(b.skip[:b.n])
		if pl.errIdx >= 0 {
			f := p.decode(b, pl.errIdx, cursors, &errs)
			for k := range errs.Len() {
				b.skip[k] = isError(errs.Value(k))
			}
			if f != nil {
				p.failed(f)
			}
		}
		p.dispatch(b)
	}
	return nil
}

// decode reads column in's values of block b into dst; a failure says at
// which record the column failed.
func (p *countPipeline) decode(b *countBlock, in int, cursors columnCursors, dst *dataset.Column) *countFailure {
	err := cursors[in].Read(dst, b.n)
	got := dst.Len()
	if err == nil && got < b.n {
		err = &dataset.Error{Pos: dataset.Position{File: p.c.file, Line: b.first + int64(got) + 1}, Column: b.plan.names[in],
			Err: errors.New("corrupt Parquet file: the column ends before the file's last record")}
	}
	if err == nil {
		return nil
	}
	return &countFailure{b.first + int64(got), decodeOrder(in, len(b.plan.names)), fmt.Errorf("count %s: %w", p.c.file, err)}
}

// columnWorkerColumns decodes and counts worker w's columns in every block.
// It stops after the block where a column failed: the other blocks hold
// only later records.
func (p *countPipeline) columnWorkerColumns(w int, cp *columnPlan, cursors columnCursors) {
	var vals dataset.Column
	stop := false
	for b := range p.workers[w] {
		pl := b.plan
		var first *countFailure
		keep := func(f *countFailure) {
			if f != nil && f.before(first) {
				first = f
			}
		}
		if !stop {
			for _, t := range pl.tasks[w] {
				f := p.decode(b, t.in, cursors, &vals)
				keep(p.countValues(b, t, &vals))
				keep(f)
			}
			for _, in := range cp.checks[w] {
				keep(p.decode(b, in, cursors, &vals))
			}
		}
		if first != nil {
			p.failed(first)
			stop = true
		}
		p.finishBlock(b, w, stop)
	}
}

// countValues counts a column's decoded values of block b (a prefix of the
// block when the column failed to decode further).
func (p *countPipeline) countValues(b *countBlock, t countTask, v *dataset.Column) *countFailure {
	c := p.c.acc.cols[t.col]
	mv := c.mvJ >= 0 && b.mv != nil
	fail := func(k int, err error) *countFailure {
		return &countFailure{b.first + int64(k), t.in, lineError(p.c.file, b.first+int64(k)+1, b.plan.names[t.in], err)}
	}
	if v.Kind == dataset.Number && c.ref.Kind != Categorical {
		// columnCounter.value of each number, inlined.
		var enc []float64
		if mv {
			enc = b.mv[c.mvJ*countBlockRows:][:len(v.Num)]
		}
		for k, x := range v.Num {
			switch {
			case b.skip[k]:
			case v.Missing[k]:
				c.missing++
				if enc != nil {
					enc[k] = math.NaN()
				}
			default:
				if err := checkNumber(x); err != nil {
					return fail(k, err)
				}
				c.addNumber(x)
				if enc != nil {
					enc[k] = x
				}
			}
		}
		return nil
	}
	for k := range v.Len() {
		if b.skip[k] {
			continue
		}
		x, err := c.value(v.Value(k))
		if err != nil {
			return fail(k, err)
		}
		if mv {
			b.mv[c.mvJ*countBlockRows+k] = x
		}
	}
	return nil
}

// recordWorkerColumns counts the per-record part of every block from the
// columns it decodes.
func (p *countPipeline) recordWorkerColumns(cp *columnPlan, cursors columnCursors) {
	vals := make([]dataset.Column, len(cp.meta))
	var row dataset.Row
	stop := false
	for b := range p.record {
		if p.mvWidth > 0 {
			b.counted.Wait()
		}
		if !stop {
			if f := p.countRecordColumns(b, cp, cursors, vals, &row); f != nil {
				p.failed(f)
				stop = true
			}
		}
		p.release(b)
	}
}

// countRecordColumns decodes the record worker's columns of block b and
// counts its records up to the first failure.
func (p *countPipeline) countRecordColumns(b *countBlock, cp *columnPlan, cursors columnCursors, vals []dataset.Column, row *dataset.Row) *countFailure {
	var failed *countFailure
	for j, in := range cp.meta {
		if f := p.decode(b, in, cursors, &vals[j]); f != nil && f.before(failed) {
			failed = f
		}
	}
	n := b.n
	if failed != nil {
		n = int(failed.record - b.first)
	}
	if len(row.Values) != len(b.plan.names) {
		row.Values = make([]dataset.Value, len(b.plan.names))
	}
	for k := range n {
		for j, in := range cp.meta {
			row.Values[in] = vals[j].Value(k)
		}
		row.Line = b.first + int64(k) + 1
		if f := p.countRecord(b, k, row); f != nil {
			return f
		}
	}
	return failed
}
