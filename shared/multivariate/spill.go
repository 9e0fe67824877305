package multivariate

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// spillLimit bounds the file of codes a fit keeps (8 bytes a cell: 200 MB
// for 1M rows of 25 features); past it the fit reads the data again instead.
var spillLimit int64 = 1 << 30

// Codes of a categorical cell in the spill: missing, a name the fit did not
// count (beyond countedNames), or firstName plus the name's index.
const (
	codeMissing   = 0
	codeUncounted = 1
	firstName     = 2
)

// fitSpill keeps what the first pass read of every cell, so that the two
// later passes replay it from a temporary file instead of decoding the data
// again: a numeric cell's number (NaN when missing or not a number), a
// categorical cell's code. A fit without a usable spill (no temporary
// directory, a write failure, more than spillLimit bytes) reads the data
// again, with the same result.
type fitSpill struct {
	file  *os.File
	w     *bufio.Writer
	size  int64
	buf   []byte
	names [][]string         // per categorical feature: its counted names by index
	ids   []map[string]int64 // per categorical feature: each counted name's index
}

// newFitSpill returns a spill for d features, or nil when no temporary file
// can be made.
func newFitSpill(d int) *fitSpill {
	file, err := os.CreateTemp("", "modelwatch-fit-*")
	if err != nil {
		return nil
	}
	return &fitSpill{file: file, w: bufio.NewWriterSize(file, 1<<20), buf: make([]byte, 8*d),
		names: make([][]string, d), ids: make([]map[string]int64, d)}
}

// setNumber and setCode put cell j of the row being written.
func (s *fitSpill) setNumber(j int, x float64) {
	binary.LittleEndian.PutUint64(s.buf[8*j:], math.Float64bits(x))
}

func (s *fitSpill) setCode(j int, code uint64) { binary.LittleEndian.PutUint64(s.buf[8*j:], code) }

// nameCode returns the code of a counted name, numbering it when new.
func (s *fitSpill) nameCode(j int, name string) uint64 {
	if s.ids[j] == nil {
		s.ids[j] = make(map[string]int64)
	}
	k, ok := s.ids[j][name]
	if !ok {
		k = int64(len(s.names[j]))
		s.ids[j][name] = k
		s.names[j] = append(s.names[j], name)
	}
	return uint64(k) + firstName
}

// endRow writes the row; the spill is dropped past spillLimit or on a
// write failure.
func (s *fitSpill) endRow() *fitSpill {
	s.size += int64(len(s.buf))
	if s.size > spillLimit {
		s.remove()
		return nil
	}
	if _, err := s.w.Write(s.buf); err != nil {
		s.remove()
		return nil
	}
	return s
}

// replay reads the rows back, decoding each into x (one value per
// feature, the encoding of the cell, NaN when missing) for row.
func (s *fitSpill) replay(ctx context.Context, enc func(j int, code uint64) float64, row func(x []float64)) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	r := bufio.NewReaderSize(s.file, 1<<20)
	d := len(s.buf) / 8
	x := make([]float64, d)
	for k := 0; ; k++ {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if _, err := io.ReadFull(r, s.buf); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("spill: %w", err)
		}
		for j := range x {
			x[j] = enc(j, binary.LittleEndian.Uint64(s.buf[8*j:]))
		}
		row(x)
	}
}

// remove deletes the file.
func (s *fitSpill) remove() {
	s.file.Close()
	os.Remove(s.file.Name())
}
