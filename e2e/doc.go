// Package e2e holds the end-to-end test of modelwatch: one test that deploys
// what template.yaml defines onto an AWS emulator, runs the three real Lambda
// bootstraps under the Lambda Runtime Interface Emulator, and drives the whole
// story from a reference profile to a retraining request.
//
// # Running it
//
//	go test ./e2e/                         # starts moto's server itself (make test does this)
//	MODELWATCH_E2E_ENDPOINT=http://localhost:4566 go test -count=1 ./e2e/   # against LocalStack (make local-e2e)
//
// It needs moto (pip install 'moto[server]') unless an endpoint is given, and
// aws-lambda-rie (see internal/lambdarie). It fails when either is missing and
// is skipped under go test -short.
//
// # The story
//
//  1. Create the bucket, the alerts and retrain topics, a queue on each topic
//     (the alerts queue stands in for the alarm handler's subscription, the
//     retrain queue is what a retraining consumer would read), and the
//     retraining state machine from infra/retrain.asl.json with the
//     template's DefinitionSubstitutions. Each function gets the environment
//     template.yaml gives it, resolved for these resources.
//  2. Publish a reference profile (profile.Build, reference.Publish).
//  3. POST baseline traffic through the ingest bootstrap (API Gateway HTTP API
//     events); run the drift bootstrap for that hour; read the metrics back
//     with GetMetricData: no alarm of the template would fire.
//  4. POST drifted traffic for the next hour, run drift again: the metrics now
//     breach the feature-drift alarm.
//  5. CloudWatch would now move the alarm to ALARM and publish to the alerts
//     topic; the emulators never evaluate alarms, so the test builds that
//     notification from the alarm's definition in template.yaml and the value
//     read back, publishes it to the alerts topic and delivers what arrives on
//     the alerts queue to the alarm-handler bootstrap as an SNS event.
//  6. Assert one retraining execution with the right input, the request on the
//     retrain topic, the drift report in the bucket, and that a second
//     delivery of the same notification starts nothing new.
package e2e
