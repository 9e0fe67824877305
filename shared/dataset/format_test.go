package dataset

import (
	"strings"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		path string
		want Format
		err  string
	}{
		{"data.csv", FormatCSV, ""},
		{"/a/b/DATA.CSV", FormatCSV, ""},
		{"data.csv.gz", FormatCSV, ""},
		{"data.CSV.GZ", FormatCSV, ""},
		{"log.jsonl", FormatJSONL, ""},
		{"log.ndjson", FormatJSONL, ""},
		{"log.json", FormatJSONL, ""},
		{"log.jsonl.gz", FormatJSONL, ""},
		{"dir.v2/t.parquet", FormatParquet, ""},
		{"t.parquet.gz", "", "t.parquet.gz: gzip-compressed Parquet is not supported"},
		{"data.tsv", "", "data.tsv: cannot tell the file format"},
		{"data", "", "cannot tell the file format"},
		{"data.gz", "", "cannot tell the file format"},
		{"csv", "", "cannot tell the file format"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := DetectFormat(tt.path)
			if got != tt.want {
				t.Errorf("DetectFormat(%q) = %q, want %q", tt.path, got, tt.want)
			}
			if (err != nil) != (tt.err != "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("DetectFormat(%q) error = %v, want %q", tt.path, err, tt.err)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		ok   bool
	}{
		{"csv", FormatCSV, true},
		{" CSV ", FormatCSV, true},
		{"jsonl", FormatJSONL, true},
		{"ndjson", FormatJSONL, true},
		{"json", FormatJSONL, true},
		{"Parquet", FormatParquet, true},
		{"tsv", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
