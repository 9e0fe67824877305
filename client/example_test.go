package client_test

import (
	"context"
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch/client"
)

// A model service logs each prediction as it answers, and the outcome when
// it is known; Close sends what is still queued.
func Example() {
	ctx := context.Background()
	mw, err := client.New(ctx, client.Config{
		Endpoint: "https://abc123.execute-api.eu-west-1.amazonaws.com", // the stack output IngestApiUrl
		Model:    "credit-default",
		Region:   "eu-west-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := mw.Close(ctx); err != nil {
			fmt.Println(err)
		}
	}()
	latency := 12.3
	mw.LogPrediction(client.Prediction{
		RequestID:  "r-1",
		Features:   map[string]any{"age": 41, "income": 35294.56, "region": "north"},
		Prediction: "no_default",
		Scores:     map[string]float64{"default": 0.21, "no_default": 0.79},
		LatencyMs:  &latency,
	})
	mw.LogLabel(client.Label{RequestID: "r-1", Label: "default"})
}
