package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/modelwatch/modelwatch/shared/demo"
)

// BenchmarkStory plays the default story (48 hours, 1,000 predictions an
// hour): the wall time of `make demo` without the build. The target is
// under 30 s on 2 cores.
//
//	go test -run '^$' -bench Story -benchtime 1x ./shared/demo
func BenchmarkStory(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		o := demo.DefaultOptions()
		o.Out = filepath.Join(dir, "demo-output")
		res, err := demo.Run(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.Elapsed.Seconds(), "s/story")
	}
}
