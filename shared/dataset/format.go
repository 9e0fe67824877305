package dataset

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format names a supported file format.
type Format string

// The supported formats.
const (
	FormatCSV     Format = "csv"
	FormatJSONL   Format = "jsonl"
	FormatParquet Format = "parquet"
)

// DetectFormat picks the format from the extension of path: .csv is CSV;
// .jsonl, .ndjson and .json are JSON Lines; .parquet is Parquet. A trailing
// .gz is looked through (report.csv.gz is CSV), since gzip-compressed CSV and
// JSON Lines are decompressed transparently; gzip-compressed Parquet is
// rejected (Parquet compresses its pages itself). Extensions are matched
// case-insensitively.
func DetectFormat(path string) (Format, error) {
	base := strings.ToLower(filepath.Base(path))
	gz := false
	if strings.HasSuffix(base, ".gz") {
		gz = true
		base = strings.TrimSuffix(base, ".gz")
	}
	var f Format
	switch filepath.Ext(base) {
	case ".csv":
		f = FormatCSV
	case ".jsonl", ".ndjson", ".json":
		f = FormatJSONL
	case ".parquet":
		if gz {
			return "", fmt.Errorf("%s: gzip-compressed Parquet is not supported (Parquet compresses its pages itself)", path)
		}
		f = FormatParquet
	default:
		return "", fmt.Errorf("%s: cannot tell the file format from the extension (want .csv, .jsonl, .ndjson, .json or .parquet, optionally followed by .gz)", path)
	}
	return f, nil
}

// ParseFormat parses a format name as given on a command line: "csv",
// "jsonl" (also "ndjson" and "json") or "parquet", in any case.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv":
		return FormatCSV, nil
	case "jsonl", "ndjson", "json":
		return FormatJSONL, nil
	case "parquet":
		return FormatParquet, nil
	}
	return "", fmt.Errorf("unknown format %q (want csv, jsonl or parquet)", s)
}

// valid reports whether f is one of the supported formats.
func (f Format) valid() bool {
	return f == FormatCSV || f == FormatJSONL || f == FormatParquet
}
