package dataset

import "sync"

const (
	// readAheadRows is how many rows a read-ahead block holds.
	readAheadRows = 1024
	// readAheadBlocks is how many blocks are read ahead at most.
	readAheadBlocks = 4
)

// ReadAhead returns a Reader that yields the rows, columns and errors of r,
// in the same order, while a goroutine decodes the next few thousand rows
// of r: a caller that does per-row work of its own then runs beside the
// decoding instead of after it. Memory is bounded by four blocks of 1024
// rows. Close stops the goroutine and closes r; r must not be used
// directly once passed to ReadAhead.
func ReadAhead(r Reader) Reader {
	a := &readAhead{
		r:    r,
		cols: r.Columns(),
		full: make(chan *aheadBlock, readAheadBlocks),
		free: make(chan *aheadBlock, readAheadBlocks),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range readAheadBlocks {
		a.free <- &aheadBlock{rows: make([]Row, readAheadRows), cols: make([][]string, readAheadRows)}
	}
	go a.readLoop()
	return a
}

type readAhead struct {
	r    Reader
	full chan *aheadBlock
	free chan *aheadBlock
	stop chan struct{}
	done chan struct{}

	// The consumer's side.
	cur       *aheadBlock
	pos       int
	cols      []string
	err       error
	closeOnce sync.Once
	closeErr  error
}

// aheadBlock is rows read ahead, each with the columns as they were once
// it was read (a JSON Lines reader adds columns as it meets them), and the
// error that ended the block early (io.EOF after the last row).
type aheadBlock struct {
	rows []Row
	cols [][]string
	n    int
	err  error
}

func (a *readAhead) readLoop() {
	defer close(a.done)
	for {
		var b *aheadBlock
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		b.n, b.err = 0, nil
		for b.n < len(b.rows) {
			if err := a.r.Next(&b.rows[b.n]); err != nil {
				b.err = err
				break
			}
			b.cols[b.n] = a.r.Columns()
			b.n++
		}
		select {
		case a.full <- b:
		case <-a.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

func (a *readAhead) Columns() []string { return a.cols }

func (a *readAhead) Next(row *Row) error {
	for a.cur == nil || a.pos == a.cur.n {
		if a.err != nil {
			return a.err
		}
		if a.cur != nil {
			if a.cur.err != nil {
				a.err = a.cur.err
				return a.err
			}
			a.free <- a.cur
		}
		a.cur, a.pos = <-a.full, 0
	}
	src := &a.cur.rows[a.pos]
	row.Values = append(row.Values[:0], src.Values...)
	row.Line = src.Line
	a.cols = a.cur.cols[a.pos]
	a.pos++
	return nil
}

func (a *readAhead) Close() error {
	a.closeOnce.Do(func() {
		if a.err == nil {
			a.err = errClosed
		}
		a.cur = nil
		close(a.stop)
		<-a.done
		a.closeErr = a.r.Close()
	})
	return a.closeErr
}
