package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
)

// deployedTypes maps the SAM resource types of template.yaml to the type of
// the resource that keeps their logical id once transformed.
var deployedTypes = map[string]string{
	"AWS::Serverless::Function":     "AWS::Lambda::Function",
	"AWS::Serverless::HttpApi":      "AWS::ApiGatewayV2::Api",
	"AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
}

// checkResources checks that every resource of template.yaml (conditions
// evaluated with the deployed parameters) is in the stack with its type, that every resource of the stack
// is complete, and that the resources the emulator can be asked about exist
// behind their physical ids.
func checkResources(t *testing.T, ctx context.Context, d *deployment) {
	t.Helper()
	tpl, err := cfntemplate.Load(filepath.Join(repoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	params := tpl.ParameterDefaults()
	for k, v := range d.parameters {
		params[k] = v
	}
	declared, err := tpl.Resources(params)
	if err != nil {
		t.Fatalf("template.yaml resources: %v", err)
	}
	conditions := tpl.Section("Conditions")
	var missing []string
	expected := 0
	for id, r := range declared {
		if r.Condition != "" {
			holds, err := evalCondition(conditions[r.Condition], conditions, params)
			if err != nil {
				t.Fatalf("resource %s: condition %s: %v", id, r.Condition, err)
			}
			if !holds {
				if _, ok := d.resources[id]; ok {
					t.Errorf("resource %s is deployed though its condition %s is false", id, r.Condition)
				}
				continue
			}
		}
		expected++
		want := r.Type
		if dt, ok := deployedTypes[r.Type]; ok {
			want = dt
		}
		got, ok := d.resources[id]
		switch {
		case !ok:
			missing = append(missing, id)
		case aws.ToString(got.ResourceType) != want:
			t.Errorf("resource %s is a %s, want %s", id, aws.ToString(got.ResourceType), want)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d resources of template.yaml are not in the deployed stack: %v", len(missing), missing)
	}
	if len(d.resources) < expected {
		t.Errorf("the stack has %d resources, fewer than the %d template.yaml declares", len(d.resources), expected)
	}
	// No resource is per model: the stack keeps this size whatever the
	// number of models (CloudFormation allows 500).
	if len(d.resources) >= 100 {
		t.Errorf("the deployed stack has %d resources, want fewer than 100", len(d.resources))
	}
	for id, r := range d.resources {
		if s := string(r.ResourceStatus); s != "CREATE_COMPLETE" && s != "UPDATE_COMPLETE" {
			t.Errorf("resource %s (%s) is %s: %s", id, aws.ToString(r.ResourceType), s, aws.ToString(r.ResourceStatusReason))
		}
		if err := d.exists(ctx, aws.ToString(r.ResourceType), aws.ToString(r.PhysicalResourceId)); err != nil {
			t.Errorf("resource %s (%s %s): %v", id, aws.ToString(r.ResourceType), aws.ToString(r.PhysicalResourceId), err)
		}
	}
	checkWiring(t, ctx, d)
}

// exists asks the emulator's service for the resource behind a physical id,
// for the types whose service the test has a client of.
func (d *deployment) exists(ctx context.Context, typ, id string) error {
	var err error
	switch typ {
	case "AWS::Lambda::Function":
		_, err = d.lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(id)})
	case "AWS::S3::Bucket":
		_, err = d.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(id)})
	case "AWS::SNS::Topic":
		_, err = d.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(id)})
	case "AWS::SQS::Queue":
		_, err = d.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(id)})
	case "AWS::CloudWatch::Alarm":
		var out *cloudwatch.DescribeAlarmsOutput
		out, err = d.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{id}})
		if err == nil && len(out.MetricAlarms)+len(out.CompositeAlarms) != 1 {
			err = fmt.Errorf("no such alarm")
		}
	case "AWS::CloudWatch::Dashboard":
		_, err = d.cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(id)})
	case "AWS::StepFunctions::StateMachine":
		_, err = d.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(id)})
	case "AWS::Scheduler::Schedule":
		_, err = d.sched.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(id)})
	}
	return err
}

// checkWiring checks the connections the flow relies on, as deployed: the
// alarm handler subscribed to the alerts topic, every alarm notifying the
// alerts topic, and failed asynchronous invocations sent to the failure queue.
func checkWiring(t *testing.T, ctx context.Context, d *deployment) {
	t.Helper()
	alerts := d.output(t, "AlertsTopicArn")
	handlerArn := d.functionArn(t, ctx, d.output(t, "AlarmHandlerFunctionName"))
	subs, err := d.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(alerts)})
	if err != nil {
		t.Fatalf("list the subscriptions of the alerts topic: %v", err)
	}
	subscribed := false
	for _, s := range subs.Subscriptions {
		subscribed = subscribed || (aws.ToString(s.Protocol) == "lambda" && aws.ToString(s.Endpoint) == handlerArn)
	}
	if !subscribed {
		t.Errorf("the alarm handler %s is not subscribed to the alerts topic %s", handlerArn, alerts)
	}
	for id, r := range d.resources {
		if aws.ToString(r.ResourceType) != "AWS::CloudWatch::Alarm" {
			continue
		}
		out, err := d.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{aws.ToString(r.PhysicalResourceId)}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Errorf("alarm %s: %v", id, err)
			continue
		}
		a := out.MetricAlarms[0]
		if !contains(a.AlarmActions, alerts) {
			t.Errorf("alarm %s notifies %v, not the alerts topic", id, a.AlarmActions)
		}
		if len(a.Metrics) > 0 && !contains(a.OKActions, alerts) {
			t.Errorf("alarm %s: a contributor's return to OK notifies %v, not the alerts topic", id, a.OKActions)
		}
	}
	failureQueueArn := queueArn(t, ctx, d, d.output(t, "FailureQueueUrl"))
	// The drift function consumes the drift queue one message at a time and
	// reports the messages to retry.
	driftQueueArn := queueArn(t, ctx, d, d.output(t, "DriftQueueUrl"))
	esms, err := d.lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(d.output(t, "DriftFunctionName"))})
	if err != nil || len(esms.EventSourceMappings) != 1 {
		t.Errorf("the drift function's event sources: %v (%v)", esms, err)
	} else if m := esms.EventSourceMappings[0]; aws.ToString(m.EventSourceArn) != driftQueueArn || aws.ToInt32(m.BatchSize) != 1 ||
		len(m.FunctionResponseTypes) != 1 || m.ScalingConfig == nil || aws.ToInt32(m.ScalingConfig.MaximumConcurrency) < 2 {
		t.Errorf("the drift function's event source: queue %s, batch size %d, response types %v, scaling %+v; want %s, 1, ReportBatchItemFailures and a MaximumConcurrency",
			aws.ToString(m.EventSourceArn), aws.ToInt32(m.BatchSize), m.FunctionResponseTypes, m.ScalingConfig, driftQueueArn)
	}
	for _, fn := range []string{"DispatchFunctionName", "DriftFunctionName", "AlarmHandlerFunctionName"} {
		cfg, err := d.lam.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{
			FunctionName: aws.String(d.output(t, fn)), Qualifier: aws.String("$LATEST"), // SAM configures $LATEST
		})
		if err != nil {
			t.Errorf("%s: event invoke config: %v", fn, err)
			continue
		}
		if cfg.DestinationConfig == nil || cfg.DestinationConfig.OnFailure == nil || aws.ToString(cfg.DestinationConfig.OnFailure.Destination) != failureQueueArn {
			t.Errorf("%s: failed asynchronous invocations do not go to the failure queue %s", fn, failureQueueArn)
		}
	}
}

func queueArn(t *testing.T, ctx context.Context, d *deployment, url string) string {
	t.Helper()
	out, err := d.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("queue %s: %v", url, err)
	}
	return out.Attributes["QueueArn"]
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// evalCondition evaluates a template condition made of Fn::Equals, Fn::Not,
// Fn::And, Fn::Or, Condition and Ref to parameters.
func evalCondition(c any, conditions map[string]any, params map[string]string) (bool, error) {
	m, ok := c.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("unsupported condition %v", c)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("Fn::Equals takes two values: %v", arg)
			}
			a, err := cfntemplate.Resolve(args[0], params)
			if err != nil {
				return false, err
			}
			b, err := cfntemplate.Resolve(args[1], params)
			if err != nil {
				return false, err
			}
			return strings.TrimSpace(a) == strings.TrimSpace(b), nil
		case "Fn::Not":
			if len(args) != 1 {
				return false, fmt.Errorf("Fn::Not takes one condition: %v", arg)
			}
			v, err := evalCondition(args[0], conditions, params)
			return !v, err
		case "Fn::And", "Fn::Or":
			and := fn == "Fn::And"
			result := and
			for _, a := range args {
				v, err := evalCondition(a, conditions, params)
				if err != nil {
					return false, err
				}
				if and {
					result = result && v
				} else {
					result = result || v
				}
			}
			return result, nil
		case "Condition":
			name, _ := arg.(string)
			return evalCondition(conditions[name], conditions, params)
		}
		return false, fmt.Errorf("unsupported condition function %s", fn)
	}
	return false, nil
}
