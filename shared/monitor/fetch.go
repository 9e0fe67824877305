package monitor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"
)

// fetchOrdered runs get for every key with at most n calls in flight and
// hands the results to consume in key order, so that whatever consume does
// (merging) does not depend on which GET finished first. At most n results
// wait for consume at any time, which bounds memory. The first error stops
// everything and is returned.
func fetchOrdered[T any](ctx context.Context, keys []string, n int, get func(ctx context.Context, key string) (T, error), consume func(key string, v T) error) error {
	if len(keys) == 0 {
		return nil
	}
	n = max(1, min(n, len(keys)))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type result struct {
		v   T
		err error
	}
	results := make([]chan result, len(keys))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	tokens := make(chan struct{}, n)
	var wg sync.WaitGroup
	go func() {
		for i, key := range keys {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				for _, ch := range results[i:] {
					ch <- result{err: context.Cause(ctx)}
				}
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := get(ctx, key)
				results[i] <- result{v, err}
			}()
		}
	}()
	var firstErr error
	for i, key := range keys {
		r := <-results[i]
		if firstErr == nil {
			if r.err != nil {
				firstErr = r.err
			} else if err := consume(key, r.v); err != nil {
				firstErr = err
			}
			if firstErr != nil {
				cancel(firstErr)
			}
		}
		<-tokens
	}
	wg.Wait()
	return firstErr
}

// listHours lists the objects of the hour partitions of kind for model,
// concurrently (at most n LISTs at a time), and returns the keys of the
// partitioned data objects (layout.DataObject) sorted by key.
func listHours(ctx context.Context, st store.Store, kind layout.Kind, model string, hours []time.Time, n int) ([]layout.PartitionKey, []string, error) {
	lists := make([][]store.Object, len(hours))
	idx := make([]int, len(hours))
	for i := range idx {
		idx[i] = i
	}
	err := fetchOrdered(ctx, hourKeys(idx), n, func(ctx context.Context, key string) ([]store.Object, error) {
		i := atoi(key)
		prefix := layout.HourPrefix(kind, model, hours[i])
		objs, err := st.List(ctx, prefix)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		return objs, nil
	}, func(key string, objs []store.Object) error {
		lists[atoi(key)] = objs
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var parts []layout.PartitionKey
	var keys []string
	for _, objs := range lists {
		for _, o := range objs {
			pk, err := layout.ParseDataObject(o.Key)
			if err != nil || pk.Kind != kind || pk.Model != model {
				continue // not a data object (a temporary or foreign file)
			}
			if layout.CheckBatchID(pk.Batch) != nil {
				continue
			}
			parts = append(parts, pk)
			keys = append(keys, o.Key)
		}
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	sortedParts := make([]layout.PartitionKey, len(order))
	sortedKeys := make([]string, len(order))
	for i, j := range order {
		sortedParts[i], sortedKeys[i] = parts[j], keys[j]
	}
	return sortedParts, sortedKeys, nil
}

// hourKeys turns indexes into the string keys fetchOrdered wants.
func hourKeys(idx []int) []string {
	out := make([]string, len(idx))
	for i, v := range idx {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// getOptional gets key, returning nil data (and no error) when it does not
// exist.
func getOptional(ctx context.Context, st store.Store, key string) ([]byte, error) {
	data, err := st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return data, err
}
