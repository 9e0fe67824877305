package profile

import (
	"errors"
	"fmt"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

// SparseCounts is a histogram as a profile stores it: its number of bins
// and its non-zero bins, in the order they were read (an index may repeat;
// its counts add up, as in Counts).
type SparseCounts struct {
	Size  int
	Index []int32
	Count []int64
}

// Total is the sum of the counts.
func (s SparseCounts) Total() int64 {
	var t int64
	for _, v := range s.Count {
		t += v
	}
	return t
}

// AddTo adds the counts into dst, which has s.Size bins.
func (s SparseCounts) AddTo(dst Counts) {
	for k, i := range s.Index {
		dst[i] += s.Count[k]
	}
}

// hashSet reads a HashSet as its UnmarshalJSON does.
func (d *decoder) hashSet(s *HashSet) error {
	var t string
	switch d.Peek() {
	case 'n':
		if err := d.Literal("null"); err != nil {
			return err
		}
	case '"':
		var err error
		if t, err = d.String(); err != nil {
			return err
		}
	default:
		return d.want("a base64 string")
	}
	out, err := parseHashSet(t)
	if err != nil {
		return err
	}
	*s = out
	return nil
}

var errCountsShape = errors.New("counts: want an array or {size,index,count}")

// counts reads a histogram as Counts' UnmarshalJSON does: a dense array of
// non-negative integers, or {size,index,count}; null clears it. Under
// DecodeSparse the bins go to the decoder's sparse histograms instead.
func (d *decoder) counts(c *Counts) error {
	switch d.Peek() {
	case 'n':
		if d.sparse {
			delete(d.hist, c)
		} else {
			*c = nil
		}
		return d.Literal("null")
	case '[':
		return d.denseCounts(c)
	case '{':
		return d.sparseCounts(c)
	}
	return fmt.Errorf("%w, found %s at byte %d", errCountsShape, jsonscan.TypeName(d.Peek()), d.Pos)
}

func (d *decoder) denseCounts(c *Counts) error {
	d.markCount = 0
	values, err := d.ints(d.scratchCount[:0], &d.markCount)
	d.scratchCount = values
	if err != nil {
		return fmt.Errorf("%w: %w", errCountsShape, err)
	}
	for i, v := range values {
		if v < 0 {
			return fmt.Errorf("count %d is negative (%d)", i, v)
		}
	}
	if !d.sparse {
		*c = append(Counts{}, values...)
		return nil
	}
	e := sparseEntry{size: len(values), start: len(d.index)}
	for i, v := range values {
		if v != 0 {
			d.index = append(d.index, int32(i))
			d.count = append(d.count, v)
		}
	}
	e.end = len(d.index)
	d.hist[c] = e
	return nil
}

var sparseFields = []string{"size", "index", "count"}

func (d *decoder) sparseCounts(c *Counts) error {
	size := 0
	index, count := d.scratchIndex[:0], d.scratchCount[:0]
	d.markIndex, d.markCount = 0, 0
	err := d.Members(func(key string) error {
		var err error
		switch jsonscan.MatchName(key, sparseFields) {
		case 0:
			err = d.int(&size)
		case 1:
			index, err = d.intsOrNull(index, &d.markIndex)
		case 2:
			count, err = d.intsOrNull(count, &d.markCount)
		default:
			err = d.Skip(1)
		}
		return err
	})
	d.scratchIndex, d.scratchCount = index[:0], count[:0]
	if err != nil {
		return fmt.Errorf("%w: %w", errCountsShape, err)
	}
	if size < 0 || size > maxBins {
		return fmt.Errorf("counts: size %d out of range [0, %d]", size, maxBins)
	}
	if len(index) != len(count) {
		return fmt.Errorf("counts: %d indexes but %d counts", len(index), len(count))
	}
	for k, i := range index {
		if i < 0 || i >= int64(size) {
			return fmt.Errorf("counts: index %d out of range [0, %d)", i, size)
		}
		if count[k] < 0 {
			return fmt.Errorf("counts: count at index %d is negative (%d)", i, count[k])
		}
	}
	if !d.sparse {
		out := make(Counts, size)
		for k, i := range index {
			out[i] += count[k]
		}
		*c = out
		return nil
	}
	e := sparseEntry{size: size, start: len(d.index)}
	for k, i := range index {
		if count[k] != 0 {
			d.index = append(d.index, int32(i))
			d.count = append(d.count, count[k])
		}
	}
	e.end = len(d.index)
	d.hist[c] = e
	return nil
}

// intsOrNull reads an array of integers, or null (no elements, as a nil
// slice), into scratch s; see ints.
func (d *decoder) intsOrNull(s []int64, mark *int) ([]int64, error) {
	if d.Peek() == 'n' {
		*mark = 0
		return s[:0], d.Literal("null")
	}
	return d.ints(s, mark)
}

// ints reads an array of integers into scratch s as encoding/json reads one
// into a slice that the same object's earlier array of that name left
// behind: a null element keeps what an earlier array put at its place, or
// 0. *mark counts the elements written since the object began; the scratch
// beyond it holds nothing of this object.
func (d *decoder) ints(s []int64, mark *int) ([]int64, error) {
	if d.Peek() != '[' {
		return s, d.want("an array")
	}
	out, i := s[:0], 0
	text := d.Text
	for more := !d.Open(); more; i++ {
		if i < cap(out) {
			out = out[:i+1]
		} else {
			out = append(out, 0)
		}
		if i >= *mark {
			out[i] = 0
			*mark = i + 1
		}
		// The common case, a count of up to 18 digits followed by a ','
		// and no space, or by the ']': read here, without a call per byte.
		pos, j, v := d.Pos, d.Pos, int64(0)
		for j < len(text) && j-pos < 18 && text[j]-'0' <= 9 {
			v = v*10 + int64(text[j]-'0')
			j++
		}
		if j > pos && j+1 < len(text) && (j == pos+1 || text[pos] != '0') {
			if c := text[j]; c == ',' && text[j+1] > ' ' && text[j+1]-'0' <= 9 {
				out[i], d.Pos = v, j+1
				continue
			} else if c == ']' {
				out[i], d.Pos = v, j+1
				i++
				break
			}
		}
		if c := d.Peek(); c == '-' || (c >= '0' && c <= '9') {
			v, err := d.Int()
			if err != nil {
				return out, err
			}
			out[i] = v
		} else if err := d.Literal("null"); err != nil {
			return out, d.want("an integer")
		}
		var err error
		if more, err = d.AfterMember(']'); err != nil {
			return out, err
		}
	}
	if i == 0 {
		*mark = 0
	}
	return out[:i], nil
}
