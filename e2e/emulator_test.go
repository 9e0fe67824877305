package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/modelwatch/modelwatch/shared/store"
)

// Variables that point the test at a stack already deployed (make local-e2e)
// instead of starting MiniStack and deploying one.
const (
	endpointVariable = "MODELWATCH_E2E_ENDPOINT"
	stackVariable    = "MODELWATCH_E2E_STACK"
	// caVariable names the PEM certificate to trust when the endpoint is
	// https with a certificate of its own (MiniStack's).
	caVariable = "MODELWATCH_E2E_CA"
)

const (
	region    = "us-east-1"
	accessKey = "test"
	secretKey = "test"
)

// deployment is template.yaml deployed as one stack on the emulator, with a
// client for each service the test talks to.
type deployment struct {
	endpoint, stack string
	// ownEmulator is true when the test started the emulator: the stack is
	// new, and the emulator's quirks named in the test apply.
	ownEmulator bool

	cfg aws.Config
	// httpClient trusts the emulator's certificate.
	httpClient *http.Client
	cfn        *cloudformation.Client
	lam        *lambda.Client
	s3         *s3.Client
	sns        *sns.Client
	sqs        *sqs.Client
	sfn        *sfn.Client
	cw         *cloudwatch.Client
	sched      *scheduler.Client
	store      store.Store

	// resources maps each logical id of the deployed stack to its summary;
	// outputs maps the stack's output keys to their values.
	resources map[string]cfntypes.StackResourceSummary
	outputs   map[string]string
	// parameters are the deployed stack's parameter values.
	parameters map[string]string
}

// deploy returns the stack under test: the one named by MODELWATCH_E2E_STACK
// on MODELWATCH_E2E_ENDPOINT when set, else a new one that deployOwn deploys.
func deploy(t *testing.T, ctx context.Context) *deployment {
	t.Helper()
	ep := os.Getenv(endpointVariable)
	if ep == "" {
		return deployOwn(t, ctx, "modelwatch-e2e", "")
	}
	d := &deployment{endpoint: strings.TrimRight(ep, "/"), stack: os.Getenv(stackVariable)}
	if d.stack == "" {
		d.stack = "modelwatch"
	}
	d.connect(t, ctx, os.Getenv(caVariable))
	return d
}

// deployOwn deploys a new stack, named from prefix, with `make local-up
// local-deploy` on a MiniStack of its own on a free loopback port — the build
// and deploy path a user runs — with the parameter overrides parameters
// ("Key=Value ..."), and removes it all afterwards.
func deployOwn(t *testing.T, ctx context.Context, prefix, parameters string) *deployment {
	t.Helper()
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, ".tools", "ministack", "bin", "ministack")); err != nil {
		t.Fatalf("MiniStack is not installed: run `make tools` (it installs the pinned SAM CLI and MiniStack into .tools/)")
	}
	port := freePort(t)
	d := &deployment{
		endpoint:    fmt.Sprintf("https://127.0.0.1:%d", port),
		stack:       fmt.Sprintf("%s-%d", prefix, port),
		ownEmulator: true,
	}
	state := t.TempDir()
	vars := []string{fmt.Sprintf("LOCAL_PORT=%d", port), "LOCAL_STATE=" + state, "STACK=" + d.stack}
	if parameters != "" {
		vars = append(vars, "LOCAL_PARAMETERS="+parameters)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(state, "ministack.log")); err == nil {
				t.Logf("--- MiniStack log (last 8 KiB) ---\n%s", tail(log, 8<<10))
			}
		}
		runMake(t, context.Background(), root, append([]string{"local-down"}, vars...)...)
	})
	started := time.Now()
	runMake(t, ctx, root, append([]string{"local-up"}, vars...)...)
	runMake(t, ctx, root, append([]string{"local-deploy"}, vars...)...)
	t.Logf("MiniStack up and %s built and deployed with the SAM CLI in %v", d.stack, time.Since(started).Round(time.Second))
	d.connect(t, ctx, filepath.Join(state, "tls", "cert.pem"))
	return d
}

// connect makes the clients of the emulator's services, trusting caFile when
// set, and reads the stack.
func (d *deployment) connect(t *testing.T, ctx context.Context, caFile string) {
	t.Helper()
	d.httpClient = httpClient(t, caFile)
	cfg := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		BaseEndpoint: aws.String(d.endpoint),
		HTTPClient:   d.httpClient,
	}
	d.cfg = cfg
	d.cfn = cloudformation.NewFromConfig(cfg)
	d.lam = lambda.NewFromConfig(cfg)
	d.s3 = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	d.sns = sns.NewFromConfig(cfg)
	d.sqs = sqs.NewFromConfig(cfg)
	d.sfn = sfn.NewFromConfig(cfg)
	d.cw = cloudwatch.NewFromConfig(cfg)
	d.sched = scheduler.NewFromConfig(cfg)
	d.load(t, ctx)
	d.store = store.NewS3(d.s3, d.output(t, "DataBucketName"))
}

// load reads the stack's resources, outputs and parameters.
func (d *deployment) load(t *testing.T, ctx context.Context) {
	t.Helper()
	desc, err := d.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(d.stack)})
	if err != nil || len(desc.Stacks) != 1 {
		t.Fatalf("describe stack %s: %v", d.stack, err)
	}
	s := desc.Stacks[0]
	if s.StackStatus != cfntypes.StackStatusCreateComplete && s.StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("stack %s is %s: %s", d.stack, s.StackStatus, aws.ToString(s.StackStatusReason))
	}
	d.outputs = map[string]string{}
	for _, o := range s.Outputs {
		d.outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	d.parameters = map[string]string{}
	for _, p := range s.Parameters {
		d.parameters[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	d.resources = map[string]cfntypes.StackResourceSummary{}
	pages := cloudformation.NewListStackResourcesPaginator(d.cfn, &cloudformation.ListStackResourcesInput{StackName: aws.String(d.stack)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("list the resources of %s: %v", d.stack, err)
		}
		for _, r := range page.StackResourceSummaries {
			d.resources[aws.ToString(r.LogicalResourceId)] = r
		}
	}
}

func (d *deployment) output(t *testing.T, key string) string {
	t.Helper()
	v, ok := d.outputs[key]
	if !ok || v == "" {
		t.Fatalf("stack %s has no output %s (outputs: %v)", d.stack, key, d.outputs)
	}
	return v
}

// physicalID is the physical id of the deployed resource logicalID.
func (d *deployment) physicalID(t *testing.T, logicalID string) string {
	t.Helper()
	r, ok := d.resources[logicalID]
	if !ok {
		t.Fatalf("stack %s has no resource %s", d.stack, logicalID)
	}
	return aws.ToString(r.PhysicalResourceId)
}

// httpClient returns a client that trusts the system's roots and, when
// caFile is set, the certificate in it.
func httpClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			t.Fatalf("the emulator's certificate: %v", err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			t.Fatalf("%s holds no PEM certificate", caFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport, Timeout: 2 * time.Minute}
}

// runMake runs make in the repository with the arguments, and fails the test
// with its output when it fails.
func runMake(t *testing.T, ctx context.Context, root string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", append([]string{"--no-print-directory", "-C", root}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, tail(out.Bytes(), 16<<10))
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
