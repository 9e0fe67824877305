package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

// csvScanner splits CSV text into records exactly as encoding/csv does with
// its defaults (comma separator, RFC 4180 quotes, no lazy quotes, no
// comments, empty lines skipped, \r\n read as \n): the same fields, the same
// line numbers and the same *csv.ParseError values. A line without a quote,
// the common case, is split in one pass, with no copy but the record's
// string; a line with quotes takes encoding/csv's own algorithm.
//
// The fields of a record are substrings of one string allocated for the
// record (as with encoding/csv), so they stay valid after the next Read;
// the slice holding them is reused.
type csvScanner struct {
	r       *bufio.Reader
	numLine int // lines read so far
	recLine int // line where the last record starts

	rawBuffer    []byte // a line longer than r's buffer
	recordBuffer []byte // the unquoted fields of a quoted record
	fieldIndexes []int
	fieldLines   []int // line where each field of a quoted record starts
	quoted       bool  // the last record had quotes: fieldLines holds
	fields       []string
}

func newCSVScanner(r io.Reader) *csvScanner {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 4096 {
		br = bufio.NewReader(r)
	}
	return &csvScanner{r: br}
}

// readLine reads the next line, \n included (except at the end of the
// input), with a final \r\n turned into \n and a \r just before the end of
// the input dropped.
func (s *csvScanner) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.rawBuffer = append(s.rawBuffer[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.r.ReadSlice('\n')
			s.rawBuffer = append(s.rawBuffer, line...)
		}
		line = s.rawBuffer
	}
	readSize := len(line)
	if readSize > 0 && err == io.EOF {
		err = nil
		if line[readSize-1] == '\r' {
			line = line[:readSize-1]
		}
	}
	s.numLine++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// Read returns the next record's fields, io.EOF after the last record, a
// *csv.ParseError for malformed text, or the error of the underlying reader.
func (s *csvScanner) Read() ([]string, error) {
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = s.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			continue // an empty line
		}
		break
	}
	if errRead == io.EOF {
		return nil, errRead
	}
	s.recLine = s.numLine
	s.quoted = bytes.IndexByte(line, '"') >= 0
	if s.quoted {
		return s.readQuoted(line, errRead)
	}
	str := string(line[:len(line)-lengthNL(line)])
	fields := s.fields[:0]
	for {
		i := strings.IndexByte(str, ',')
		if i < 0 {
			break
		}
		fields = append(fields, str[:i])
		str = str[i+1:]
	}
	s.fields = append(fields, str)
	if errRead != nil {
		return nil, errRead
	}
	return s.fields, nil
}

// readQuoted parses a record whose first line holds a quote: encoding/csv's
// readRecord, for the default settings.
func (s *csvScanner) readQuoted(line []byte, errRead error) ([]string, error) {
	const quoteLen = len(`"`)
	const commaLen = len(",")
	var err error
	recLine := s.numLine
	s.recordBuffer = s.recordBuffer[:0]
	s.fieldIndexes = s.fieldIndexes[:0]
	s.fieldLines = s.fieldLines[:0]
	posLine, posCol := s.numLine, 1
parseField:
	for {
		if len(line) == 0 || line[0] != '"' {
			// A field without quotes.
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				err = &csv.ParseError{StartLine: recLine, Line: s.numLine, Column: posCol + j, Err: csv.ErrBareQuote}
				break parseField
			}
			s.recordBuffer = append(s.recordBuffer, field...)
			s.fieldIndexes = append(s.fieldIndexes, len(s.recordBuffer))
			s.fieldLines = append(s.fieldLines, posLine)
			if i >= 0 {
				line = line[i+commaLen:]
				posCol += i + commaLen
				continue parseField
			}
			break parseField
		}
		// A quoted field.
		fieldLine := posLine
		line = line[quoteLen:]
		posCol += quoteLen
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				s.recordBuffer = append(s.recordBuffer, line[:i]...)
				line = line[i+quoteLen:]
				posCol += i + quoteLen
				switch {
				case len(line) > 0 && line[0] == '"':
					// "" stands for a quote.
					s.recordBuffer = append(s.recordBuffer, '"')
					line = line[quoteLen:]
					posCol += quoteLen
				case len(line) > 0 && line[0] == ',':
					line = line[commaLen:]
					posCol += commaLen
					s.fieldIndexes = append(s.fieldIndexes, len(s.recordBuffer))
					s.fieldLines = append(s.fieldLines, fieldLine)
					continue parseField
				case lengthNL(line) == len(line):
					s.fieldIndexes = append(s.fieldIndexes, len(s.recordBuffer))
					s.fieldLines = append(s.fieldLines, fieldLine)
					break parseField
				default:
					err = &csv.ParseError{StartLine: recLine, Line: s.numLine, Column: posCol - quoteLen, Err: csv.ErrQuote}
					break parseField
				}
			case len(line) > 0:
				// The field goes on on the next line.
				s.recordBuffer = append(s.recordBuffer, line...)
				if errRead != nil {
					break parseField
				}
				posCol += len(line)
				line, errRead = s.readLine()
				if len(line) > 0 {
					posLine++
					posCol = 1
				}
				if errRead == io.EOF {
					errRead = nil
				}
			default:
				// The input ends inside the quotes.
				if errRead == nil {
					err = &csv.ParseError{StartLine: recLine, Line: posLine, Column: posCol, Err: csv.ErrQuote}
					break parseField
				}
				s.fieldIndexes = append(s.fieldIndexes, len(s.recordBuffer))
				s.fieldLines = append(s.fieldLines, fieldLine)
				break parseField
			}
		}
	}
	if err == nil {
		err = errRead
	}
	if err != nil {
		return nil, err
	}
	str := string(s.recordBuffer)
	fields := s.fields[:0]
	pre := 0
	for _, idx := range s.fieldIndexes {
		fields = append(fields, str[pre:idx])
		pre = idx
	}
	s.fields = fields
	return fields, nil
}

// Line returns the line where the last record read starts.
func (s *csvScanner) Line() int { return s.recLine }

// FieldLine returns the line where field i of the last record starts.
func (s *csvScanner) FieldLine(i int) int {
	if s.quoted && i < len(s.fieldLines) {
		return s.fieldLines[i]
	}
	return s.recLine
}
