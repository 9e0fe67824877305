package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Store is what the domain needs from a bucket. Keys use "/" separators.
//
// All implementations are safe for concurrent use.
type Store interface {
	// Get returns the object's bytes. It returns an error wrapping
	// ErrNotFound when the key does not exist.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put writes the object, replacing any existing one.
	Put(ctx context.Context, key string, data []byte, opts ...PutOption) error
	// PutIfAbsent writes the object only if the key does not exist yet. It
	// returns an error wrapping ErrExists when it does. Of several
	// concurrent callers on one key exactly one succeeds.
	PutIfAbsent(ctx context.Context, key string, data []byte, opts ...PutOption) error
	// Delete removes the object. Deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns every object whose key starts with prefix (a plain
	// string prefix, as in S3), sorted by key. An empty prefix lists all.
	List(ctx context.Context, prefix string) ([]Object, error)
}

// Object describes one stored object as returned by List.
type Object struct {
	Key          string
	Size         int64
	LastModified time.Time
}

var (
	// ErrNotFound is wrapped by Get when the key does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists is wrapped by PutIfAbsent when the key already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalidKey is wrapped when a key is empty or, for Local, is not a
	// clean relative path (".." segments, absolute paths, empty segments).
	ErrInvalidKey = errors.New("invalid key")
)

// Compile-time interface checks.
var (
	_ Store = (*S3)(nil)
	_ Store = (*Local)(nil)
	_ Store = (*Memory)(nil)
)

// PutOption sets optional object metadata for Put and PutIfAbsent.
type PutOption func(*putOptions)

type putOptions struct {
	contentType     string
	contentEncoding string
}

// WithContentType sets the object's Content-Type (S3 and Memory; Local
// ignores it).
func WithContentType(ct string) PutOption {
	return func(o *putOptions) { o.contentType = ct }
}

// WithContentEncoding sets the object's Content-Encoding, e.g. "gzip" (S3
// and Memory; Local ignores it). The stored bytes are not transformed: pass
// data that is already encoded, and expect Get to return it still encoded.
func WithContentEncoding(ce string) PutOption {
	return func(o *putOptions) { o.contentEncoding = ce }
}

func applyPutOptions(opts []PutOption) putOptions {
	var o putOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// checkKey is the validation shared by every implementation: a key must be
// non-empty. S3 and Memory accept any other string, as S3 does.
func checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	}
	return nil
}

// checkPathKey is the stricter validation used by Local: the key must be a
// clean, relative, slash-separated path, so that it cannot escape the root
// directory and maps to exactly one file.
func checkPathKey(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if strings.HasPrefix(key, "/") {
		return fmt.Errorf("%w: %q is absolute", ErrInvalidKey, key)
	}
	if strings.ContainsAny(key, "\\\x00") {
		return fmt.Errorf("%w: %q contains a backslash or NUL", ErrInvalidKey, key)
	}
	for _, seg := range strings.Split(key, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("%w: %q has an empty path segment", ErrInvalidKey, key)
		case seg == "." || seg == "..":
			return fmt.Errorf("%w: %q contains a %q segment", ErrInvalidKey, key, seg)
		case strings.HasPrefix(seg, localTempPrefix):
			return fmt.Errorf("%w: %q uses the reserved prefix %q", ErrInvalidKey, key, localTempPrefix)
		}
	}
	if !filepath.IsLocal(filepath.FromSlash(key)) { // e.g. "C:x" or "NUL" on Windows
		return fmt.Errorf("%w: %q is not a local path", ErrInvalidKey, key)
	}
	return nil
}
