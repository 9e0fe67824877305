package templatetest

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
	"github.com/modelwatch/modelwatch/shared/catalog"
)

var functionIDs = []string{"IngestFunction", "DispatchFunction", "DriftFunction", "AlarmHandlerFunction", "CaptureImportFunction"}

func TestFunctionsAreBuiltAndRunAsDesigned(t *testing.T) {
	tpl := loadTemplate(t)
	g, _ := path(tpl.Root, "Globals", "Function").(map[string]any)
	for field, want := range map[string]any{
		"Runtime":       "provided.al2023",
		"Handler":       "bootstrap",
		"Architectures": []any{map[string]any{"Ref": "Architecture"}},
		"Tracing":       "Active",
		"CodeUri":       ".",
	} {
		if !reflect.DeepEqual(g[field], want) {
			t.Errorf("Globals.Function.%s is %v, want %v", field, g[field], want)
		}
	}
	if d := tpl.ParameterDefaults()["Architecture"]; d != "arm64" {
		t.Errorf("Architecture defaults to %q, want arm64", d)
	}
	for _, field := range []string{"Timeout", "MemorySize"} {
		if _, ok := g[field].(float64); !ok {
			t.Errorf("Globals.Function.%s is not set", field)
		}
	}
	if path(g, "LoggingConfig", "LogFormat") != "JSON" {
		t.Error("Globals.Function.LoggingConfig.LogFormat is not JSON")
	}

	makefile := string(readFile(t, "Makefile"))
	res := resources(t)
	for _, id := range functionIDs {
		fn := resource(t, res, id, "AWS::Serverless::Function")
		if path(fn.Metadata, "BuildMethod") != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod is not makefile", id)
		}
		if lf := path(fn.Properties, "LoggingConfig", "LogFormat"); lf != nil && lf != "JSON" {
			t.Errorf("%s: LogFormat %v", id, lf)
		}
		if lg, _ := cfntemplate.Ref(path(fn.Properties, "LoggingConfig", "LogGroup")); lg != "" {
			group := resource(t, res, lg, "AWS::Logs::LogGroup")
			if ref, _ := cfntemplate.Ref(group.Properties["RetentionInDays"]); ref != "LogRetentionDays" {
				t.Errorf("%s: log group %s keeps logs forever", id, lg)
			}
		}
		target := regexp.MustCompile(`(?m)^build-` + id + `:`)
		if !target.MatchString(makefile) {
			t.Errorf("the Makefile has no target build-%s (sam build runs it)", id)
		}
	}
	if !strings.Contains(makefile, "lambda.norpc") {
		t.Error("the Makefile does not build with -tags lambda.norpc")
	}
}

func TestAsynchronousFunctionsKeepTheirFailures(t *testing.T) {
	res := resources(t)
	for _, id := range []string{"DispatchFunction", "DriftFunction", "AlarmHandlerFunction", "CaptureImportFunction"} {
		fn := resource(t, res, id, "AWS::Serverless::Function")
		dest := path(fn.Properties, "EventInvokeConfig", "DestinationConfig", "OnFailure")
		if q, _, _ := cfntemplate.GetAtt(path(dest, "Destination")); q == "" || path(dest, "Type") != "SQS" {
			t.Errorf("%s: no on-failure destination queue (EventInvokeConfig.DestinationConfig.OnFailure)", id)
		} else {
			resource(t, res, q, "AWS::SQS::Queue")
		}
		if _, ok := path(fn.Properties, "EventInvokeConfig", "MaximumRetryAttempts").(float64); !ok {
			t.Errorf("%s: EventInvokeConfig.MaximumRetryAttempts is not set", id)
		}
	}
}

// TestDriftRunsFanOutThroughTheDriftQueue: the schedule starts the dispatch
// function, which sends to the drift queue, which the drift function
// consumes one message at a time, at most DriftConcurrency at once,
// reporting the messages to retry; a message that keeps failing goes to the
// failure queue.
func TestDriftRunsFanOutThroughTheDriftQueue(t *testing.T) {
	res := resources(t)
	drift := resource(t, res, "DriftFunction", "AWS::Serverless::Function")
	var sources []any
	for name, e := range drift.Properties["Events"].(map[string]any) {
		switch path(e, "Type") {
		case "SQS":
			sources = append(sources, path(e, "Properties"))
		default:
			t.Errorf("DriftFunction has the event %s of type %v: its runs come from the drift queue (and direct invocations)", name, path(e, "Type"))
		}
	}
	if len(sources) != 1 {
		t.Fatalf("DriftFunction has %d SQS event sources, want 1", len(sources))
	}
	src := sources[0]
	if q, _, _ := cfntemplate.GetAtt(path(src, "Queue")); q != "DriftQueue" {
		t.Errorf("the drift function consumes %v, want DriftQueue", path(src, "Queue"))
	}
	if path(src, "BatchSize") != float64(1) {
		t.Errorf("BatchSize %v, want 1 (one model a run)", path(src, "BatchSize"))
	}
	if ref, _ := cfntemplate.Ref(path(src, "ScalingConfig", "MaximumConcurrency")); ref != "DriftConcurrency" {
		t.Errorf("MaximumConcurrency %v, want the DriftConcurrency parameter", path(src, "ScalingConfig", "MaximumConcurrency"))
	}
	if !reflect.DeepEqual(path(src, "FunctionResponseTypes"), []any{"ReportBatchItemFailures"}) {
		t.Errorf("FunctionResponseTypes %v, want [ReportBatchItemFailures]", path(src, "FunctionResponseTypes"))
	}
	q := resource(t, res, "DriftQueue", "AWS::SQS::Queue")
	if dlq, _, _ := cfntemplate.GetAtt(path(q.Properties, "RedrivePolicy", "deadLetterTargetArn")); dlq != "FailureQueue" {
		t.Errorf("the drift queue's redrive target is %v, want FailureQueue", path(q.Properties, "RedrivePolicy", "deadLetterTargetArn"))
	}
	timeout, _ := drift.Properties["Timeout"].(float64)
	if vt, _ := path(q.Properties, "VisibilityTimeout").(float64); vt < timeout {
		t.Errorf("the drift queue's VisibilityTimeout %v is below the drift function's timeout %v", vt, timeout)
	}
	dispatch := resource(t, res, "DispatchFunction", "AWS::Serverless::Function")
	if ref, _ := cfntemplate.Ref(path(dispatch.Properties, "Environment", "Variables", "DRIFT_QUEUE_URL")); ref != "DriftQueue" {
		t.Errorf("the dispatch function's DRIFT_QUEUE_URL is %v, want the drift queue", path(dispatch.Properties, "Environment", "Variables", "DRIFT_QUEUE_URL"))
	}
}

func TestDriftRunsOnASchedulerScheduleWithRetriesAndDLQ(t *testing.T) {
	fn := resource(t, resources(t), "DispatchFunction", "AWS::Serverless::Function")
	var schedules []any
	for _, e := range fn.Properties["Events"].(map[string]any) {
		if path(e, "Type") == "ScheduleV2" {
			schedules = append(schedules, path(e, "Properties"))
		}
	}
	if len(schedules) != 1 {
		t.Fatalf("DispatchFunction has %d ScheduleV2 events, want 1", len(schedules))
	}
	s := schedules[0]
	if ref, _ := cfntemplate.Ref(path(s, "ScheduleExpression")); ref != "DriftSchedule" {
		t.Errorf("the schedule expression is %v, want the DriftSchedule parameter", path(s, "ScheduleExpression"))
	}
	if _, ok := path(s, "RetryPolicy", "MaximumRetryAttempts").(float64); !ok {
		t.Error("the schedule has no RetryPolicy")
	}
	if path(s, "DeadLetterConfig", "Arn") == nil && path(s, "DeadLetterConfig", "Type") == nil {
		t.Error("the schedule has no DeadLetterConfig")
	}
	input, _ := path(s, "Input").(string)
	var doc map[string]any
	if err := json.Unmarshal([]byte(input), &doc); err != nil {
		t.Errorf("the schedule's Input %q is not a JSON object: %v", input, err)
	}
}

func TestIngestIsIAMAuthorisedAndBounded(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	api := resource(t, res, "IngestApi", "AWS::Serverless::HttpApi")
	if path(api.Properties, "Auth", "DefaultAuthorizer") != "AWS_IAM" || path(api.Properties, "Auth", "EnableIamAuthorizer") != true {
		t.Errorf("IngestApi is not AWS_IAM-authorised by default: %v", api.Properties["Auth"])
	}
	if path(api.Properties, "DefaultRouteSettings", "ThrottlingRateLimit") == nil {
		t.Error("IngestApi has no throttling")
	}
	fn := resource(t, res, "IngestFunction", "AWS::Serverless::Function")
	routes := 0
	for name, e := range fn.Properties["Events"].(map[string]any) {
		if path(e, "Type") != "HttpApi" {
			t.Errorf("IngestFunction event %s is a %v", name, path(e, "Type"))
			continue
		}
		routes++
		if ref, _ := cfntemplate.Ref(path(e, "Properties", "ApiId")); ref != "IngestApi" {
			t.Errorf("IngestFunction event %s is not on IngestApi", name)
		}
		if auth := path(e, "Properties", "Auth"); auth != nil {
			t.Errorf("IngestFunction event %s overrides the authorizer: %v", name, auth)
		}
	}
	if routes == 0 {
		t.Error("IngestFunction has no routes")
	}
	limit := ""
	for k, v := range path(fn.Properties, "Environment", "Variables").(map[string]any) {
		if ref, _ := cfntemplate.Ref(v); ref == "MaxBodyBytes" {
			limit = k
		}
	}
	if limit == "" {
		t.Error("IngestFunction is not given the MaxBodyBytes payload limit")
	}
	url, _ := cfntemplate.SubString(path(tpl.Root, "Outputs", "IngestApiUrl", "Value"))
	if !strings.Contains(url, "${IngestApi}") {
		t.Errorf("the IngestApiUrl output %q does not name IngestApi", url)
	}
}

func TestBucketIsPrivateEncryptedAndExpires(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	b := resource(t, res, "DataBucket", "AWS::S3::Bucket")
	sse, _ := path(b.Properties, "BucketEncryption", "ServerSideEncryptionConfiguration").([]any)
	if len(sse) == 0 || path(sse[0], "ServerSideEncryptionByDefault", "SSEAlgorithm") == nil {
		t.Error("DataBucket has no default encryption")
	}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if path(b.Properties, "PublicAccessBlockConfiguration", k) != true {
			t.Errorf("DataBucket: PublicAccessBlockConfiguration.%s is not true", k)
		}
	}
	tlsOnly := false
	for _, r := range res {
		if r.Type != "AWS::S3::BucketPolicy" {
			continue
		}
		if ref, _ := cfntemplate.Ref(r.Properties["Bucket"]); ref != "DataBucket" {
			continue
		}
		for _, s := range path(r.Properties, "PolicyDocument", "Statement").([]any) {
			if path(s, "Effect") == "Deny" && path(s, "Condition", "Bool", "aws:SecureTransport") == "false" {
				tlsOnly = true
			}
		}
	}
	if !tlsOnly {
		t.Error("no bucket policy denies requests without TLS")
	}
	rules := map[string]any{}
	for _, r := range path(b.Properties, "LifecycleConfiguration", "Rules").([]any) {
		if p, ok := path(r, "Prefix").(string); ok {
			rules[p] = r
		}
	}
	predictions := rules["predictions/"]
	if ref, _ := cfntemplate.Ref(path(predictions, "ExpirationInDays")); ref != "RawDataRetentionDays" {
		t.Error("raw predictions do not expire after RawDataRetentionDays")
	}
	tr, _ := path(predictions, "Transitions").([]any)
	if len(tr) != 1 || path(tr[0], "StorageClass") != "STANDARD_IA" {
		t.Error("raw predictions do not move to STANDARD_IA")
	}
	if ref, _ := cfntemplate.Ref(path(rules["reports/"], "ExpirationInDays")); ref != "ReportRetentionDays" {
		t.Error("reports do not expire after ReportRetentionDays")
	}
	if ref, _ := cfntemplate.Ref(path(b.Properties, "VersioningConfiguration", "Status")); ref != "DataBucketVersioning" {
		t.Error("the bucket's versioning is not the DataBucketVersioning parameter")
	}
	if got := tpl.ParameterDefaults()["DataBucketVersioning"]; got != "Enabled" {
		t.Errorf("DataBucketVersioning defaults to %q, want Enabled", got)
	}
	noncurrent := false
	for _, r := range path(b.Properties, "LifecycleConfiguration", "Rules").([]any) {
		ref, _ := cfntemplate.Ref(path(r, "NoncurrentVersionExpiration", "NoncurrentDays"))
		if ref == "NoncurrentVersionRetentionDays" && path(r, "Status") == "Enabled" && path(r, "Prefix") == nil {
			noncurrent = true
		}
	}
	if !noncurrent {
		t.Error("no bucket-wide lifecycle rule expires noncurrent versions after NoncurrentVersionRetentionDays")
	}
	d := tpl.ParameterDefaults()
	raw, _ := strconv.Atoi(d["RawDataRetentionDays"])
	reports, _ := strconv.Atoi(d["ReportRetentionDays"])
	ia, _ := strconv.Atoi(d["RawDataInfrequentAccessDays"])
	if reports <= raw || raw <= ia {
		t.Errorf("defaults: reports kept %d days, raw data %d (IA after %d): want reports > raw > IA", reports, raw, ia)
	}
}

func TestTopicsAreEncryptedAndAlarmsCanPublish(t *testing.T) {
	res := resources(t)
	for _, id := range []string{"AlertsTopic", "RetrainTopic"} {
		topic := resource(t, res, id, "AWS::SNS::Topic")
		if ref, _ := cfntemplate.Ref(topic.Properties["KmsMasterKeyId"]); ref != "TopicKey" {
			t.Errorf("%s is not encrypted with TopicKey", id)
		}
	}
	key := resource(t, res, "TopicKey", "AWS::KMS::Key")
	cloudwatch := false
	for _, s := range path(key.Properties, "KeyPolicy", "Statement").([]any) {
		if path(s, "Principal", "Service") == "cloudwatch.amazonaws.com" {
			cloudwatch = true
		}
	}
	if !cloudwatch {
		t.Error("TopicKey's policy does not let CloudWatch alarms publish to the encrypted alerts topic")
	}
	tlsOnly := map[string]bool{}
	for _, r := range res {
		if r.Type != "AWS::SNS::TopicPolicy" {
			continue
		}
		for _, s := range path(r.Properties, "PolicyDocument", "Statement").([]any) {
			ref, _ := cfntemplate.Ref(path(s, "Resource"))
			if path(s, "Effect") == "Deny" && path(s, "Action") == "sns:Publish" && path(s, "Condition", "Bool", "aws:SecureTransport") == "false" {
				for _, topic := range r.Properties["Topics"].([]any) {
					if t, _ := cfntemplate.Ref(topic); t == ref {
						tlsOnly[ref] = true
					}
				}
			}
		}
	}
	for _, id := range []string{"AlertsTopic", "RetrainTopic"} {
		if !tlsOnly[id] {
			t.Errorf("no topic policy denies publishing to %s without TLS", id)
		}
	}
	sub := resource(t, res, "AlertEmailSubscription", "AWS::SNS::Subscription")
	if sub.Condition != "HasAlertEmail" || path(sub.Properties, "Protocol") != "email" {
		t.Error("AlertEmailSubscription is not an e-mail subscription conditional on AlertEmail")
	}
}

// stateMachineActions maps the ASL task resources to the IAM actions the
// state machine's role needs for them.
var stateMachineActions = map[string][]string{
	"arn:aws:states:::sns:publish": {"sns:Publish"},
	"arn:aws:states:::sagemaker:createTrainingJob.sync": {
		"sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob",
		"sagemaker:AddTags", "events:PutTargets", "events:PutRule", "events:DescribeRule", "iam:PassRole"},
}

var sdkIntegration = regexp.MustCompile(`^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$`)

func TestStateMachineDefinitionAndPolicy(t *testing.T) {
	res := resources(t)
	sm := resource(t, res, "RetrainStateMachine", "AWS::Serverless::StateMachine")
	if sm.Properties["DefinitionUri"] != "infra/retrain.asl.json" {
		t.Fatalf("RetrainStateMachine.DefinitionUri is %v, want infra/retrain.asl.json", sm.Properties["DefinitionUri"])
	}
	if sm.Properties["Type"] != "STANDARD" {
		t.Error("RetrainStateMachine is not STANDARD (createTrainingJob.sync needs it)")
	}
	asl := string(readFile(t, "infra/retrain.asl.json"))
	subs, _ := sm.Properties["DefinitionSubstitutions"].(map[string]any)
	used := cfntemplate.SubVariables(asl)
	for _, v := range used {
		if _, ok := subs[v]; !ok {
			t.Errorf("infra/retrain.asl.json uses ${%s}, which DefinitionSubstitutions does not define", v)
		}
	}
	for k := range subs {
		if !slices.Contains(used, k) {
			t.Errorf("DefinitionSubstitutions defines %s, which infra/retrain.asl.json does not use", k)
		}
	}
	var def any
	rendered := asl
	for _, v := range used {
		rendered = strings.ReplaceAll(rendered, "${"+v+"}", "x")
	}
	if err := json.Unmarshal([]byte(rendered), &def); err != nil {
		t.Fatalf("infra/retrain.asl.json is not JSON: %v", err)
	}
	needed := map[string]bool{}
	var visit func(v any)
	visit = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["Type"] == "Task" {
				r, _ := x["Resource"].(string)
				r = strings.Replace(r, "${AWS::Partition}", "aws", 1)
				if acts, ok := stateMachineActions[r]; ok {
					for _, a := range acts {
						needed[a] = true
					}
				} else if m := sdkIntegration.FindStringSubmatch(r); m != nil {
					needed[m[1]+":"+strings.ToUpper(m[2][:1])+m[2][1:]] = true
				} else {
					t.Errorf("task resource %q: add the IAM actions it needs to stateMachineActions", r)
				}
			}
			for _, c := range x {
				visit(c)
			}
		case []any:
			for _, c := range x {
				visit(c)
			}
		}
	}
	visit(def)
	granted := checkLeastPrivilege(t, "RetrainStateMachine", statements(t, "RetrainStateMachine", sm.Properties["Policies"]))
	if needed["sns:Publish"] {
		for _, a := range impliedActions["sns:Publish"] {
			needed[a] = true
		}
	}
	for _, a := range sortedKeys(needed) {
		if !granted[a] {
			t.Errorf("the state machine's policy does not grant %s, which its definition needs", a)
		}
	}
	for _, a := range sortedKeys(granted) {
		if !needed[a] {
			t.Errorf("the state machine's policy grants %s, which its definition does not use", a)
		}
	}
}

// TestScheduleInputIsTheSampleEvent checks that events/drift-schedule.json,
// the sample used with sam local invoke and by the drift function's tests,
// is what the template's schedule sends.
func TestScheduleInputIsTheSampleEvent(t *testing.T) {
	fn := resource(t, resources(t), "DispatchFunction", "AWS::Serverless::Function")
	var input string
	for _, e := range fn.Properties["Events"].(map[string]any) {
		if path(e, "Type") == "ScheduleV2" {
			input, _ = path(e, "Properties", "Input").(string)
		}
	}
	var fromTemplate, sample map[string]any
	if err := json.Unmarshal([]byte(input), &fromTemplate); err != nil {
		t.Fatalf("schedule input %q: %v", input, err)
	}
	if err := json.Unmarshal(readFile(t, "events/drift-schedule.json"), &sample); err != nil {
		t.Fatalf("events/drift-schedule.json: %v", err)
	}
	for k, v := range fromTemplate {
		got, ok := sample[k].(string)
		if !ok {
			t.Errorf("events/drift-schedule.json has no %s", k)
			continue
		}
		if v == "<aws.scheduler.scheduled-time>" {
			if _, err := time.Parse(time.RFC3339, got); err != nil {
				t.Errorf("events/drift-schedule.json: %s %q is not an RFC 3339 time", k, got)
			}
		} else if got != v {
			t.Errorf("events/drift-schedule.json: %s is %q, the schedule sends %q", k, got, v)
		}
	}
	for k := range sample {
		if _, ok := fromTemplate[k]; !ok {
			t.Errorf("events/drift-schedule.json has %s, which the schedule never sends", k)
		}
	}
}

// TestStatefulResourcesSayWhatHappensOnDelete: every stateful resource sets
// DeletionPolicy and UpdateReplacePolicy (cfn-lint I3011), with the choice
// docs/deploy.md explains.
func TestStatefulResourcesSayWhatHappensOnDelete(t *testing.T) {
	res := resources(t)
	want := map[string]string{
		"DataBucket":             "Retain",
		"TopicKey":               "Delete",
		"FailureQueue":           "Delete",
		"DriftQueue":             "Delete",
		"DispatchLogGroup":       "Retain",
		"IngestLogGroup":         "Retain",
		"IngestApiLogGroup":      "Retain",
		"DriftLogGroup":          "Retain",
		"AlarmHandlerLogGroup":   "Retain",
		"CaptureImportLogGroup":  "Retain",
		"CaptureImportEventsDLQ": "Delete",
	}
	for id, policy := range want {
		r, ok := res[id]
		if !ok {
			t.Errorf("template.yaml has no resource %s", id)
			continue
		}
		if r.DeletionPolicy != policy || r.UpdateReplacePolicy != policy {
			t.Errorf("%s: DeletionPolicy %q, UpdateReplacePolicy %q; want %s for both", id, r.DeletionPolicy, r.UpdateReplacePolicy, policy)
		}
	}
	for id, r := range res {
		switch r.Type {
		case "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SQS::Queue", "AWS::Logs::LogGroup", "AWS::DynamoDB::Table":
			if _, ok := want[id]; !ok {
				t.Errorf("%s (%s) is stateful: add it here with its DeletionPolicy, and say why in docs/deploy.md", id, r.Type)
			}
		}
	}
}

// TestReservedConcurrencyIsAParameter: each function's reserved concurrency
// is a parameter, -1 leaving it unset.
func TestReservedConcurrencyIsAParameter(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	params := tpl.Section("Parameters")
	conditions := tpl.Section("Conditions")
	for _, id := range functionIDs {
		param := strings.TrimSuffix(id, "Function") + "ReservedConcurrency"
		p, _ := params[param].(map[string]any)
		if p == nil || p["Type"] != "Number" || p["MinValue"] != float64(-1) {
			t.Errorf("%s: parameter %s is not a Number from -1: %v", id, param, p)
			continue
		}
		fn := resource(t, res, id, "AWS::Serverless::Function")
		cond := "Has" + param
		want := map[string]any{"Fn::If": []any{cond, map[string]any{"Ref": param}, map[string]any{"Ref": "AWS::NoValue"}}}
		if got := fn.Properties["ReservedConcurrentExecutions"]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ReservedConcurrentExecutions is %v, want %v", id, got, want)
		}
		wantCond := map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": param}, float64(-1)}}}}
		if got := conditions[cond]; !reflect.DeepEqual(got, wantCond) {
			t.Errorf("condition %s is %v, want %v", cond, got, wantCond)
		}
	}
}

// nameProperties are the properties that give a resource (or the resource
// a SAM event makes) its physical name.
var nameProperties = []string{
	"AlarmName", "DashboardName", "AliasName", "TopicName", "QueueName", "FunctionName", "RoleName",
	"LogGroupName", "StateMachineName", "Name", "BucketName", "ScheduleName", "RuleName", "KeyName",
}

// TestNamedResourcesCarryTheStackName: a name that does not start with the
// stack's collides with a second stack in the account and region (docs
// suggest one past ~60 models). The ScheduleV2 event is named: SAM's
// default name, {Function}{Event}, is the same in every stack.
func TestNamedResourcesCarryTheStackName(t *testing.T) {
	tpl := loadTemplate(t)
	vars := subValues(t, tpl)
	check := func(where string, props map[string]any) {
		for _, k := range nameProperties {
			v, ok := props[k]
			if !ok {
				continue
			}
			name, err := cfntemplate.Resolve(v, vars)
			if err != nil {
				t.Errorf("%s.%s: %v", where, k, err)
			} else if !strings.HasPrefix(strings.TrimPrefix(name, "alias/"), testStack+"-") {
				t.Errorf("%s.%s is %q, which does not start with the stack name and a hyphen (%s-)", where, k, name, testStack)
			}
		}
	}
	res := resources(t)
	named := 0
	for id, r := range res {
		check(id, r.Properties)
		events, _ := r.Properties["Events"].(map[string]any)
		for name, e := range events {
			props, _ := path(e, "Properties").(map[string]any)
			check(id+".Events."+name, props)
		}
		for _, k := range nameProperties {
			if r.Properties[k] != nil {
				named++
			}
		}
	}
	if named < len(catalog.Alarms)+2 {
		t.Errorf("only %d named resources: the check does not see the alarms and dashboards", named)
	}
	fn := resource(t, res, "DispatchFunction", "AWS::Serverless::Function")
	for name, e := range fn.Properties["Events"].(map[string]any) {
		if path(e, "Type") == "ScheduleV2" && path(e, "Properties", "Name") == nil {
			t.Errorf("DispatchFunction's ScheduleV2 event %s has no Name: SAM would name it DispatchFunction%s in every stack", name, name)
		}
	}
}

// TestOutputDescriptionsAreLiteral: an Output's Description must be a
// literal string (CloudFormation does not resolve functions there).
func TestOutputDescriptionsAreLiteral(t *testing.T) {
	outputs := loadTemplate(t).Section("Outputs")
	for id, o := range outputs {
		if d := path(o, "Description"); d != nil {
			if _, literal := d.(string); !literal {
				t.Errorf("output %s: Description %v is not a literal string", id, d)
			}
		}
	}
	if _, ok := outputs["DashboardUrl"]; !ok {
		t.Error("no output DashboardUrl")
	}
}
