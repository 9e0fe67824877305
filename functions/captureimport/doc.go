// Command captureimport is the capture-import Lambda function: it imports
// the SageMaker Data Capture and ground-truth objects that EventBridge
// reports as created in the capture bucket, through the same validation,
// batch, profile and receipt path as the ingest API. See docs/ingest.md.
package main
