package demo

import (
	"context"
	"encoding/json"
	"testing"
)

func TestZZRun(t *testing.T) {
	o := DefaultOptions()
	o.Out = "/tmp/demo-out"
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(res.Summary, "", " ")
	_ = b
	t.Logf("elapsed %v", res.Elapsed)
}
