package retrain_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/retrain"
)

// The adapters are what alarm.Handler consumes.
var (
	_ alarm.Starter   = (*retrain.StepFunctions)(nil)
	_ alarm.Publisher = (*retrain.Topic)(nil)
)

const (
	machineARN = "arn:aws:states:us-east-1:123456789012:stateMachine:retrain"
	topicARN   = "arn:aws:sns:us-east-1:123456789012:retrain"
)

type fakeSFN struct {
	in  *sfn.StartExecutionInput
	err error
}

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.in = in
	if f.err != nil {
		return nil, f.err
	}
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String("arn:x")}, nil
}

func TestStartExecution(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		existed bool
		wantErr string
	}{
		{"started", nil, false, ""},
		{"typed exists", &sfntypes.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists")}, true, ""},
		{"exists by code", &smithy.GenericAPIError{Code: "ExecutionAlreadyExists", Message: "exists"}, true, ""},
		{"missing machine", &sfntypes.StateMachineDoesNotExist{Message: aws.String("nope")}, false, "start execution m-20261126T000000Z of " + machineARN},
		{"network", errors.New("connection reset"), false, "connection reset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeSFN{err: tc.err}
			s, err := retrain.NewStepFunctions(fake, machineARN)
			if err != nil {
				t.Fatal(err)
			}
			existed, err := s.StartExecution(context.Background(), "m-20261126T000000Z", []byte(`{"model":"m"}`))
			if existed != tc.existed || (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("existed %v, error %v; want %v, %q", existed, err, tc.existed, tc.wantErr)
			}
			if tc.err != nil && err != nil && !errors.Is(err, tc.err) {
				t.Errorf("%v does not wrap %v", err, tc.err)
			}
			if aws.ToString(fake.in.StateMachineArn) != machineARN || aws.ToString(fake.in.Name) != "m-20261126T000000Z" || aws.ToString(fake.in.Input) != `{"model":"m"}` {
				t.Errorf("input %+v", fake.in)
			}
		})
	}
}

type fakeSNS struct {
	in  *sns.PublishInput
	err error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.in = in
	return &sns.PublishOutput{MessageId: aws.String("1")}, f.err
}

func TestPublish(t *testing.T) {
	fake := &fakeSNS{}
	topic, err := retrain.NewTopic(fake, topicARN)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"event": "retrain.requested", "model": "m", "empty": ""}
	if err := topic.Publish(context.Background(), "m-20261126T000000Z", []byte(`{"model":"m"}`), attrs); err != nil {
		t.Fatal(err)
	}
	in := fake.in
	if aws.ToString(in.TopicArn) != topicARN || aws.ToString(in.Message) != `{"model":"m"}` || aws.ToString(in.Subject) != "Retraining requested: m-20261126T000000Z" {
		t.Errorf("input %+v", in)
	}
	if len(in.MessageAttributes) != 2 || aws.ToString(in.MessageAttributes["model"].StringValue) != "m" || aws.ToString(in.MessageAttributes["event"].DataType) != "String" {
		t.Errorf("attributes %+v", in.MessageAttributes)
	}
	if in.MessageGroupId != nil || in.MessageDeduplicationId != nil {
		t.Error("FIFO fields on a standard topic")
	}

	fifo, _ := retrain.NewTopic(fake, topicARN+".fifo")
	long := strings.Repeat("m", 64) + "-20261126T000000Z"
	if err := fifo.Publish(context.Background(), long, []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(fake.in.MessageDeduplicationId) != long || aws.ToString(fake.in.MessageGroupId) != long || len(aws.ToString(fake.in.Subject)) != 100 {
		t.Errorf("FIFO input %+v", fake.in)
	}

	fake.err = errors.New("throttled")
	if err := topic.Publish(context.Background(), "id", nil, nil); err == nil || !strings.Contains(err.Error(), "publish retraining request id to "+topicARN) {
		t.Errorf("error %v", err)
	}
}

func TestARNsAreChecked(t *testing.T) {
	for _, arn := range []string{"", "retrain", "arn:aws:sns:us-east-1:123456789012:retrain"} {
		if _, err := retrain.NewStepFunctions(&fakeSFN{}, arn); err == nil {
			t.Errorf("state machine ARN %q accepted", arn)
		}
	}
	for _, arn := range []string{"", "retrain", machineARN, "arn:aws:sns:us-east-1:123456789012"} {
		if _, err := retrain.NewTopic(&fakeSNS{}, arn); err == nil {
			t.Errorf("topic ARN %q accepted", arn)
		}
	}
}
