package perf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/gzip"
)

// MaxLineBytes bounds one JSON line; a longer line is an error, not a
// reason to allocate without limit.
const MaxLineBytes = 4 << 20

// Prediction is what performance needs of one prediction record.
type Prediction struct {
	RequestID string
	Timestamp time.Time
	// Output is the prediction: a class label, or a number for regressors.
	Output Value
	// Scores are the class probabilities, when the record has them.
	Scores map[string]float64
	// Failed marks a record whose model call failed (error set); it has no
	// usable prediction.
	Failed bool
}

// Label is the true outcome of a request.
type Label struct {
	RequestID string
	Timestamp time.Time
	Value     Value
}

// Decompress returns data gunzipped when it starts with the gzip magic
// number, and as it is otherwise.
func Decompress(data []byte, name string) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	return out, nil
}

// ReadPredictions decodes a predictions object (gzip or plain JSON Lines of
// prediction records; blank lines are skipped). name (the object key) and
// the line number locate every error.
func ReadPredictions(data []byte, name string) ([]Prediction, error) {
	return readAll(data, name, decodePrediction)
}

// ReadLabels decodes a labels object (gzip or plain JSON Lines of label
// records; blank lines are skipped).
func ReadLabels(data []byte, name string) ([]Label, error) {
	return readAll(data, name, decodeLabel)
}

// readAll decodes every non-blank line of an object with decode.
func readAll[T any](data []byte, name string, decode func([]byte) (T, error)) ([]T, error) {
	var out []T
	err := eachLine(data, name, func(line []byte) error {
		v, err := decode(line)
		if err == nil {
			out = append(out, v)
		}
		return err
	})
	return out, err
}

func eachLine(data []byte, name string, fn func([]byte) error) error {
	plain, err := Decompress(data, name)
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(bytes.NewReader(plain), 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(r)
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
}

// readLine returns the next line without its end, refusing lines longer
// than MaxLineBytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", MaxLineBytes)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}
