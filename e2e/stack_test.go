package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/store"
)

// endpointVariable points the test at a running emulator (LocalStack)
// instead of starting moto.
const endpointVariable = "MODELWATCH_E2E_ENDPOINT"

const (
	region    = "us-east-1"
	accessKey = "test"
	secretKey = "test"
	stackName = "modelwatch-e2e"
)

// stack is what template.yaml defines, created on the emulator for one test.
type stack struct {
	endpoint string
	onMoto   bool

	cfg   aws.Config
	s3    *s3.Client
	sns   *sns.Client
	sqs   *sqs.Client
	sfn   *sfn.Client
	cw    *cloudwatch.Client
	store store.Store

	tpl  *cfntemplate.Template
	res  map[string]cfntemplate.Resource
	vars map[string]string // values of parameters, pseudo parameters and resources

	model                     string
	bucket                    string
	alertsTopic, retrainTopic string
	alertsQueue, retrainQueue string
	stateMachine, account     string
}

// newStack starts (or connects to) the emulator and creates the resources of
// template.yaml the flow needs, for one model.
func newStack(t *testing.T, ctx context.Context, model string) *stack {
	t.Helper()
	st := &stack{model: model}
	if ep := os.Getenv(endpointVariable); ep != "" {
		st.endpoint = strings.TrimRight(ep, "/")
	} else {
		srv := motoserver.Start(t)
		st.endpoint, st.onMoto = srv.URL, true
		// moto runs state machines only when told to, before they are created.
		configureMoto(t, st.endpoint, `{"stepfunctions": {"execute_state_machine": true}}`)
	}
	st.cfg = aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		BaseEndpoint: aws.String(st.endpoint),
	}
	st.s3 = s3.NewFromConfig(st.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	st.sns = sns.NewFromConfig(st.cfg)
	st.sqs = sqs.NewFromConfig(st.cfg)
	st.sfn = sfn.NewFromConfig(st.cfg)
	st.cw = cloudwatch.NewFromConfig(st.cfg, func(o *cloudwatch.Options) {
		if st.onMoto { // moto does not speak the SDK's default CBOR protocol
			o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
		}
	})

	tpl, err := cfntemplate.Load(repoFile(t, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st.tpl = tpl
	st.res, err = tpl.Resources(map[string]string{"Models": model})
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000_000)

	st.bucket = "modelwatch-e2e-" + suffix
	must(t, "create bucket", func() error {
		_, err := st.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(st.bucket)})
		return err
	})
	st.store = store.NewS3(st.s3, st.bucket)
	st.alertsTopic = st.createTopic(t, ctx, "modelwatch-alerts-"+suffix)
	st.retrainTopic = st.createTopic(t, ctx, "modelwatch-retrain-"+suffix)
	st.account = strings.Split(st.alertsTopic, ":")[4]
	st.alertsQueue = st.subscribeQueue(t, ctx, st.alertsTopic, "modelwatch-alerts-"+suffix)
	st.retrainQueue = st.subscribeQueue(t, ctx, st.retrainTopic, "modelwatch-retrain-"+suffix)

	st.vars = tpl.ParameterDefaults()
	for k, v := range map[string]string{
		"Models":           model,
		"AWS::Region":      region,
		"AWS::AccountId":   st.account,
		"AWS::Partition":   "aws",
		"AWS::URLSuffix":   "amazonaws.com",
		"AWS::StackName":   stackName,
		"DataBucket":       st.bucket,
		"DataBucket.Arn":   "arn:aws:s3:::" + st.bucket,
		"AlertsTopic":      st.alertsTopic,
		"RetrainTopic":     st.retrainTopic,
		"TopicKey.Arn":     fmt.Sprintf("arn:aws:kms:%s:%s:key/e2e", region, st.account),
		"FailureQueue":     st.alertsQueue, // failures are not expected; any queue will do
		"FailureQueue.Arn": fmt.Sprintf("arn:aws:sqs:%s:%s:e2e-failures", region, st.account),
	} {
		st.vars[k] = v
	}
	st.stateMachine = st.createStateMachine(t, ctx, "modelwatch-retrain-"+suffix)
	st.vars["RetrainStateMachine"] = st.stateMachine
	return st
}

func configureMoto(t *testing.T, endpoint, config string) {
	t.Helper()
	resp, err := http.Post(endpoint+"/moto-api/config", "application/json", strings.NewReader(config))
	if err != nil {
		t.Fatalf("configure moto: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("configure moto: HTTP %s", resp.Status)
	}
}

func must(t *testing.T, what string, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (st *stack) createTopic(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	out, err := st.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	return aws.ToString(out.TopicArn)
}

// subscribeQueue creates a queue and subscribes it to topic; it returns the
// queue's URL.
func (st *stack) subscribeQueue(t *testing.T, ctx context.Context, topic, name string) string {
	t.Helper()
	q, err := st.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	attrs, err := st.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("queue %s: %v", name, err)
	}
	if _, err := st.sns.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes["QueueArn"]),
	}); err != nil {
		t.Fatalf("subscribe %s to %s: %v", name, topic, err)
	}
	return aws.ToString(q.QueueUrl)
}

// createStateMachine creates the retraining state machine from
// infra/retrain.asl.json with the template's DefinitionSubstitutions.
func (st *stack) createStateMachine(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	sm, ok := st.res["RetrainStateMachine"]
	if !ok {
		t.Fatal("template.yaml has no RetrainStateMachine")
	}
	uri, _ := sm.Properties["DefinitionUri"].(string)
	asl, err := os.ReadFile(repoFile(t, uri))
	if err != nil {
		t.Fatalf("the retraining state machine's definition: %v", err)
	}
	subs := map[string]string{}
	raw, _ := sm.Properties["DefinitionSubstitutions"].(map[string]any)
	for k, v := range raw {
		val, err := cfntemplate.Resolve(v, st.vars)
		if err != nil {
			t.Fatalf("DefinitionSubstitutions.%s: %v", k, err)
		}
		subs[k] = val
	}
	def, err := cfntemplate.Sub(string(asl), subs)
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	if !json.Valid([]byte(def)) {
		t.Fatalf("%s with its substitutions is not JSON", uri)
	}
	out, err := st.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(name),
		Definition: aws.String(def),
		RoleArn:    aws.String(fmt.Sprintf("arn:aws:iam::%s:role/%s-retrain", st.account, stackName)),
		Type:       sfntypes.StateMachineTypeStandard,
	})
	if err != nil {
		t.Fatalf("create state machine: %v", err)
	}
	return aws.ToString(out.StateMachineArn)
}

// functionEnv is the environment template.yaml gives function id (Globals
// and its own variables), resolved for this stack, plus what points the SDK
// at the emulator.
func (st *stack) functionEnv(t *testing.T, id string) []string {
	t.Helper()
	vars := map[string]any{}
	if g, ok := st.tpl.Root["Globals"].(map[string]any); ok {
		if m, ok := dig(g, "Function", "Environment", "Variables").(map[string]any); ok {
			for k, v := range m {
				vars[k] = v
			}
		}
	}
	fn, ok := st.res[id]
	if !ok {
		t.Fatalf("template.yaml has no %s", id)
	}
	if m, ok := dig(fn.Properties, "Environment", "Variables").(map[string]any); ok {
		for k, v := range m {
			vars[k] = v
		}
	}
	var env []string
	for k, v := range vars {
		val, err := cfntemplate.Resolve(v, st.vars)
		if err != nil {
			t.Fatalf("%s: environment variable %s: %v", id, k, err)
		}
		env = append(env, k+"="+val)
	}
	env = append(env,
		"AWS_ENDPOINT_URL="+st.endpoint,
		"AWS_ACCESS_KEY_ID="+accessKey,
		"AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_REGION="+region,
		"AWS_DEFAULT_REGION="+region,
		"AWS_EC2_METADATA_DISABLED=true",
	)
	if st.onMoto {
		env = append(env, cloudWatchProtocolVariable+"=query")
	}
	return env
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// receive long-polls queue until want messages arrived or the deadline
// passes, and returns the SNS envelopes received.
func (st *stack) receive(t *testing.T, ctx context.Context, queue string, want int, within time.Duration) []snsEnvelope {
	t.Helper()
	deadline := time.Now().Add(within)
	var out []snsEnvelope
	for len(out) < want && time.Now().Before(deadline) {
		resp, err := st.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		})
		if err != nil {
			t.Fatalf("receive from %s: %v", queue, err)
		}
		for _, m := range resp.Messages {
			var env snsEnvelope
			if err := json.NewDecoder(bytes.NewReader([]byte(aws.ToString(m.Body)))).Decode(&env); err != nil {
				t.Fatalf("message on %s is not an SNS envelope: %v\n%s", queue, err, aws.ToString(m.Body))
			}
			out = append(out, env)
			if _, err := st.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete message from %s: %v", queue, err)
			}
		}
	}
	return out
}

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
