package store

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Memory is an in-memory Store for unit tests. The zero value is not
// usable; call NewMemory. It is safe for concurrent use and copies data in
// and out, so callers may reuse their slices.
type Memory struct {
	mu      sync.RWMutex
	objects map[string]memObject
	now     func() time.Time
}

type memObject struct {
	data         []byte
	opts         putOptions
	lastModified time.Time
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{objects: make(map[string]memObject), now: time.Now}
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, error) {
	if err := m.check(ctx, key); err != nil {
		return nil, fmt.Errorf("get mem://%s: %w", key, err)
	}
	m.mu.RLock()
	obj, ok := m.objects[key]
	m.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("get mem://%s: %w", key, ErrNotFound)
	}
	return bytes.Clone(nonNil(obj.data)), nil
}

// Put implements Store.
func (m *Memory) Put(ctx context.Context, key string, data []byte, opts ...PutOption) error {
	if err := m.check(ctx, key); err != nil {
		return fmt.Errorf("put mem://%s: %w", key, err)
	}
	obj := m.newObject(data, opts)
	m.mu.Lock()
	m.objects[key] = obj
	m.mu.Unlock()
	return nil
}

// PutIfAbsent implements Store.
func (m *Memory) PutIfAbsent(ctx context.Context, key string, data []byte, opts ...PutOption) error {
	if err := m.check(ctx, key); err != nil {
		return fmt.Errorf("put-if-absent mem://%s: %w", key, err)
	}
	obj := m.newObject(data, opts)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[key]; ok {
		return fmt.Errorf("put-if-absent mem://%s: %w", key, ErrExists)
	}
	m.objects[key] = obj
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := m.check(ctx, key); err != nil {
		return fmt.Errorf("delete mem://%s: %w", key, err)
	}
	m.mu.Lock()
	delete(m.objects, key)
	m.mu.Unlock()
	return nil
}

// List implements Store.
func (m *Memory) List(ctx context.Context, prefix string) ([]Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list mem://%s: %w", prefix, err)
	}
	m.mu.RLock()
	out := make([]Object, 0)
	for k, obj := range m.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, Object{Key: k, Size: int64(len(obj.data)), LastModified: obj.lastModified})
		}
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Metadata reports the Content-Type and Content-Encoding recorded for key
// by the last successful Put or PutIfAbsent; ok is false when the key is
// absent. It is a test helper and not part of Store.
func (m *Memory) Metadata(key string) (contentType, contentEncoding string, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	obj, ok := m.objects[key]
	return obj.opts.contentType, obj.opts.contentEncoding, ok
}

// Keys returns all keys in sorted order. It is a test helper.
func (m *Memory) Keys() []string {
	m.mu.RLock()
	keys := make([]string, 0, len(m.objects))
	for k := range m.objects {
		keys = append(keys, k)
	}
	m.mu.RUnlock()
	sort.Strings(keys)
	return keys
}

func (m *Memory) check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return checkKey(key)
}

func (m *Memory) newObject(data []byte, opts []PutOption) memObject {
	return memObject{data: bytes.Clone(data), opts: applyPutOptions(opts), lastModified: m.now()}
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
