package profile

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/modelwatch/modelwatch/internal/spread"
	"github.com/modelwatch/modelwatch/shared/dataset"
)

// buildBlockRows is how many records the column-by-column build decodes
// of each column at a time.
const buildBlockRows = 16384

// buildFailure is an error met while adding the records column by column,
// and where: the record's index in the file and, within the record, the
// order of addRecord (a rejected value first, see decodeOrder, then the
// columns in the file's order, then the class scores and the confidence).
type buildFailure = countFailure

// sampleColumns reads the first n records of r (named name) column by column, and
// returns them with a cursor over each column positioned after them. The
// error is the one reading the records one by one meets first.
func sampleColumns(ctx context.Context, r dataset.ColumnReader, name string, n int) ([]dataset.Row, columnCursors, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	names := r.Columns()
	cursors := make(columnCursors, len(names))
	rows := make([]dataset.Row, min(int64(n), r.Records()))
	for k := range rows {
		rows[k] = dataset.Row{Values: make([]dataset.Value, len(names)), Line: int64(k) + 1}
	}
	var col dataset.Column
	var first error
	firstAt := len(rows)
	for i := range names {
		cur, err := r.ColumnCursor(i)
		if err != nil {
			cursors.close()
			return nil, nil, err
		}
		cursors[i] = cur
		err = cur.Read(&col, len(rows))
		for k := range col.Len() {
			rows[k].Values[i] = col.Value(k)
		}
		if err == nil && col.Len() < len(rows) {
			err = &dataset.Error{Pos: dataset.Position{File: name, Line: int64(col.Len()) + 1}, Column: names[i],
				Err: errors.New("corrupt Parquet file: the column ends before the file's last record")}
		}
		if err != nil && col.Len() < firstAt {
			first, firstAt = err, col.Len()
		}
	}
	if first != nil {
		cursors.close()
		return nil, nil, first
	}
	return rows, cursors, nil
}

// addColumns adds the records of r from record start on (those before it
// were added from the sample) column by column, reading each column on from
// its cursor in cursors: the columns a record's values go to are decoded
// and added on workers goroutines, the per-record part (failed calls, the
// confidence and its calibration) on the caller's. The profile and the
// error returned are those of adding the records one by one.
func (b *builder) addColumns(ctx context.Context, r dataset.ColumnReader, cursors columnCursors, start int64, workers int) error {
	total := r.Records()
	n := len(b.cols)
	var extra columnCursors
	defer func() { extra.close() }()
	// reopen opens another cursor over column i, positioned at start.
	reopen := func(i int) (dataset.ColumnCursor, error) {
		cur, err := r.ColumnCursor(i)
		if err != nil {
			return nil, fmt.Errorf("build profile: %w", err)
		}
		extra = append(extra, cur)
		var skip dataset.Column
		for left := start; left > 0; {
			if err := cur.Read(&skip, int(min(left, buildBlockRows))); err != nil {
				return nil, fmt.Errorf("build profile: %w", err)
			}
			if skip.Len() == 0 {
				return nil, fmt.Errorf("build profile: column %s ends before record %d", b.cols[i].name, start+1)
			}
			left -= int64(skip.Len())
		}
		return cur, nil
	}

	// Who decodes which column: the added ones are spread over the
	// workers by cost; the caller's goroutine decodes the failed-call
	// column, the class scores, the prediction and label again (for the
	// calibration) and every other column, for the errors of its values.
	owned := b.spreadAdded(workers)
	workers = len(owned)
	var others []int
	for i, c := range b.cols {
		if !c.added() && i != b.errIdx {
			others = append(others, i)
		}
	}
	colCursors := make([]dataset.ColumnCursor, n)
	for _, list := range owned {
		for _, i := range list {
			colCursors[i] = cursors[i]
		}
	}
	recCursors := make(map[int]dataset.ColumnCursor)
	recCols := append([]int(nil), others...)
	if b.conf != nil {
		recCols = append(recCols, b.predIdx, b.labelIdx)
	}
	if b.errIdx >= 0 {
		recCols = append(recCols, b.errIdx)
	}
	for _, i := range recCols {
		if _, ok := recCursors[i]; i < 0 || ok {
			continue
		}
		if colCursors[i] == nil {
			recCursors[i] = cursors[i]
			continue
		}
		cur, err := reopen(i) // a worker reads the column too
		if err != nil {
			return err
		}
		recCursors[i] = cur
	}

	skip := make([]bool, buildBlockRows)
	vals := make([]dataset.Column, workers)
	recVals := make(map[int]*dataset.Column, len(recCursors))
	for i := range recCursors {
		recVals[i] = new(dataset.Column)
	}
	failures := make([]*buildFailure, workers+1)
	for first := start; first < total; first += buildBlockRows {
		if ctx.Err() != nil {
			return fmt.Errorf("build profile of %s: %w", b.file, ctx.Err())
		}
		blk := &buildBlock{first: first, n: int(min(buildBlockRows, total-first)), skip: skip, columns: n, file: b.file}
		clear(failures)
		clear(skip)
		// The failed calls first: every worker needs them.
		if b.errIdx >= 0 {
			v := recVals[b.errIdx]
			failures[workers] = blk.decode(recCursors[b.errIdx], b.errIdx, b.cols[b.errIdx].name, v)
			for k := range v.Len() {
				skip[k] = isError(v.Value(k))
			}
		}
		var wg sync.WaitGroup
		for w, list := range owned {
			wg.Go(func() {
				for _, i := range list {
					failures[w] = earlier(failures[w], blk.decode(colCursors[i], i, b.cols[i].name, &vals[w]))
					failures[w] = earlier(failures[w], blk.add(b.cols[i], i, &vals[w], b.opts.Settings))
				}
			})
		}
		failures[workers] = earlier(failures[workers], b.addRecordsColumns(blk, recCursors, recVals))
		wg.Wait()
		var first *buildFailure
		for _, f := range failures {
			first = earlier(first, f)
		}
		if first != nil {
			return first.err
		}
		b.rows += int64(blk.n)
		b.errors += int64(countTrue(skip[:blk.n]))
	}
	return nil
}

// spreadAdded shares the columns whose values are added out among at most
// workers goroutines by their rough cost: categories (a map lookup) cost
// more than numbers (the moments and the spill).
func (b *builder) spreadAdded(workers int) [][]int {
	var cols []int
	for i, c := range b.cols {
		if c.added() {
			cols = append(cols, i)
		}
	}
	return spread.ByCost(cols, func(i int) int {
		if b.cols[i].kind == Categorical {
			return 3
		}
		return 2
	}, max(1, min(workers, len(cols))))
}

// added reports whether the column's values are added to it, record by
// record (features, the prediction and the label).
func (c *refColumn) added() bool {
	return c.role != roleIgnored && c.role != roleError && c.role != roleScore && c.role != roleTime
}

// earlier returns the failure that comes first in record order.
func earlier(f, g *buildFailure) *buildFailure {
	if g != nil && g.before(f) {
		return g
	}
	return f
}

// buildBlock is a block of records added column by column.
type buildBlock struct {
	first   int64
	n       int
	skip    []bool // records of failed model calls
	columns int
	file    string
}

// decode reads the block's values of column i into dst.
func (blk *buildBlock) decode(cur dataset.ColumnCursor, i int, name string, dst *dataset.Column) *buildFailure {
	err := cur.Read(dst, blk.n)
	got := dst.Len()
	if err == nil && got < blk.n {
		err = &dataset.Error{Pos: dataset.Position{File: blk.file, Line: blk.first + int64(got) + 1}, Column: name,
			Err: errors.New("corrupt Parquet file: the column ends before the file's last record")}
	}
	if err == nil {
		return nil
	}
	return &buildFailure{blk.first + int64(got), decodeOrder(i, blk.columns), fmt.Errorf("build profile: %w", err)}
}

// add adds the decoded values of column i, up to the first failure.
func (blk *buildBlock) add(c *refColumn, i int, v *dataset.Column, s Settings) *buildFailure {
	for k := range v.Len() {
		if blk.skip[k] {
			continue
		}
		if err := c.add(v.Value(k), s); err != nil {
			return &buildFailure{blk.first + int64(k), i, lineError(blk.file, blk.first+int64(k)+1, c.name, err)}
		}
	}
	return nil
}

// addRecordsColumns decodes the per-record columns of the block and adds
// the confidence of each record (the highest of its class scores) and its
// calibration, up to the first failure.
func (b *builder) addRecordsColumns(blk *buildBlock, cursors map[int]dataset.ColumnCursor, vals map[int]*dataset.Column) *buildFailure {
	var first *buildFailure
	for i, cur := range cursors {
		if i != b.errIdx {
			first = earlier(first, blk.decode(cur, i, b.cols[i].name, vals[i]))
		}
	}
	if b.conf == nil {
		return first
	}
	n := blk.n
	if first != nil {
		n = int(first.record - blk.first)
	}
	row := dataset.Row{Values: make([]dataset.Value, len(b.cols))}
	for k := range n {
		if blk.skip[k] {
			continue
		}
		record := blk.first + int64(k)
		row.Line = record + 1
		best, found := 0.0, false
		for _, i := range b.scores {
			s, ok, err := scoreValue(vals[i].Value(k))
			if err != nil {
				name := b.cols[i].name
				return earlier(first, &buildFailure{record, blk.columns + orderScore, lineError(b.file, row.Line, name, fmt.Errorf(
					"%w (the column held class scores in the first %d rows; --numeric %s profiles it as a feature)", err, inferenceRows, name))})
			}
			if ok && (!found || s > best) {
				best, found = s, true
			}
		}
		if !found {
			b.conf.missing++
			continue
		}
		if err := b.conf.addNumber(best, b.opts.Settings); err != nil {
			return earlier(first, &buildFailure{record, blk.columns + orderConfidence, lineError(b.file, row.Line, b.conf.name, err)})
		}
		for _, i := range []int{b.predIdx, b.labelIdx} {
			if i >= 0 {
				row.Values[i] = vals[i].Value(k)
			}
		}
		b.calibrate(row, best)
	}
	return first
}
