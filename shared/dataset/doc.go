// Package dataset streams tabular records out of CSV (with a header row),
// JSON Lines and Parquet files for the profile builder and the
// `modelwatch compare` command.
//
// Open (or NewReader) returns a Reader whose Next fills a Row of Values
// aligned with Columns(). Readers stream: memory use does not grow with the
// size of the file (except a bounded JSON Lines read-ahead, see below).
// Gzip-compressed CSV and JSON Lines input is decompressed transparently.
//
// Cells are typed loosely. CSV cells are Text or Missing; the reader never
// parses numbers, because the caller decides per column (ParseNumber is the
// helper for that). JSON Lines values are Number, Text, Bool or Missing as
// the JSON says. Parquet files contribute their top-level, non-repeated
// leaf columns (structs, lists and maps are left out): integers, floats,
// FLOAT16 and decimals are Number, strings and other byte arrays Text,
// booleans Bool, dates, times and timestamps Text in ISO 8601 form, nulls
// Missing; a NaN or infinite float is an error naming the column and row.
// Text values are ordinary immutable Go strings and stay valid after the
// next call to Next; see Value for the memory they retain.
//
// The Parquet reader is also a ColumnReader: each column can be read on its
// own goroutine, in blocks of typed values (a Column: float64 numbers or
// strings, and a missing flag per value), without assembling records.
// Numeric pages are read through their typed data, dictionary pages by
// converting each entry once; the values and errors are those of Next.
//
// JSON Lines files accept two record shapes, detected per line: flat objects
// of scalars, and prediction records whose "features" object and "scores"
// object are flattened (see ScorePrefix). Their column list is the union of
// the keys of the first JSONLSampleRecords records, which are read ahead
// when the Reader is opened; a key that first appears later is appended to
// Columns() by the Next call that meets it, so callers must re-read
// Columns() after each Next (len(row.Values) always equals len(Columns()),
// and a row kept from before the column appeared is shorter: treat the
// cells it lacks as Missing).
//
// Every error about the content of a file carries its position as
// "FILE:LINE: column NAME: what is wrong" (see Error and Position); callers
// can build messages in the same format with Position.Errorf.
package dataset
