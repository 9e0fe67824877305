package sleep

import (
	"context"
	"time"
)

// For waits d, or until ctx is done, whichever comes first; it returns
// ctx's error when the context ended the wait.
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
