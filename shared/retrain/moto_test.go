package retrain_test

// These tests need moto's server (see internal/motoserver); go test -short
// skips them.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/retrain"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

// createWorkflow creates the state machine of infra/retrain.asl.json with
// the substitutions template.yaml gives it.
func createWorkflow(t *testing.T, srv *motoserver.Server, subs map[string]string) string {
	t.Helper()
	return srv.NewStateMachine(t, filepath.Join("..", "..", "infra", "retrain.asl.json"), subs)
}

func substitutions(topic, training string) map[string]string {
	return map[string]string{
		"RetrainTopicArn": topic, "BucketName": "modelwatch-data", "SageMakerTrainingEnabled": training,
		"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:latest", "TrainingRoleArn": "arn:aws:iam::123456789012:role/training",
		"TrainingInstanceType": "ml.m5.large",
	}
}

const request = `{"model":"credit-default","model_version":"v3","reason":"Threshold Crossed","alarm_name":"modelwatch-credit-default-feature-drift","metric":"MaxFeaturePSI","value":0.41,"threshold":0.25,"report_key":"reports/model=credit-default/latest.json","requested_at":"2026-11-26T20:05:13Z"}`

// TestAdaptersOnMoto: the adapters against moto's APIs (executions only
// recorded).
func TestAdaptersOnMoto(t *testing.T) {
	srv := motoserver.Shared(t)
	tq := srv.NewTopicQueue(t, "retrain")
	machine := createWorkflow(t, srv, substitutions(tq.TopicARN, "false"))
	ctx := context.Background()

	starter, err := retrain.NewStepFunctions(srv.SFNClient(), machine)
	if err != nil {
		t.Fatal(err)
	}
	const name = "credit-default-20261126T000000Z"
	if existed, err := starter.StartExecution(ctx, name, []byte(request)); err != nil || existed {
		t.Fatalf("first start: existed %v, %v", existed, err)
	}
	// A repeat with another input (a retry that rebuilt its request) is
	// refused by Step Functions as ExecutionAlreadyExists: existed.
	if existed, err := starter.StartExecution(ctx, name, []byte(`{"model":"credit-default"}`)); err != nil || !existed {
		t.Fatalf("second start: existed %v, %v", existed, err)
	}
	list, err := srv.SFNClient().ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	if err != nil || len(list.Executions) != 1 || aws.ToString(list.Executions[0].Name) != name {
		t.Fatalf("executions %+v %v", list, err)
	}
	missing, _ := retrain.NewStepFunctions(srv.SFNClient(), machine+"-missing")
	if _, err := missing.StartExecution(ctx, name, []byte(request)); err == nil || !strings.Contains(err.Error(), "StateMachineDoesNotExist") {
		t.Errorf("missing state machine: %v", err)
	}

	topic, err := retrain.NewTopic(srv.SNSClient(), tq.TopicARN)
	if err != nil {
		t.Fatal(err)
	}
	if err := topic.Publish(ctx, name, []byte(request), map[string]string{"event": "retrain.requested", "model": "credit-default"}); err != nil {
		t.Fatal(err)
	}
	msgs := tq.Drain(t, time.Second)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != request ||
		aws.ToString(msgs[0].MessageAttributes["event"].StringValue) != "retrain.requested" ||
		aws.ToString(msgs[0].MessageAttributes["model"].StringValue) != "credit-default" {
		t.Errorf("messages %+v", msgs)
	}
}

// TestWorkflowRuns runs infra/retrain.asl.json on moto, with training off
// and on. moto's Step Functions executes Pass, Choice and the SNS
// integration; it does not implement the SageMaker integration (the
// execution fails with a runtime error at the Train state, which no Catch
// sees), so with training on the test checks that the Choice leads there.
// moto 5.2.1 runs only one execution per server, hence a server for each.
func TestWorkflowRuns(t *testing.T) {
	tests := []struct {
		training, status, event, failure string
	}{
		{"false", "SUCCEEDED", "retrain.recorded", ""},
		{"true", "FAILED", "", "sagemaker:createTrainingJob.sync"},
	}
	for _, tc := range tests {
		t.Run("training="+tc.training, func(t *testing.T) {
			srv := motoserver.Start(t)
			if err := srv.EnableStepFunctionsExecution(); err != nil {
				t.Fatal(err)
			}
			tq := srv.NewTopicQueue(t, "retrain")
			machine := createWorkflow(t, srv, substitutions(tq.TopicARN, tc.training))
			starter, _ := retrain.NewStepFunctions(srv.SFNClient(), machine)
			const name = "credit-default-20261126T000000Z"
			if _, err := starter.StartExecution(context.Background(), name, []byte(request)); err != nil {
				t.Fatal(err)
			}
			status, history := waitExecution(t, srv, machine)
			if status != tc.status {
				t.Errorf("status %s, want %s; history %v", status, tc.status, history)
			}
			if tc.failure != "" {
				if !strings.Contains(strings.Join(history, " "), tc.failure) {
					t.Errorf("history %v does not fail at %s", history, tc.failure)
				}
				if msgs := tq.Drain(t, time.Second); len(msgs) != 0 {
					t.Errorf("messages %+v", msgs)
				}
				return
			}
			msgs := tq.Drain(t, time.Second)
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1; history %v", len(msgs), history)
			}
			m := msgs[0]
			if ev := aws.ToString(m.MessageAttributes["event"].StringValue); ev != tc.event {
				t.Errorf("event %q, want %q", ev, tc.event)
			}
			var rec struct {
				Request       json.RawMessage `json:"request"`
				ExecutionName string          `json:"execution_name"`
				Bucket        string          `json:"bucket"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
				t.Fatalf("message %s: %v", aws.ToString(m.Body), err)
			}
			var got, want any
			json.Unmarshal(rec.Request, &got)
			json.Unmarshal([]byte(request), &want)
			if fmt.Sprint(got) != fmt.Sprint(want) || rec.ExecutionName != name || rec.Bucket != "modelwatch-data" {
				t.Errorf("message %s", aws.ToString(m.Body))
			}
		})
	}
}

func waitExecution(t *testing.T, srv *motoserver.Server, machine string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		list, err := srv.SFNClient().ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
		if err != nil || len(list.Executions) != 1 {
			t.Fatalf("executions %+v %v", list, err)
		}
		e := list.Executions[0]
		if e.Status != sfntypes.ExecutionStatusRunning {
			h, err := srv.SFNClient().GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: e.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, ev := range h.Events {
				types = append(types, string(ev.Type))
				if d := ev.ExecutionFailedEventDetails; d != nil {
					types = append(types, aws.ToString(d.Error)+": "+aws.ToString(d.Cause))
				}
			}
			return string(e.Status), types
		}
		if time.Now().After(deadline) {
			t.Fatal("execution still running")
		}
	}
}
