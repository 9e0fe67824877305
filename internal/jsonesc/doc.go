// Package jsonesc decodes the \uXXXX escapes of JSON strings, with UTF-16
// surrogate pairs, for the hand-written JSON scanners of the dataset reader,
// the record decoder and the API Gateway event decoder.
package jsonesc
