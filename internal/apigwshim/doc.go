// Package apigwshim stands in for API Gateway in tests of the ingest
// clients: an HTTP server that checks each request's SigV4 signature (AWS_IAM
// authorization, service execute-api), turns the request into an HTTP API
// event (payload format 2.0), invokes the real ingest bootstrap running under
// aws-lambda-rie, and answers with the function's response.
//
// Tests inject faults to exercise client retries: the next requests can be
// answered 503 or 429 without reaching the function, or have their
// connection dropped after the function stored the batch. Faults are queued
// with Shim.Inject or, from another process, with
// POST /_shim/faults ["503", "drop", ...]; GET /_shim/stats returns the
// request counts.
package apigwshim
