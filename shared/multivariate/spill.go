package multivariate

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sync/atomic"
)

// spillLimit bounds the file of cells a fit keeps (8 bytes a cell: 144 MB
// for 1M rows of 18 features); past it the fit reads the data again instead.
var spillLimit int64 = 4 << 30

// blockRows is how many rows a block of the spill holds, and how many the
// later passes give a goroutine at a time.
const blockRows = 8192

// Codes of a categorical cell in the spill: missing, a name the fit did not
// count (beyond countedNames), or firstName plus the name's index in the
// order the first pass met it.
const (
	codeMissing   = 0
	codeUncounted = 1
	firstName     = 2
)

// fitSpill keeps what the first pass read of every cell, so that the two
// later passes read it back from a temporary file, on every core, instead of
// decoding the data again: a numeric cell's number (NaN when missing or not
// a number), a categorical cell's code. The file is a run of blocks of
// blockRows rows; within a block, each feature's cells in turn, so a block
// is written a column at a time by the first pass (one goroutine per
// column) or at once (reading record by record), and read at once. A fit
// without a usable spill (no temporary directory, a write failure, more
// than spillLimit bytes) reads the data again, with the same result.
type fitSpill struct {
	file   *os.File
	d      int
	failed atomic.Bool
}

// newFitSpill returns a spill for d features, or nil when no temporary file
// can be made.
func newFitSpill(d int) *fitSpill {
	file, err := os.CreateTemp("", "modelwatch-fit-*")
	if err != nil {
		return nil
	}
	return &fitSpill{file: file, d: d}
}

// blockBytes is the size of a block in the file.
func (s *fitSpill) blockBytes() int64 { return int64(s.d) * blockRows * 8 }

// writeColumn writes the cells of feature j in block b (buf: room for
// their bytes). Goroutines may write different columns at once; a failure,
// or a block past spillLimit, marks the spill failed.
func (s *fitSpill) writeColumn(b, j int, cells []uint64, buf []byte) {
	if s == nil || s.failed.Load() {
		return
	}
	if int64(b+1)*s.blockBytes() > spillLimit {
		s.failed.Store(true)
		return
	}
	for k, c := range cells {
		binary.LittleEndian.PutUint64(buf[8*k:], c)
	}
	if _, err := s.file.WriteAt(buf[:8*len(cells)], int64(b)*s.blockBytes()+int64(j)*blockRows*8); err != nil {
		s.failed.Store(true)
	}
}

// usable returns the spill, or nil (and the file removed) when a write
// failed.
func (s *fitSpill) usable() *fitSpill {
	if s != nil && s.failed.Load() {
		s.remove()
		return nil
	}
	return s
}

// readBlock reads block b's cells into buf (8 bytes a cell) and decodes
// the first rows rows of each feature into dst (feature j at j*blockRows):
// a numeric cell's number, a categorical cell's encoding in tables[j]
// (indexed by name), NaN when missing, 0 for an uncounted name.
func (s *fitSpill) readBlock(b, rows int, buf []byte, dst []float64, tables [][]float64) error {
	if _, err := s.file.ReadAt(buf, int64(b)*s.blockBytes()); err != nil {
		return fmt.Errorf("spill: read block %d: %w", b, err)
	}
	for j := range s.d {
		col := buf[j*blockRows*8:]
		out := dst[j*blockRows : j*blockRows+rows]
		table := tables[j]
		if table == nil {
			for k := range out {
				out[k] = math.Float64frombits(binary.LittleEndian.Uint64(col[8*k:]))
			}
			continue
		}
		for k := range out {
			switch c := binary.LittleEndian.Uint64(col[8*k:]); c {
			case codeMissing:
				out[k] = math.NaN()
			case codeUncounted:
				out[k] = 0 // a name the encoding does not know, like lookup's
			default:
				out[k] = table[c-firstName]
			}
		}
	}
	return nil
}

// remove deletes the file.
func (s *fitSpill) remove() {
	s.file.Close()
	os.Remove(s.file.Name())
}
