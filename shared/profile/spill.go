package profile

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/modelwatch/modelwatch/internal/floatsort"
)

// spillChunk is how many values a column keeps in memory before it writes
// them to its temporary file (2 MiB of float64).
const spillChunk = 1 << 18

// spillIO is how many bytes a column writes or reads at a time.
const spillIO = 64 << 10

// spill holds the values of one numeric column: in memory while small, then in
// a temporary file, so that a reference with many numeric columns is read in
// one pass with memory bounded by the chunk size per column.
type spill struct {
	dir  string
	mem  []float64
	file *os.File
	n    int64
	buf  []byte // a chunk's bytes, while writing and reading the file
}

func newSpill(dir string) *spill { return &spill{dir: dir} }

func (s *spill) add(v float64) error {
	s.mem = append(s.mem, v)
	s.n++
	if len(s.mem) >= spillChunk {
		return s.flush()
	}
	return nil
}

func (s *spill) flush() error {
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "modelwatch-column-*")
		if err != nil {
			return fmt.Errorf("spill column to disk: %w", err)
		}
		s.file = f
	}
	if s.buf == nil {
		s.buf = make([]byte, spillIO)
	}
	for rest := s.mem; len(rest) > 0; {
		n := min(len(rest), spillIO/8)
		for k, v := range rest[:n] {
			binary.LittleEndian.PutUint64(s.buf[8*k:], math.Float64bits(v))
		}
		if _, err := s.file.Write(s.buf[:8*n]); err != nil {
			return fmt.Errorf("spill column to disk: %w", err)
		}
		rest = rest[n:]
	}
	s.mem = s.mem[:0]
	return nil
}

// sortBuffers are the two buffers of the radix sort, which every numeric
// column of a build uses in turn.
type sortBuffers struct {
	values, tmp []float64
}

// grow makes both buffers hold at least n values.
func (b *sortBuffers) grow(n int64) {
	if int64(cap(b.values)) < n {
		b.values = make([]float64, 0, n)
	}
	if int64(cap(b.tmp)) < n {
		b.tmp = make([]float64, n)
	}
}

// sorted returns every value of the column, sorted ascending, in one of
// bufs' buffers; the result is valid until the next call with bufs.
func (s *spill) sorted(bufs *sortBuffers) ([]float64, error) {
	bufs.grow(s.n)
	out, err := s.readAll(bufs.values[:0])
	if err != nil {
		return nil, err
	}
	bufs.values = out
	return floatsort.Sort(out, bufs.tmp), nil
}

// readAll appends every value of the column, in the order added, to out.
func (s *spill) readAll(out []float64) ([]float64, error) {
	if s.file != nil {
		if _, err := s.file.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read spilled column: %w", err)
		}
		if s.buf == nil {
			s.buf = make([]byte, spillIO)
		}
		for {
			n, err := io.ReadFull(s.file, s.buf)
			if n%8 != 0 {
				return nil, fmt.Errorf("read spilled column: %d bytes, not whole values", n)
			}
			for k := 0; k < n; k += 8 {
				out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(s.buf[k:])))
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("read spilled column: %w", err)
			}
		}
	}
	out = append(out, s.mem...)
	if int64(len(out)) != s.n {
		return nil, fmt.Errorf("read spilled column: %d values, wrote %d", len(out), s.n)
	}
	return out, nil
}

// close removes the temporary file, if any, and releases memory.
func (s *spill) close() {
	if s == nil {
		return
	}
	if s.file != nil {
		name := s.file.Name()
		s.file.Close()
		os.Remove(name)
		s.file = nil
	}
	s.mem = nil
}
