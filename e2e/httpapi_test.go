package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apitypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// ingestAPI is the deployed HTTP API of the ingest function, as a client
// sends to it: SigV4-signed requests for execute-api.
type ingestAPI struct {
	endpoint *url.URL // the API's own endpoint (its host names the API)
	client   *http.Client
	creds    aws.Credentials
}

// openIngestAPI returns a client of the deployed IngestApi. MiniStack
// creates an HTTP API from CloudFormation without the routes of its OpenAPI
// Body (the Body SAM generates from the function's HttpApi events), so when
// the API has no route the test creates the routes and integrations that
// Body declares, from the stack's processed template; on an emulator that
// imports the Body nothing is created.
func (d *deployment) openIngestAPI(t *testing.T, ctx context.Context) *ingestAPI {
	t.Helper()
	api := apigatewayv2.NewFromConfig(d.cfg)
	apiID := d.physicalID(t, "IngestApi")
	got, err := api.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(apiID)})
	if err != nil {
		t.Fatalf("get the ingest API %s: %v", apiID, err)
	}
	routes, err := api.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(apiID)})
	if err != nil {
		t.Fatalf("routes of the ingest API: %v", err)
	}
	if len(routes.Items) == 0 {
		d.createDeclaredRoutes(t, ctx, api, apiID)
	}
	endpoint, err := url.Parse(aws.ToString(got.ApiEndpoint))
	if err != nil || endpoint.Host == "" {
		t.Fatalf("the ingest API's endpoint %q: %v", aws.ToString(got.ApiEndpoint), err)
	}
	emulator, _ := url.Parse(d.endpoint)
	// The API's host name ({id}.execute-api.localhost) selects the API; the
	// connection goes to the emulator's loopback port.
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := d.httpClient.Transport.(*http.Transport).Clone()
	transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, emulator.Host)
	}
	creds, err := d.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &ingestAPI{endpoint: endpoint, client: &http.Client{Transport: transport, Timeout: 60 * time.Second}, creds: creds}
}

// createDeclaredRoutes creates, for each operation of the OpenAPI Body of
// IngestApi in the processed template, an AWS_PROXY integration with the
// function it names and the route with the Body's authorization.
func (d *deployment) createDeclaredRoutes(t *testing.T, ctx context.Context, api *apigatewayv2.Client, apiID string) {
	t.Helper()
	out, err := d.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(d.stack), TemplateStage: cfntypes.TemplateStageProcessed})
	if err != nil {
		t.Fatalf("get the processed template: %v", err)
	}
	var processed struct {
		Resources map[string]struct {
			Properties struct {
				Body struct {
					Paths map[string]map[string]struct {
						Integration struct {
							Type                 string `json:"type"`
							URI                  any    `json:"uri"`
							PayloadFormatVersion string `json:"payloadFormatVersion"`
						} `json:"x-amazon-apigateway-integration"`
						Security []map[string]any `json:"security"`
					} `json:"paths"`
				} `json:"Body"`
			} `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.TemplateBody)), &processed); err != nil {
		t.Fatalf("the processed template is not JSON: %v", err)
	}
	paths := processed.Resources["IngestApi"].Properties.Body.Paths
	if len(paths) == 0 {
		t.Fatal("the processed template's IngestApi has no OpenAPI paths")
	}
	for path, ops := range paths {
		for method, op := range ops {
			if op.Integration.Type != "aws_proxy" {
				t.Fatalf("%s %s: integration type %q, want aws_proxy", method, path, op.Integration.Type)
			}
			fn := d.integrationFunction(t, ctx, op.Integration.URI)
			integ, err := api.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{
				ApiId:                aws.String(apiID),
				IntegrationType:      apitypes.IntegrationTypeAwsProxy,
				IntegrationUri:       aws.String(fn),
				IntegrationMethod:    aws.String("POST"),
				PayloadFormatVersion: aws.String(op.Integration.PayloadFormatVersion),
			})
			if err != nil {
				t.Fatalf("create the integration of %s %s: %v", method, path, err)
			}
			auth := apitypes.AuthorizationTypeNone
			for _, s := range op.Security {
				if _, ok := s["AWS_IAM"]; ok {
					auth = apitypes.AuthorizationTypeAwsIam
				}
			}
			if _, err := api.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{
				ApiId:             aws.String(apiID),
				RouteKey:          aws.String(strings.ToUpper(method) + " " + path),
				Target:            aws.String("integrations/" + aws.ToString(integ.IntegrationId)),
				AuthorizationType: auth,
			}); err != nil {
				t.Fatalf("create the route %s %s: %v", method, path, err)
			}
		}
	}
}

// integrationFunction resolves the Lambda function of an integration URI of
// the processed template: arn:...:apigateway:REGION:lambda:path/.../functions/FN/invocations,
// written with Fn::Sub over ${Function.Arn}.
func (d *deployment) integrationFunction(t *testing.T, ctx context.Context, uri any) string {
	t.Helper()
	s, _ := uri.(string)
	if m, ok := uri.(map[string]any); ok {
		s, _ = m["Fn::Sub"].(string)
	}
	before, _, ok := strings.Cut(s, ".Arn}/invocations")
	start := strings.LastIndex(before, "${")
	if !ok || start < 0 {
		t.Fatalf("integration uri %v names no function", uri)
	}
	return d.functionArn(t, ctx, d.physicalID(t, before[start+2:]))
}

// post sends body to path of the API, signed, and returns the status and
// the answer.
func (a *ingestAPI) post(t *testing.T, ctx context.Context, path string, headers map[string]string, body []byte) (int, []byte) {
	t.Helper()
	u := *a.endpoint
	u.Path = path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, a.creds, req, hex.EncodeToString(sum[:]), "execute-api", region, time.Now()); err != nil {
		t.Fatalf("sign the request: %v", err)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: read the answer: %v", path, err)
	}
	return resp.StatusCode, answer
}

// postPredictions sends one prediction batch through the deployed HTTP API
// and checks every record was accepted.
func (a *ingestAPI) postPredictions(t *testing.T, ctx context.Context, model, batchID string, body []byte) {
	t.Helper()
	status, answer := a.post(t, ctx, fmt.Sprintf("/v1/models/%s/predictions", model), map[string]string{"Idempotency-Key": batchID}, body)
	var res struct {
		Accepted int               `json:"accepted"`
		Rejected []json.RawMessage `json:"rejected"`
	}
	if status != http.StatusOK || json.Unmarshal(answer, &res) != nil || len(res.Rejected) != 0 || res.Accepted == 0 {
		t.Fatalf("POST the batch %s: HTTP %d %s", batchID, status, answer)
	}
}
