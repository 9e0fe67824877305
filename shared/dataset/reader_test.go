package dataset

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestOpenFormats(t *testing.T) {
	csvData := "a,b\n1,x\n2,NA\n"
	jsonlData := `{"a":1,"b":"x"}` + "\n" + `{"a":2,"b":null}` + "\n"
	csvRows := [][]Value{{T("1"), T("x")}, {T("2"), M}}
	jsonlRows := [][]Value{{N(1), T("x")}, {N(2), M}}
	tests := []struct {
		name   string
		file   string
		data   []byte
		format Format
		rows   [][]Value
		err    string
	}{
		{"csv", "d.csv", []byte(csvData), "", csvRows, ""},
		{"csv gz", "d.csv.gz", gzipBytes(t, csvData), "", csvRows, ""},
		{"csv gz without the suffix", "d.csv", gzipBytes(t, csvData), "", csvRows, ""},
		{"gz suffix but plain", "d.csv.gz", []byte(csvData), "", csvRows, ""},
		{"jsonl", "d.jsonl", []byte(jsonlData), "", jsonlRows, ""},
		{"ndjson gz", "d.ndjson.gz", gzipBytes(t, jsonlData), "", jsonlRows, ""},
		{"explicit format beats the name", "d.txt", []byte(jsonlData), FormatJSONL, jsonlRows, ""},
		{"unknown extension", "d.txt", []byte(csvData), "", nil, "d.txt: cannot tell the file format"},
		{"unknown format", "d.csv", []byte(csvData), "xml", nil, `unknown format "xml"`},
		{"gzip empty csv", "d.csv.gz", gzipBytes(t, ""), "", nil, "empty file"},
		{"truncated gzip", "d.csv.gz", gzipBytes(t, csvData)[:20], "", nil, "d.csv.gz: read error: unexpected EOF"},
		{"corrupt gzip", "d.jsonl.gz", corrupt(gzipBytes(t, jsonlData)), "", nil, "d.jsonl.gz:3: read error: gzip: invalid checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.file, tt.data)
			r, err := Open(path, tt.format)
			if err == nil {
				res := readAll(t, r)
				if tt.err == "" && !reflect.DeepEqual(res.rows, tt.rows) {
					t.Errorf("rows = %v, want %v", res.rows, tt.rows)
				}
				err = res.err
			}
			if tt.err == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error = %v, want one containing %q", err, tt.err)
			}
		})
	}
}

func TestOpenMissingFile(t *testing.T) {
	_, err := Open("testdata/no-such-file.csv", "")
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error = %v, want os.ErrNotExist", err)
	}
}

func TestNewReaderGzip(t *testing.T) {
	r, err := NewReader(bytes.NewReader(gzipBytes(t, "a\n1\n")), "stdin", FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r)
	if res.err != nil || !reflect.DeepEqual(res.rows, [][]Value{{T("1")}}) {
		t.Fatalf("rows = %v, err = %v", res.rows, res.err)
	}
}

func TestCloseTwiceAndNextAfterClose(t *testing.T) {
	for _, f := range []string{"d.csv", "d.jsonl", fixture} {
		var r Reader
		var err error
		if f == fixture {
			r, err = Open(f, "")
		} else {
			r, err = Open(writeFile(t, f, []byte("a\n1\n")), "")
			if f == "d.jsonl" {
				r.Close()
				r, err = Open(writeFile(t, f, []byte(`{"a":1}`)), "")
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Errorf("%s: Close: %v", f, err)
		}
		if err := r.Close(); err != nil {
			t.Errorf("%s: second Close: %v", f, err)
		}
		var row Row
		if err := r.Next(&row); err == nil {
			t.Errorf("%s: Next after Close succeeded", f)
		}
	}
}

// TestRowReuse checks that Next reuses the Values slice of a Row.
func TestRowReuse(t *testing.T) {
	r, err := NewReader(strings.NewReader("a,b\n1,2\n3,4\n"), "x.csv", FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var row Row
	if err := r.Next(&row); err != nil {
		t.Fatal(err)
	}
	first := &row.Values[0]
	if err := r.Next(&row); err != nil {
		t.Fatal(err)
	}
	if &row.Values[0] != first {
		t.Fatal("Next allocated a new Values slice")
	}
}

// corrupt flips a bit of the CRC-32 in a gzip stream's trailer.
func corrupt(gz []byte) []byte {
	gz = bytes.Clone(gz)
	gz[len(gz)-8] ^= 1
	return gz
}
