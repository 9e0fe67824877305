package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// CountResult summarises the batch profiles that count wrote.
type CountResult struct {
	Parts    int      `json:"parts"`
	Rows     int64    `json:"rows"`
	Bytes    int64    `json:"bytes"`
	Seconds  float64  `json:"seconds"`
	Warnings []string `json:"warnings,omitempty"`
}

// countParts counts the records of the file at path over the bins of ref,
// one batch profile per partRows records, and writes them to dir.
func countParts(ctx context.Context, ref *profile.Profile, path string, partRows int64, dir string) (*CountResult, error) {
	if partRows < 1 {
		return nil, fmt.Errorf("count: --part-rows %d: need at least 1", partRows)
	}
	start := time.Now()
	r, err := dataset.Open(path, "")
	if err != nil {
		return nil, fmt.Errorf("count: open %s: %w", path, err)
	}
	defer r.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("count: %w", err)
	}
	res := &CountResult{}
	for {
		part := &partReader{Reader: r, limit: partRows}
		more, err := part.peek()
		if err != nil {
			return nil, fmt.Errorf("count %s: %w", path, err)
		}
		if !more {
			break
		}
		name := fmt.Sprintf("%s (records %d-%d)", path, res.Rows+1, res.Rows+partRows)
		p, warnings, err := profile.Count(ctx, part, name, ref, profile.Columns{})
		if err != nil {
			return nil, err
		}
		data, err := p.Encode()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, partName(res.Parts)), data, 0o644); err != nil {
			return nil, fmt.Errorf("count: write batch profile: %w", err)
		}
		res.Parts++
		res.Rows += p.Rows
		res.Bytes += int64(len(data))
		res.Warnings = append(res.Warnings, warnings...)
	}
	if res.Parts == 0 {
		return nil, fmt.Errorf("count: %s has no data rows", path)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// partReader yields at most limit records of the underlying reader, so that
// one file can be profiled as consecutive batches.
type partReader struct {
	dataset.Reader
	limit   int64
	read    int64
	pending *dataset.Row
}

// peek reads the first record of the part ahead, reporting whether there is one.
func (p *partReader) peek() (bool, error) {
	var row dataset.Row
	if err := p.Reader.Next(&row); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	p.pending = &row
	return true, nil
}

func (p *partReader) Next(row *dataset.Row) error {
	if p.read >= p.limit {
		return io.EOF
	}
	if p.pending != nil {
		row.Values = append(row.Values[:0], p.pending.Values...)
		row.Line = p.pending.Line
		p.pending = nil
		p.read++
		return nil
	}
	if err := p.Reader.Next(row); err != nil {
		return err
	}
	p.read++
	return nil
}

// Close leaves the underlying reader open for the next part.
func (p *partReader) Close() error { return nil }
