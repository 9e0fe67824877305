package motoserver

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// SFNClient returns a Step Functions client for the server, built from
// AWSConfig.
func (s *Server) SFNClient() *sfn.Client { return sfn.NewFromConfig(s.AWSConfig()) }

// EnableStepFunctionsExecution makes moto really run state machine
// executions (Pass, Task with SNS/SQS/... integrations) instead of only
// recording them, by POSTing {"stepfunctions":{"execute_state_machine":true}}
// to /moto-api/config. moto picks the executing backend per request, so call
// it before creating the state machines that should run; the setting is
// server-wide. moto's executor calls other services on
// http://localhost:$MOTO_PORT, which moto sets from its -p flag when
// MOTO_PORT is unset (do not export a different MOTO_PORT to the tests).
func (s *Server) EnableStepFunctionsExecution() error {
	resp, err := http.Post(s.URL+"/moto-api/config", "application/json",
		bytes.NewReader([]byte(`{"stepfunctions":{"execute_state_machine":true}}`)))
	if err != nil {
		return fmt.Errorf("motoserver: enable Step Functions execution: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("motoserver: enable Step Functions execution: HTTP %s", resp.Status)
	}
	return nil
}

var stateMachineSeq atomic.Int64

// NewStateMachine creates a Standard state machine with a unique name from
// the Amazon States Language file path (relative to the test's package
// directory), replacing each ${Key} with subs[Key] as CloudFormation's
// DefinitionSubstitutions do, and returns its ARN. It fails the test when a
// ${...} is left unreplaced. Call EnableStepFunctionsExecution first if the
// executions should run.
func (s *Server) NewStateMachine(t testing.TB, path string, subs map[string]string) string {
	t.Helper()
	asl, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("motoserver: %v", err)
	}
	def := string(asl)
	for k, v := range subs {
		def = strings.ReplaceAll(def, "${"+k+"}", v)
	}
	if i := strings.Index(def, "${"); i >= 0 {
		end := strings.IndexByte(def[i:], '}')
		t.Fatalf("motoserver: %s uses %s, which subs does not set", path, def[i:i+max(end+1, 2)])
	}
	name := fmt.Sprintf("sm-%d-%d", time.Now().UnixNano()%1e6, stateMachineSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := s.SFNClient().CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), Type: sfntypes.StateMachineTypeStandard,
		RoleArn: aws.String("arn:aws:iam::123456789012:role/" + name),
	})
	if err != nil {
		t.Fatalf("motoserver: create state machine from %s: %v", path, err)
	}
	return aws.ToString(out.StateMachineArn)
}
