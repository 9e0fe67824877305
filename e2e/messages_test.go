package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// snsEnvelope is what SNS delivers to an SQS subscription.
type snsEnvelope struct {
	Type      string `json:"Type"`
	MessageID string `json:"MessageId"`
	TopicArn  string `json:"TopicArn"`
	Subject   string `json:"Subject"`
	Message   string `json:"Message"`
	Timestamp string `json:"Timestamp"`
	// MessageAttributes carry the retrain topic's event names.
	MessageAttributes map[string]struct {
		Type  string `json:"Type"`
		Value string `json:"Value"`
	} `json:"MessageAttributes"`
}

// receive long-polls queue until want messages arrived or the time is up,
// deletes them, and returns the SNS envelopes received.
func receive(t *testing.T, ctx context.Context, client *sqs.Client, queue string, want int, within time.Duration) []snsEnvelope {
	t.Helper()
	deadline := time.Now().Add(within)
	var out []snsEnvelope
	for len(out) < want && time.Now().Before(deadline) {
		resp, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		})
		if err != nil {
			t.Fatalf("receive from %s: %v", queue, err)
		}
		for _, m := range resp.Messages {
			var env snsEnvelope
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
				t.Fatalf("message on %s is not an SNS envelope: %v\n%s", queue, err, aws.ToString(m.Body))
			}
			out = append(out, env)
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete message from %s: %v", queue, err)
			}
		}
	}
	return out
}

// snsEvent is the Lambda event of an SNS subscription for a message that
// arrived on a queue subscribed to the same topic.
func snsEvent(env snsEnvelope) []byte {
	ts, _ := time.Parse(time.RFC3339Nano, env.Timestamp)
	ev := events.SNSEvent{Records: []events.SNSEventRecord{{
		EventSource:          "aws:sns",
		EventVersion:         "1.0",
		EventSubscriptionArn: env.TopicArn + ":e2e-redelivery",
		SNS: events.SNSEntity{
			Type:      env.Type,
			MessageID: env.MessageID,
			TopicArn:  env.TopicArn,
			Subject:   env.Subject,
			Message:   env.Message,
			Timestamp: ts,
		},
	}}}
	out, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return out
}

// retrainRequest is the retraining request (docs/alarms.md).
type retrainRequest struct {
	Model        string    `json:"model"`
	ModelVersion string    `json:"model_version"`
	Reason       string    `json:"reason"`
	AlarmName    string    `json:"alarm_name"`
	Metric       string    `json:"metric"`
	Value        *float64  `json:"value"`
	Threshold    *float64  `json:"threshold"`
	ReportKey    string    `json:"report_key"`
	RequestedAt  time.Time `json:"requested_at"`
}
