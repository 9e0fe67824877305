package lambdarie_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
)

func TestEchoUnderEmulator(t *testing.T) {
	bin := lambdarie.Build(t, "./internal/lambdarie/testdata/echo")
	fn := lambdarie.Start(t, bin, "GREETING=hello")
	out, err := fn.Invoke(context.Background(), []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Event    map[string]int `json:"event"`
		Greeting string         `json:"greeting"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Event["a"] != 1 || got.Greeting != "hello" {
		t.Errorf("response %s", out)
	}
}
