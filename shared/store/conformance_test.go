package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/store"
)

// impl builds a fresh, empty store of one implementation for a test.
type impl struct {
	name string
	new  func(t *testing.T) store.Store
}

func impls() []impl {
	return []impl{
		{"Memory", func(t *testing.T) store.Store { return store.NewMemory() }},
		{"Local", func(t *testing.T) store.Store {
			l, err := store.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return l
		}},
		{"S3", func(t *testing.T) store.Store {
			srv := motoserver.Shared(t)
			return store.NewS3(srv.S3Client(), srv.NewBucket(t))
		}},
	}
}

// TestConformance runs the same behavioural checks against every Store.
func TestConformance(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"NotFound", testNotFound},
		{"PutIfAbsentTwice", testPutIfAbsentTwice},
		{"PutIfAbsentConcurrent", testPutIfAbsentConcurrent},
		{"Delete", testDelete},
		{"ListPrefix", testListPrefix},
		{"ListPagination", testListPagination},
		{"EmptyKey", testEmptyKey},
	}
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, im.new(t))
				})
			}
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustPut(t *testing.T, s store.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(ctxT(t), key, data); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s store.Store, key string) []byte {
	t.Helper()
	got, err := s.Get(ctxT(t), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return got
}

func testRoundTrip(t *testing.T, s store.Store) {
	key := "reference/churn/v3/profile.json"
	data := []byte(`{"features":{"age":{"mean":41.2}}}`)
	mustPut(t, s, key, data)
	if got := mustGet(t, s, key); !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, want %q", got, data)
	}

	// Overwrite.
	data2 := []byte(`{"features":{}}`)
	mustPut(t, s, key, data2)
	if got := mustGet(t, s, key); !bytes.Equal(got, data2) {
		t.Fatalf("after overwrite Get = %q, want %q", got, data2)
	}

	// Binary data and the empty object.
	bin := make([]byte, 70_000)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	mustPut(t, s, "predictions/model=churn/dt=2024-05-01/hour=07/b1.jsonl.gz", bin)
	if got := mustGet(t, s, "predictions/model=churn/dt=2024-05-01/hour=07/b1.jsonl.gz"); !bytes.Equal(got, bin) {
		t.Fatalf("binary round trip: got %d bytes, want %d", len(got), len(bin))
	}
	mustPut(t, s, "empty", nil)
	if got := mustGet(t, s, "empty"); len(got) != 0 {
		t.Fatalf("empty object: got %d bytes", len(got))
	}

	// The store must not alias the caller's slice.
	buf := []byte("original")
	mustPut(t, s, "alias", buf)
	copy(buf, "XXXXXXXX")
	if got := mustGet(t, s, "alias"); string(got) != "original" {
		t.Fatalf("store aliased caller's slice: %q", got)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.Get(ctx, "reference/none/v1/profile.json")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(absent) err = %v, want ErrNotFound", err)
	}
	if errors.Is(err, store.ErrExists) {
		t.Fatalf("Get(absent) err %v also matches ErrExists", err)
	}
	// A "directory" of existing keys is not an object either.
	mustPut(t, s, "dir/sub/file.json", []byte("x"))
	for _, key := range []string{"dir", "dir/sub", "dir/sub/file.js"} {
		if _, err := s.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q) err = %v, want ErrNotFound", key, err)
		}
	}
}

func testPutIfAbsentTwice(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	key := "retrain/model=churn/2024-05-01T07.json"
	if err := s.PutIfAbsent(ctx, key, []byte("first"), store.WithContentType("application/json")); err != nil {
		t.Fatalf("first PutIfAbsent: %v", err)
	}
	err := s.PutIfAbsent(ctx, key, []byte("second"), store.WithContentType("application/json"))
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second PutIfAbsent err = %v, want ErrExists", err)
	}
	if got := mustGet(t, s, key); string(got) != "first" {
		t.Fatalf("Get = %q, want the first write", got)
	}
	// A key written with plain Put counts as existing too.
	mustPut(t, s, "plain", []byte("p"))
	if err := s.PutIfAbsent(ctx, "plain", []byte("q")); !errors.Is(err, store.ErrExists) {
		t.Fatalf("PutIfAbsent over Put err = %v, want ErrExists", err)
	}
}

func testPutIfAbsentConcurrent(t *testing.T, s store.Store) {
	const writers = 8
	const rounds = 3
	ctx := ctxT(t)
	for round := 0; round < rounds; round++ {
		key := fmt.Sprintf("retrain/model=churn/slot-%d.json", round)
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, writers)
		)
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.PutIfAbsent(ctx, key, []byte(fmt.Sprintf("writer-%d", i)))
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("round %d: writers %d and %d both won", round, winner, i)
				}
				winner = i
			case errors.Is(err, store.ErrExists):
			default:
				t.Fatalf("round %d: writer %d: unexpected error %v", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer won: %v", round, errs)
		}
		if got, want := string(mustGet(t, s, key)), fmt.Sprintf("writer-%d", winner); got != want {
			t.Fatalf("round %d: stored %q, want winner's %q", round, got, want)
		}
	}
}

func testDelete(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	key := "a/b/c.json"
	mustPut(t, s, key, []byte("x"))
	mustPut(t, s, "a/b/d.json", []byte("y"))
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after Delete err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if err := s.Delete(ctx, "never/existed"); err != nil {
		t.Fatalf("Delete(never existed): %v", err)
	}
	if got := mustGet(t, s, "a/b/d.json"); string(got) != "y" {
		t.Fatalf("sibling damaged: %q", got)
	}
	if err := s.PutIfAbsent(ctx, key, []byte("again")); err != nil {
		t.Fatalf("PutIfAbsent after Delete: %v", err)
	}
	objs, err := s.List(ctx, "a/")
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(objs); fmt.Sprint(got) != "[a/b/c.json a/b/d.json]" {
		t.Fatalf("List after re-create = %v", got)
	}
}

func keys(objs []store.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func testListPrefix(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	all := map[string]string{
		"predictions/model=churn/dt=2024-05-01/hour=00/b1.jsonl.gz": "1",
		"predictions/model=churn/dt=2024-05-01/hour=00/b2.jsonl.gz": "22",
		"predictions/model=churn/dt=2024-05-01/hour=13/b1.jsonl.gz": "333",
		"predictions/model=churn/dt=2024-05-02/hour=00/b1.jsonl.gz": "4444",
		"predictions/model=churnx/dt=2024-05-01/hour=00/b.jsonl.gz": "5",
		"predictions/model=fraud/dt=2024-05-01/hour=00/b.jsonl.gz":  "6",
		"reference/churn/v1/profile.json":                           "7",
		"top.json":                                                  "8",
	}
	for k, v := range all {
		mustPut(t, s, k, []byte(v))
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"predictions/model=churn/dt=2024-05-01/", []string{
			"predictions/model=churn/dt=2024-05-01/hour=00/b1.jsonl.gz",
			"predictions/model=churn/dt=2024-05-01/hour=00/b2.jsonl.gz",
			"predictions/model=churn/dt=2024-05-01/hour=13/b1.jsonl.gz",
		}},
		{"predictions/model=churn/", []string{
			"predictions/model=churn/dt=2024-05-01/hour=00/b1.jsonl.gz",
			"predictions/model=churn/dt=2024-05-01/hour=00/b2.jsonl.gz",
			"predictions/model=churn/dt=2024-05-01/hour=13/b1.jsonl.gz",
			"predictions/model=churn/dt=2024-05-02/hour=00/b1.jsonl.gz",
		}},
		// A plain string prefix, not a directory: matches churn and churnx.
		{"predictions/model=churn", []string{
			"predictions/model=churn/dt=2024-05-01/hour=00/b1.jsonl.gz",
			"predictions/model=churn/dt=2024-05-01/hour=00/b2.jsonl.gz",
			"predictions/model=churn/dt=2024-05-01/hour=13/b1.jsonl.gz",
			"predictions/model=churn/dt=2024-05-02/hour=00/b1.jsonl.gz",
			"predictions/model=churnx/dt=2024-05-01/hour=00/b.jsonl.gz",
		}},
		{"predictions/model=churn/dt=2024-05-01/hour=1", []string{
			"predictions/model=churn/dt=2024-05-01/hour=13/b1.jsonl.gz",
		}},
		{"reference/churn/v1/profile.json", []string{"reference/churn/v1/profile.json"}},
		{"nothing/here/", nil},
		{"predictions/model=none", nil},
		{"t", []string{"top.json"}},
	}
	for _, c := range cases {
		objs, err := s.List(ctx, c.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", c.prefix, err)
		}
		if got := keys(objs); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("List(%q) =\n  %v\nwant\n  %v", c.prefix, got, c.want)
		}
	}

	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(all) {
		t.Fatalf("List(\"\") returned %d objects, want %d", len(objs), len(all))
	}
	if !sort.SliceIsSorted(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key }) {
		t.Fatalf("List not sorted: %v", keys(objs))
	}
	for _, o := range objs {
		if o.Size != int64(len(all[o.Key])) {
			t.Errorf("%s: Size = %d, want %d", o.Key, o.Size, len(all[o.Key]))
		}
		if o.LastModified.IsZero() || time.Since(o.LastModified) > time.Hour {
			t.Errorf("%s: implausible LastModified %v", o.Key, o.LastModified)
		}
	}
}

// testListPagination stores more than S3's 1000-keys-per-page limit so
// that the S3 implementation must follow continuation tokens.
func testListPagination(t *testing.T, s store.Store) {
	const n = 1100
	ctx := ctxT(t)
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("many/k%05d", i)
	}
	putAll(t, s, want, 16)
	mustPut(t, s, "other/x", []byte("x"))
	objs, err := s.List(ctx, "many/")
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(objs); len(got) != n || got[0] != want[0] || got[n-1] != want[n-1] || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("List returned %d keys (first %v), want %d sorted keys", len(got), got[:min(3, len(got))], n)
	}
}

// putAll writes each key (with its own name as data) using workers
// goroutines.
func putAll(t *testing.T, s store.Store, keys []string, workers int) {
	t.Helper()
	ctx := ctxT(t)
	ch := make(chan string)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ch {
				if err := s.Put(ctx, k, []byte(k)); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	go func() {
		defer close(ch)
		for _, k := range keys {
			select {
			case ch <- k:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errc)
	// Drain the feeder if a worker stopped early.
	for range ch {
	}
	if err := <-errc; err != nil {
		t.Fatalf("put: %v", err)
	}
}

func testEmptyKey(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	if _, err := s.Get(ctx, ""); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("Get(\"\") err = %v, want ErrInvalidKey", err)
	}
	if err := s.Put(ctx, "", []byte("x")); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("Put(\"\") err = %v, want ErrInvalidKey", err)
	}
	if err := s.PutIfAbsent(ctx, "", []byte("x")); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("PutIfAbsent(\"\") err = %v, want ErrInvalidKey", err)
	}
	if err := s.Delete(ctx, ""); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("Delete(\"\") err = %v, want ErrInvalidKey", err)
	}
}
