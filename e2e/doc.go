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
// with `make local-up local-deploy`: the Makefile's SAM build of the four
// bootstraps for this machine and `sam deploy` with the emulator's endpoint,
// the path a user runs. With MODELWATCH_E2E_ENDPOINT (and
// MODELWATCH_E2E_STACK, default modelwatch) it drives a stack already there,
// without the fleet part, which would leave 1,000 models in that stack's
// bucket. It fails, never skips, when MiniStack or the SAM CLI is missing; it
// is skipped only under go test -short.
//
// # The story
//
//  1. Every resource of template.yaml (conditions evaluated) is in the stack
//     with its type and complete, and the stack has fewer than 100 resources
//     (none is per model); functions, bucket, topics, queues, alarms, the
//     dashboard, the state machine and the schedule exist behind their
//     physical ids; the alarm handler is subscribed to the alerts topic, every
//     alarm notifies that topic (the per-kind alarms on ALARM and on OK), the
//     drift function consumes the drift queue one message at a time and
//     reports the messages to retry, and failed asynchronous invocations go to
//     the failure queue.
//  2. A queue is subscribed to the retrain topic (what a retraining pipeline
//     would read) and one to the alerts topic (what an e-mail subscriber
//     would get). A reference profile is published to the deployed bucket:
//     that is all it takes to add a model.
//  3. Baseline batches are POSTed, SigV4-signed, to the deployed HTTP API,
//     whose route invokes the deployed ingest function; the drift function is
//     invoked directly for the window, as a backfill does (every model in one
//     invocation). The deployed alarms, evaluated on the published data, put
//     no model in ALARM.
//  4. Drifted batches for the next hour; the deployed drift schedule is read
//     back and its target, the dispatch function, invoked with its input: it
//     finds the model in the bucket and sends one message to the deployed
//     drift queue, which the deployed drift function consumes. The deployed
//     per-kind alarms are read back and evaluated on the published
//     datapoints; the model is a contributor in ALARM, and the notification
//     naming it goes to the deployed alerts topic, whose subscription invokes
//     the deployed alarm handler, which starts the deployed state machine,
//     which announces the recorded request on the retrain topic.
//  5. Exactly one execution, SUCCEEDED; exactly one request and one record on
//     the retrain topic; the window's reports in the bucket; a repeated
//     delivery of the notifications to the alarm handler starts and announces
//     nothing; the failure queue is empty.
//  6. The fleet (subtest "fleet"): 1,000 more reference profiles published,
//     999 small ones and one broken; one dispatch by the schedule's target
//     sends 1,001 messages; 1,001 drift runs through the deployed drift queue;
//     every good model has its window's report, the broken one none and a
//     MonitoringErrors datapoint; nothing in the failure queue. The test logs
//     the wall time (1,001 runs in 1m37s and 1m50s in two runs with
//     DriftConcurrency 10 on a 2-core machine; the whole test 2m5s and 2m18s).
//
// MiniStack runs with IAM enforcement (AUTH=true) and over TLS (USE_SSL=1,
// with a certificate tools/ministack.sh makes): each deployed function gets
// only what its role's policies allow, and the bucket and topic policies'
// TLS-only statements apply, as on AWS.
//
// # Where the emulator differs from AWS
//
// tools/ministack.sh starts MiniStack 1.5.33 through tools/ministack_launch.py,
// which fills four of its gaps (the template is not changed for them):
//
//   - Its CloudFormation refuses an AWS::CloudWatch::Alarm with Metrics
//     ("metric math is not supported"); the launcher stores such an alarm with
//     its Metrics, as PutMetricAlarm would.
//   - With IAM enforcement it authorises SendMessageBatch as
//     sqs:SendMessageBatch, an action IAM does not have; AWS authorises it
//     with sqs:SendMessage. The launcher maps the SQS batch actions to the
//     single-message ones.
//   - Its SQS event source poller fails on a MaximumConcurrency that
//     CloudFormation passes from a parameter as a string; the launcher reads
//     it as an integer.
//   - Its EventBridge Scheduler fires the deployed schedule (at minute 5 of
//     each real hour) with the target's input as written, the
//     <aws.scheduler.scheduled-time> placeholder not replaced; the dispatch
//     function then refuses the event (before this was seen, it forwarded
//     it, and every model's run failed). The launcher replaces the
//     placeholders, with the minute the schedule fired at. A run that fires
//     while the test runs shares the drift queue with the test's own, which
//     waits for the queue to drain (up to 5 minutes in the fleet part).
//
// And the test works around these:
//
//   - MiniStack does not evaluate alarms on a Metrics Insights query (it
//     evaluates only MetricName/Namespace alarms). The test reads the deployed
//     alarms back (DescribeAlarms), evaluates each query itself on the
//     published datapoints (ListMetrics and GetMetricStatistics per Model:
//     the most recent datapoint of the last 3 hours, by the query's
//     function, against the alarm's threshold and operator), and for each
//     contributor that changes state publishes to the alarm's actions the
//     notification CloudWatch sends, naming the contributor
//     (AlarmContributorId, AlarmContributorAttributes {"Model": ...}). It does
//     not set the alarm's state: MiniStack would then publish an alarm-level
//     notification, and it has no DescribeAlarmContributors to resolve one.
//   - MiniStack creates the HTTP API from CloudFormation without the routes
//     of the OpenAPI Body SAM generates for it; when the deployed API has no
//     route, the test creates the routes and integrations that Body declares
//     (read from the stack's processed template) before it sends.
//   - MiniStack's Step Functions drops the message attributes of an SNS
//     publish, so the test tells requests from records by their shape.
//   - The EventBridge schedule runs at minute 5 of each real hour; the test
//     invokes its target with its input instead of waiting.
package e2e
