// Command echo is a Lambda function that returns its event, for the
// emulator harness's own test.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, event json.RawMessage) (map[string]any, error) {
		return map[string]any{"event": event, "greeting": os.Getenv("GREETING")}, nil
	})
}
