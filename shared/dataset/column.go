package dataset

import "slices"

// Column is a run of consecutive values of one column, as typed slices:
// Missing[k] says whether value k is missing; otherwise it is Num[k] in a
// Number column, Str[k] in a Text or Bool column ("true" or "false"). Every
// value that is not missing has the column's Kind. The slices not used by
// the kind are empty.
type Column struct {
	Kind    ValueKind
	Missing []bool
	Num     []float64
	Str     []string
}

// Len is the number of values.
func (c *Column) Len() int { return len(c.Missing) }

// Value returns value k as the row reader yields it.
func (c *Column) Value(k int) Value {
	switch {
	case c.Missing[k]:
		return Value{}
	case c.Kind == Number:
		return Value{Kind: Number, Num: c.Num[k]}
	}
	return Value{Kind: c.Kind, Str: c.Str[k]}
}

// reset empties c for values of the given kind, keeping its storage.
func (c *Column) reset(kind ValueKind) {
	c.Kind = kind
	c.Missing, c.Num, c.Str = c.Missing[:0], c.Num[:0], c.Str[:0]
}

// grow makes room for n more values of c's kind.
func (c *Column) grow(n int) {
	c.Missing = slices.Grow(c.Missing, n)
	if c.Kind == Number {
		c.Num = slices.Grow(c.Num, n)
	} else {
		c.Str = slices.Grow(c.Str, n)
	}
}

// ColumnReader is a Reader whose columns can also be read one by one, each
// at its own pace and on its own goroutine, without assembling records: the
// Parquet reader. The values are exactly those Next yields.
type ColumnReader interface {
	Reader
	// Records is the number of records in the file.
	Records() int64
	// ColumnCursor returns a cursor over column i (an index in Columns()),
	// from the first record. Cursors are independent of each other and of
	// Next; each may be used by a different goroutine.
	ColumnCursor(i int) (ColumnCursor, error)
}

// ColumnCursor reads the values of one column in record order.
type ColumnCursor interface {
	// Read replaces dst's values with the column's next n values (fewer at
	// the end of the file: none once it is reached). A value the row reader
	// rejects ends the read: dst holds the values before it and the error
	// is the one Next returns for its record, as are errors of a corrupt
	// file. Any error is final.
	Read(dst *Column, n int) error
	// Close releases the cursor's buffers.
	Close() error
}
