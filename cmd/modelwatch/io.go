package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/store"
)

// openInput opens a data file in the given format ("" = from the extension).
func openInput(path, format string) (dataset.Reader, error) {
	var f dataset.Format
	if format != "" {
		var err error
		if f, err = dataset.ParseFormat(format); err != nil {
			return nil, err
		}
	}
	r, err := dataset.Open(path, f)
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return nil, err // "open PATH: no such file or directory" names the file already
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return r, nil
}

// readObject reads a local file or an s3://bucket/key object.
func readObject(ctx context.Context, url string) ([]byte, error) {
	st, key, err := store.OpenURL(ctx, url)
	if err != nil {
		return nil, err
	}
	data, err := st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("read %s: %w", url, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", url, err)
	}
	return data, nil
}

// writeObject writes a local file or an s3://bucket/key object.
func writeObject(ctx context.Context, url string, data []byte, contentType string) error {
	st, key, err := store.OpenURL(ctx, url)
	if err != nil {
		return err
	}
	if err := st.Put(ctx, key, data, store.WithContentType(contentType)); err != nil {
		return fmt.Errorf("write %s: %w", url, err)
	}
	return nil
}

// loadReference reads and decodes a reference profile.
func loadReference(ctx context.Context, url string) (*profile.Profile, error) {
	data, err := readObject(ctx, url)
	if err != nil {
		return nil, err
	}
	p, err := profile.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if p.Type != profile.Reference {
		return nil, fmt.Errorf("%s: a %s profile, want a reference profile", url, p.Type)
	}
	return p, nil
}
