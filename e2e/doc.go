// Package e2e holds the end-to-end test of modelwatch: template.yaml deployed
// with the SAM CLI onto a local AWS emulator, and driven from prediction
// batches to one retraining request on the deployed retrain topic.
//
// # Running it
//
//	go test ./e2e/          # make tools first: starts MiniStack, make local-up + local-deploy, drives, tears down
//	make local-up local-deploy local-e2e   # the same test against a stack you deployed yourself
//
// Without MODELWATCH_E2E_ENDPOINT the test starts MiniStack (installed by
// `make tools` into .tools/) on a free loopback port and deploys a new stack
// with `make local-up local-deploy`: the Makefile's SAM build of the three
// bootstraps for this machine and `sam deploy` with the emulator's endpoint,
// the path a user runs. With MODELWATCH_E2E_ENDPOINT (and
// MODELWATCH_E2E_STACK, default modelwatch) it drives a stack already there.
// It fails, never skips, when MiniStack or the SAM CLI is missing; it is
// skipped only under go test -short.
//
// # The story
//
//  1. Every resource of template.yaml (Fn::ForEach expanded for the deployed
//     Models, conditions evaluated) is in the stack with its type and
//     complete; functions, bucket, topics, queues, alarms, dashboards, the
//     state machine and the schedule exist behind their physical ids; the
//     alarm handler is subscribed to the alerts topic, every alarm notifies
//     that topic, and failed asynchronous invocations go to the failure queue.
//  2. A queue is subscribed to the retrain topic (what a retraining pipeline
//     would read) and one to the alerts topic (what an e-mail subscriber
//     would get). A reference profile is published to the deployed bucket.
//  3. Baseline batches are POSTed, SigV4-signed, to the deployed HTTP API,
//     whose route invokes the deployed ingest function; the deployed drift
//     schedule is read back and its target invoked with its input: no alarm
//     fires.
//  4. Drifted batches for the next hour, the schedule's target again: the
//     emulator evaluates the deployed alarms on the published datapoints and
//     notifies the alerts topic, whose subscription invokes the deployed alarm
//     handler, which starts the deployed state machine, which announces the
//     recorded request on the retrain topic.
//  5. Exactly one execution, SUCCEEDED; exactly one request and one record on
//     the retrain topic; the window's reports in the bucket; a repeated
//     delivery of the notifications to the alarm handler starts and announces
//     nothing; the failure queue is empty.
//
// MiniStack runs with IAM enforcement (AUTH=true) and over TLS (USE_SSL=1,
// with a certificate tools/ministack.sh makes): each deployed function gets
// only what its role's policies allow, and the bucket and topic policies'
// TLS-only statements apply, as on AWS.
//
// # Where the emulator differs from AWS
//
//   - MiniStack creates the HTTP API from CloudFormation without the routes
//     of the OpenAPI Body SAM generates for it; when the deployed API has no
//     route, the test creates the routes and integrations that Body declares
//     (read from the stack's processed template) before it sends.
//   - MiniStack's Step Functions drops the message attributes of an SNS
//     publish, so the test tells requests from records by their shape.
//   - MiniStack evaluates an alarm on every datapoint of its metric name,
//     whatever the dimensions, from the datapoints of the last period before
//     now; the drifted window therefore ends at the top of the current hour.
//   - The EventBridge schedule runs at minute 5 of each real hour; the test
//     invokes its target with its input instead of waiting.
package e2e
