package profile

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

// The decoder reads each struct of the profile schema (Profile, Feature,
// Moments, …, multivariate.Model) by its fields' JSON names, found once by
// reflection: a field added to the schema is read without a change here.

// A valueReader reads one JSON value into the Go value at p.
type valueReader func(d *decoder, p unsafe.Pointer) error

// structReader reads an object into a struct.
type structReader struct {
	names  []string
	offset []uintptr
	read   []valueReader
}

// profileReader reads a Profile; its schema_version member also sets the
// decoder's schemaVersion, as a *int would read it.
var profileReader = func() *structReader {
	s := compileStruct(reflect.TypeFor[Profile](), map[reflect.Type]valueReader{})
	i := slices.Index(s.names, "schema_version")
	s.read[i] = func(d *decoder, p unsafe.Pointer) error {
		if err := d.versionMember(); err != nil {
			return err
		}
		if d.schemaVersion != nil {
			*(*int)(p) = *d.schemaVersion
		}
		return nil
	}
	return s
}()

// compile returns the reader of values of type t; done holds the readers
// compiled so far.
func compile(t reflect.Type, done map[reflect.Type]valueReader) valueReader {
	if r, ok := done[t]; ok {
		return r
	}
	var r valueReader
	switch t {
	case reflect.TypeFor[Counts]():
		r = func(d *decoder, p unsafe.Pointer) error { return d.counts((*Counts)(p)) }
	case reflect.TypeFor[HashSet]():
		r = func(d *decoder, p unsafe.Pointer) error { return d.hashSet((*HashSet)(p)) }
	case reflect.TypeFor[time.Time]():
		r = func(d *decoder, p unsafe.Pointer) error { return d.timeValue((*time.Time)(p)) }
	case reflect.TypeFor[Kind]():
		r = func(d *decoder, p unsafe.Pointer) error { return d.kind((*Kind)(p)) }
	}
	if r == nil {
		switch t.Kind() {
		case reflect.String: // and the string types: the same memory
			r = func(d *decoder, p unsafe.Pointer) error { return text(d, (*string)(p)) }
		case reflect.Int:
			r = func(d *decoder, p unsafe.Pointer) error { return d.int((*int)(p)) }
		case reflect.Int64:
			r = func(d *decoder, p unsafe.Pointer) error { return d.int64((*int64)(p)) }
		case reflect.Float64:
			r = func(d *decoder, p unsafe.Pointer) error { return d.float((*float64)(p)) }
		case reflect.Pointer:
			r = pointerReader(t, compile(t.Elem(), done))
		case reflect.Slice:
			r = sliceReader(t, compile(t.Elem(), done))
		case reflect.Struct:
			r = compileStruct(t, done).decode
		default:
			panic("profile: no JSON reader for " + t.String())
		}
	}
	done[t] = r
	return r
}

// compileStruct returns the reader of struct type t: its exported fields
// by their JSON names (the Go name when the tag has none).
func compileStruct(t reflect.Type, done map[reflect.Type]valueReader) *structReader {
	s := &structReader{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		s.names = append(s.names, cmp.Or(name, f.Name))
		s.offset = append(s.offset, f.Offset)
		s.read = append(s.read, compile(f.Type, done))
	}
	return s
}

// decode reads an object into the struct at p (null does nothing): each
// member into the field its name matches (exactly, or else without regard
// to case), skipping the others.
func (s *structReader) decode(d *decoder, p unsafe.Pointer) error {
	switch d.Peek() {
	case 'n':
		return d.Literal("null")
	case '{':
	default:
		return d.want("an object")
	}
	return d.Members(func(key string) error {
		i := jsonscan.MatchName(key, s.names)
		if i < 0 {
			return d.Skip(1)
		}
		return in(s.names[i], s.read[i](d, unsafe.Add(p, s.offset[i])))
	})
}

// pointerReader reads into the value a pointer of type t points to,
// allocating it when the pointer is nil; null sets the pointer to nil.
func pointerReader(t reflect.Type, elem valueReader) valueReader {
	return func(d *decoder, p unsafe.Pointer) error {
		ptr := (*unsafe.Pointer)(p)
		if d.Peek() == 'n' {
			*ptr = nil
			return d.Literal("null")
		}
		if *ptr == nil {
			*ptr = reflect.New(t.Elem()).UnsafePointer()
		}
		return elem(d, *ptr)
	}
}

// sliceHeader is the memory of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// sliceReader reads an array into a slice of type t as encoding/json
// does: element i is decoded into what the slice's array holds at i
// (within its capacity), null makes the slice nil and an empty array makes
// it empty.
func sliceReader(t reflect.Type, elem valueReader) valueReader {
	size := t.Elem().Size()
	return func(d *decoder, p unsafe.Pointer) error {
		switch d.Peek() {
		case 'n':
			reflect.NewAt(t, p).Elem().SetZero()
			return d.Literal("null")
		case '[':
		default:
			return d.want("an array")
		}
		h := (*sliceHeader)(p)
		i := 0
		for more := !d.Open(); more; i++ {
			if i >= h.cap {
				reflect.NewAt(t, p).Elem().Grow(1)
			}
			if i >= h.len {
				h.len = i + 1
			}
			if err := elem(d, unsafe.Add(h.data, uintptr(i)*size)); err != nil {
				return in(fmt.Sprintf("element %d", i), err)
			}
			var err error
			if more, err = d.AfterMember(']'); err != nil {
				return err
			}
		}
		if i == 0 {
			reflect.NewAt(t, p).Elem().Set(reflect.MakeSlice(t, 0, 0))
		} else {
			h.len = i
		}
		return nil
	}
}

// int reads an integer into *v; null leaves it.
func (d *decoder) int(v *int) error {
	n := int64(*v)
	err := d.int64(&n)
	*v = int(n)
	return err
}

// int64 reads an integer into *v; null leaves it.
func (d *decoder) int64(v *int64) error {
	return number(d, v, "an integer", d.Int)
}

// float reads a number into *v; null leaves it.
func (d *decoder) float(v *float64) error {
	return number(d, v, "a number", d.Float)
}

// number reads a number with read into *v; null leaves it; want names the
// value wanted in errors.
func number[T any](d *decoder, v *T, want string, read func() (T, error)) error {
	switch c := d.Peek(); {
	case c == 'n':
		return d.Literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		x, err := read()
		if err != nil {
			return err
		}
		*v = x
		return nil
	}
	return d.want(want)
}

// text reads a string (a copy: the text is the caller's bytes) into *v;
// null leaves it.
func text[T ~string](d *decoder, v *T) error {
	switch d.Peek() {
	case 'n':
		return d.Literal("null")
	case '"':
		s, err := d.String()
		if err != nil {
			return err
		}
		*v = T(strings.Clone(s))
		return nil
	}
	return d.want("a string")
}

// kind reads a feature kind, without a copy for the three known ones.
func (d *decoder) kind(v *Kind) error {
	if d.Peek() == '"' {
		start := d.Pos
		s, err := d.String()
		if err != nil {
			return err
		}
		for _, k := range [...]Kind{Numeric, Categorical, Discrete} {
			if s == string(k) {
				*v = k
				return nil
			}
		}
		d.Pos = start
	}
	return text(d, v)
}

// timeValue reads a time as time.Time's UnmarshalJSON does.
func (d *decoder) timeValue(t *time.Time) error {
	start := d.Pos
	if err := d.Skip(1); err != nil {
		return err
	}
	raw := d.Text[start:d.Pos]
	return t.UnmarshalJSON(unsafe.Slice(unsafe.StringData(raw), len(raw)))
}
