// Package jsonscan is the one JSON tokenizer of modelwatch: it reads JSON
// text (RFC 8259) one token at a time, for the record reader
// (shared/record), the JSON Lines reader (shared/dataset), the API Gateway
// event reader (shared/ingest), the profile decoder (shared/profile) and the
// performance records reader (shared/perf).
//
// A Scanner holds the text and a position in it. Its callers walk the
// grammar themselves: they look at the next byte (Peek), read a string, a
// number or a literal, step over a value they do not need (Skip), and ask
// for the ',' or closing bracket after a member (AfterMember). Strings
// without escapes are substrings of the text (no copy); numbers are returned
// as their text and converted by ParseFloat or read as integers by Int.
//
// Errors are *SyntaxError values: what is wrong and the byte offset where,
// which each caller turns into the position its users see (a line and
// column of a request body, a character of a JSON Lines line).
//
// How a string's invalid UTF-8 and unpaired UTF-16 surrogate escapes are
// read is the Scanner's Strings policy: rejected (Strict, for what is stored
// and read back by others), replaced by U+FFFD as encoding/json does
// (Replace), or, for invalid UTF-8, kept as it is (Keep).
//
// encoding/json/v2's jsontext package would do this job, but Go 1.26 ships
// it only behind GOEXPERIMENT=jsonv2.
package jsonscan
