package motoserver

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
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
