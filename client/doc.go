// Package client sends predictions and labels to the modelwatch ingest API
// from Go services without slowing them down.
//
// LogPrediction and LogLabel put a record on a bounded queue and return at
// once. A background flusher sends a batch when BatchSize records are queued
// or every FlushInterval: gzip-compressed JSON, signed with SigV4 for the
// service execute-api (the API's AWS_IAM authorizer). A batch that fails
// with a network error, a 5xx or 429 is sent again with exponential backoff
// and the same batch id (the Idempotency-Key header), so the ingest function
// stores it once however often it arrives. When the queue is full a record
// is dropped and counted (Stats.Dropped), never silently.
//
//	c, err := client.New(ctx, client.Config{Endpoint: api, Model: "credit-default"})
//	if err != nil { ... }
//	defer c.Close(context.Background()) // sends what is queued
//	c.LogPrediction(client.Prediction{RequestID: id, Features: f, Prediction: "default", Scores: s})
//
// See the README's "Sending predictions and labels" for the API itself.
package client
