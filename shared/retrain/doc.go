// Package retrain delivers retraining requests to AWS: StepFunctions starts
// the retraining state machine and Topic publishes to the retrain SNS topic.
// They are the adapters behind alarm.Starter and alarm.Publisher.
//
// Build the SDK clients from the default configuration chain
// (config.LoadDefaultConfig), which honours AWS_ENDPOINT_URL, so the same
// code talks to AWS, LocalStack or moto.
package retrain
