package record

import (
	"errors"
	"fmt"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

// Kind is the kind of records a batch carries.
type Kind string

// The record kinds; they are also the last segment of the HTTP routes.
const (
	Predictions Kind = "predictions"
	Labels      Kind = "labels"
)

// ParseKind parses "predictions" or "labels".
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case Predictions, Labels:
		return k, nil
	}
	return "", fmt.Errorf("kind %q: want predictions or labels", s)
}

// BodyError says that a body is JSON but not a batch body: what is wrong
// and where. Field is the member concerned ("records", "batch_id", …) or ""
// for the body itself.
type BodyError struct {
	Field string
	Msg   string
}

func (e *BodyError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// ErrNoRecords is wrapped by the errors for a body without records or with
// an empty records array.
var ErrNoRecords = errors.New("no records")

// Body is a batch body being read: its own members, and the position of its
// records array, which a PredictionReader or LabelReader reads.
//
//	b, err := OpenBody(text)       // members up to "records"
//	r := NewPredictionReader(b, schema, rules)
//	for r.Next() { … }
//	err = r.Err()                  // then the members after the records
//
// A direct invocation may put "model" after "records"; call SkipRecords to
// read the remaining members first (at the cost of one more quick pass over
// the records).
type Body struct {
	// Model, Kind and BatchID are the body's "model", "kind" and "batch_id"
	// members, "" when absent. They are complete after OpenBody only if
	// Complete is true.
	Model, Kind, BatchID string
	// Complete says that every member of the body has been read.
	Complete bool

	sc       scanner
	records  int // offset of the records array, -1 when absent
	seen     uint8
	finished bool
}

const (
	seenModel uint8 = 1 << iota
	seenKind
	seenBatchID
	seenRecords
)

// OpenBody reads the members of a batch body up to its records array.
func OpenBody(text string) (*Body, error) {
	b := &Body{sc: newScanner(text), records: -1}
	p := &b.sc
	p.SkipSpace()
	if p.Peek() != '{' {
		if p.Pos >= len(p.Text) {
			return nil, &BodyError{Msg: "the body is empty; want a JSON object {\"records\": [...]}"}
		}
		c := p.Peek()
		if err := p.Skip(0); err != nil {
			return nil, p.syntax(err)
		}
		if err := b.end(); err != nil && !errors.Is(err, ErrNoRecords) {
			return nil, p.syntax(err)
		}
		return nil, &BodyError{Msg: fmt.Sprintf("the body is %s; want a JSON object {\"records\": [...]}", jsonscan.TypeName(c))}
	}
	p.Pos++
	p.SkipSpace()
	if p.Peek() == '}' {
		p.Pos++
		return b, p.syntax(b.end())
	}
	return b, p.syntax(b.members())
}

// members reads members until the records array or the end of the object.
func (b *Body) members() error {
	p := &b.sc
	for {
		k, err := p.Key()
		if err != nil {
			return err
		}
		switch k {
		case "records":
			if err := b.mark(seenRecords, k); err != nil {
				return err
			}
			switch c := p.Peek(); c {
			case '[':
				b.records = p.Pos
				return nil
			case 'n':
				return fmt.Errorf("%w: records is null, want an array of records", ErrNoRecords)
			default:
				if err := p.Skip(0); err != nil {
					return err
				}
				return &BodyError{Field: "records", Msg: fmt.Sprintf("got %s, want an array of records", jsonscan.TypeName(c))}
			}
		case "model", "kind", "batch_id":
			flag := seenBatchID
			switch k {
			case "model":
				flag = seenModel
			case "kind":
				flag = seenKind
			}
			if err := b.mark(flag, k); err != nil {
				return err
			}
			c := p.Peek()
			if c == 'n' {
				if err := p.Literal("null"); err != nil {
					return err
				}
				break
			}
			if c != '"' {
				if err := p.Skip(0); err != nil {
					return err
				}
				return &BodyError{Field: k, Msg: fmt.Sprintf("got %s, want a string", jsonscan.TypeName(c))}
			}
			v, err := p.String()
			if err != nil {
				return err
			}
			switch k {
			case "model":
				b.Model = v
			case "kind":
				b.Kind = v
			default:
				b.BatchID = v
			}
		default:
			if err := p.Skip(0); err != nil {
				return err
			}
			return &BodyError{Field: k, Msg: "unknown field; a batch body has records and batch_id (and model and kind when the function is invoked directly)"}
		}
		more, err := p.AfterMember('}')
		if err != nil {
			return err
		}
		if !more {
			return b.end()
		}
	}
}

func (b *Body) mark(flag uint8, k string) error {
	if b.seen&flag != 0 {
		return &BodyError{Field: k, Msg: "appears twice"}
	}
	b.seen |= flag
	return nil
}

// end checks that nothing follows the body's object.
func (b *Body) end() error {
	p := &b.sc
	p.SkipSpace()
	if p.Pos < len(p.Text) {
		return p.Errorf("unexpected %s after the body's object", p.Found())
	}
	b.Complete = true
	if b.records < 0 {
		return fmt.Errorf("%w: the body has no \"records\" array", ErrNoRecords)
	}
	return nil
}

// HasRecords reports whether the body has a records array.
func (b *Body) HasRecords() bool { return b.records >= 0 }

// SkipRecords reads the members after the records array (so that Model,
// Kind and BatchID are complete) without reading the records yet.
func (b *Body) SkipRecords() error {
	if b.Complete {
		return nil
	}
	p := &b.sc
	p.Pos = b.records
	if err := p.SkipUnchecked(); err != nil {
		return p.syntax(err)
	}
	return p.syntax(b.resume())
}

// resume continues reading members after the records array, where p stands.
func (b *Body) resume() error {
	p := &b.sc
	more, err := p.AfterMember('}')
	if err != nil {
		return err
	}
	if !more {
		return b.end()
	}
	return b.members()
}

// finish is called by a reader at the end of the records array, with p at
// the byte after it.
func (b *Body) finish(at int) error {
	b.finished = true
	if b.Complete {
		return nil
	}
	b.sc.Pos = at
	return b.resume()
}
