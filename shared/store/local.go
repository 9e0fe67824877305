package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// localTempPrefix starts the names of Local's in-flight temporary files.
// Keys with a segment starting with it are rejected and List skips them.
const localTempPrefix = ".mwtmp-"

// Local is a Store over a directory: key "a/b/c.json" is the file
// root/a/b/c.json. Writes go to a temporary file in the target directory
// that is renamed (Put) or hard-linked (PutIfAbsent) into place, so readers
// never see partial objects; parent directories are created as needed.
// Content-Type and Content-Encoding options are accepted and ignored.
//
// Keys must be clean relative paths: no leading "/", no "." or ".."
// segments, no empty segments, no backslashes; anything else fails with
// ErrInvalidKey. Empty directories left behind by Delete are not removed.
type Local struct {
	root string
}

// NewLocal returns a Store rooted at the directory root, which is made
// absolute. The directory need not exist yet (Put creates it), but if it
// exists it must be a directory.
func NewLocal(root string) (*Local, error) {
	if root == "" {
		return nil, errors.New("store: local root is empty")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("store: local root %q: %w", root, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("store: local root %s is not a directory", abs)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: local root: %w", err)
	}
	return &Local{root: abs}, nil
}

// Root returns the absolute directory the store is rooted at.
func (l *Local) Root() string { return l.root }

// Path returns the file path for key, or an error wrapping ErrInvalidKey.
func (l *Local) Path(key string) (string, error) {
	if err := checkPathKey(key); err != nil {
		return "", err
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

func (l *Local) resolve(ctx context.Context, op, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%s %s: %w", op, l.display(key), err)
	}
	p, err := l.Path(key)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", op, l.display(key), err)
	}
	return p, nil
}

func (l *Local) display(key string) string {
	return l.root + string(filepath.Separator) + key
}

// Get implements Store. A key that names a directory is reported as not
// found, as S3 would.
func (l *Local) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := l.resolve(ctx, "get", key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		if isNotExist(p, err) {
			return nil, fmt.Errorf("get %s: %w", p, ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", p, err)
	}
	return data, nil
}

// isNotExist reports whether err from accessing p means "no such object":
// the file is missing, a parent is a regular file, or p is a directory.
func isNotExist(p string, err error) bool {
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if errors.Is(err, syscall.ENOTDIR) { // a parent component is a file
		return true
	}
	fi, statErr := os.Stat(p)
	if statErr == nil {
		return fi.IsDir()
	}
	return errors.Is(statErr, fs.ErrNotExist) || errors.Is(statErr, syscall.ENOTDIR)
}

// Put implements Store.
func (l *Local) Put(ctx context.Context, key string, data []byte, _ ...PutOption) error {
	p, err := l.resolve(ctx, "put", key)
	if err != nil {
		return err
	}
	tmp, err := l.writeTemp(p, data)
	if err != nil {
		return fmt.Errorf("put %s: %w", p, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("put %s: %w", p, err)
	}
	return nil
}

// PutIfAbsent implements Store. The object is written to a temporary file
// and then hard-linked to its final name, which fails atomically if the
// name exists; on file systems without hard links it falls back to
// creating the final file with O_EXCL (still exclusive, but a concurrent
// Get may briefly see a partial file).
func (l *Local) PutIfAbsent(ctx context.Context, key string, data []byte, _ ...PutOption) error {
	p, err := l.resolve(ctx, "put-if-absent", key)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(p); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("put-if-absent %s: is a directory (other keys live below it)", p)
		}
		return fmt.Errorf("put-if-absent %s: %w", p, ErrExists)
	}
	tmp, err := l.writeTemp(p, data)
	if err != nil {
		return fmt.Errorf("put-if-absent %s: %w", p, err)
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, p)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("put-if-absent %s: %w", p, ErrExists)
	}
	// Hard links unsupported (or refused): exclusive create instead.
	if err := writeExclusive(p, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("put-if-absent %s: %w", p, ErrExists)
		}
		return fmt.Errorf("put-if-absent %s: %w", p, err)
	}
	return nil
}

func writeExclusive(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(p)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(p)
		return err
	}
	return nil
}

// writeTemp writes data to a new temporary file next to p (creating the
// parent directories) and returns its name. The file is synced and has
// mode 0644.
func (l *Local) writeTemp(p string, data []byte) (name string, err error) {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, localTempPrefix+filepath.Base(p)+"-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	if err := f.Chmod(0o644); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.resolve(ctx, "delete", key)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if isNotExist(p, err) {
			return nil
		}
		return fmt.Errorf("delete %s: %w", p, err)
	}
	if fi.IsDir() { // a "directory" is not an object
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", p, err)
	}
	return nil
}

// List implements Store. prefix is a plain string prefix; only its
// directory part (up to the last "/") must be a valid key path. Only
// regular files are listed; symlinks and temporary files are skipped.
func (l *Local) List(ctx context.Context, prefix string) ([]Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", l.display(prefix), err)
	}
	dirKey := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dirKey = prefix[:i]
		if err := checkPathKey(dirKey); err != nil {
			return nil, fmt.Errorf("list %s: %w", l.display(prefix), err)
		}
	}
	start := filepath.Join(l.root, filepath.FromSlash(dirKey))
	out := make([]Object, 0)
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && isNotExist(p, err) {
				return fs.SkipAll
			}
			if errors.Is(err, fs.ErrNotExist) { // removed while walking
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), localTempPrefix) {
			return nil
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			// Prune directories that cannot contain matching keys.
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		out = append(out, Object{Key: key, Size: fi.Size(), LastModified: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", l.display(prefix), err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
