package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// Reader streams the records of one file.
type Reader interface {
	// Columns is the ordered list of column names. It is known after Open:
	// the CSV header, the Parquet top-level leaf columns, or for JSON Lines
	// the keys met in the read-ahead sample. Only a JSON Lines reader ever
	// changes it afterwards, by appending columns, so re-read it after each
	// Next. The returned slice must not be modified.
	Columns() []string
	// Next fills row (reusing its Values slice, so that
	// len(row.Values) == len(Columns())) and returns io.EOF after the last
	// record. Any other error is final: later calls return it again.
	Next(row *Row) error
	// Close releases the file. It does not close an io.Reader passed to
	// NewReader.
	Close() error
}

// Open opens the file at path in the given format; format "" means
// DetectFormat(path). Gzip-compressed CSV and JSON Lines are recognised by
// their content, whatever the name.
func Open(path string, format Format) (Reader, error) {
	if format == "" {
		var err error
		if format, err = DetectFormat(path); err != nil {
			return nil, err
		}
	} else if !format.valid() {
		return nil, fmt.Errorf("%s: unknown format %q", path, format)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var r Reader
	if format == FormatParquet {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			r, err = newParquetReader(f, st.Size(), path, f.Close)
		}
	} else {
		r, err = newTextReader(f, path, format, f.Close)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads records in the given format from r; name (usually the
// path) is used in error messages and, when format is "", to detect the
// format. Gzip-compressed CSV and JSON Lines input is recognised by its
// content.
//
// Parquet needs random access: if r is an io.ReaderAt whose size is known
// (an *os.File, or a type with a Size() int64 method such as *bytes.Reader
// or *io.SectionReader) it is read in place, otherwise it is read into
// memory first. NewParquetReader takes an io.ReaderAt directly.
func NewReader(r io.Reader, name string, format Format) (Reader, error) {
	if format == "" {
		var err error
		if format, err = DetectFormat(name); err != nil {
			return nil, err
		}
	} else if !format.valid() {
		return nil, fmt.Errorf("%s: unknown format %q", name, format)
	}
	if format != FormatParquet {
		return newTextReader(r, name, format, nil)
	}
	if ra, ok := r.(io.ReaderAt); ok {
		switch s := r.(type) {
		case interface{ Size() int64 }:
			return newParquetReader(ra, s.Size(), name, nil)
		case *os.File:
			st, err := s.Stat()
			if err != nil {
				return nil, err
			}
			return newParquetReader(ra, st.Size(), name, nil)
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return newParquetReader(bytes.NewReader(data), int64(len(data)), name, nil)
}

// NewParquetReader reads the Parquet file of the given size through r; name
// is used in error messages.
func NewParquetReader(r io.ReaderAt, size int64, name string) (Reader, error) {
	return newParquetReader(r, size, name, nil)
}

// readBufferSize is the size of the buffer in front of CSV and JSON Lines
// input (and of the gzip decompressor's output).
const readBufferSize = 256 << 10

// newTextReader opens a CSV or JSON Lines reader on r, decompressing it
// when it starts with the gzip magic number. closeFile, if not nil, is
// called by Close.
func newTextReader(r io.Reader, name string, format Format, closeFile func() error) (Reader, error) {
	br := bufio.NewReaderSize(r, readBufferSize)
	c := &closer{closeFile: closeFile}
	var in io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &Error{Pos: Position{File: name}, Err: fmt.Errorf("gzip: %w", err)}
		}
		c.gz = zr
		in = bufio.NewReaderSize(zr, readBufferSize)
	}
	if format == FormatCSV {
		return newCSVReader(in, name, c)
	}
	return newJSONLReader(in.(*bufio.Reader), name, c)
}

// closer closes what a reader opened: a gzip decompressor and a file.
type closer struct {
	gz        *gzip.Reader
	closeFile func() error
	closed    bool
}

func (c *closer) Close() error {
	if c == nil || c.closed {
		return nil
	}
	c.closed = true
	// gzip.Reader.Close only repeats a decompression error, which Next has
	// already reported; it holds nothing to release.
	if c.closeFile != nil {
		return c.closeFile()
	}
	return nil
}

// readError reports a failure to read (not to parse) the input, such as a
// corrupt gzip stream, at the given line.
func readError(name string, line int64, err error) error {
	return &Error{Pos: Position{File: name, Line: line}, Err: fmt.Errorf("read error: %w", err)}
}
