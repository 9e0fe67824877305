package retrain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// SFNAPI is the part of *sfn.Client that StepFunctions uses.
type SFNAPI interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

var _ SFNAPI = (*sfn.Client)(nil)

// StepFunctions starts executions of one state machine.
type StepFunctions struct {
	client SFNAPI
	arn    string
}

// NewStepFunctions returns a starter for the state machine stateMachineARN.
func NewStepFunctions(client SFNAPI, stateMachineARN string) (*StepFunctions, error) {
	if !strings.HasPrefix(stateMachineARN, "arn:") || !strings.Contains(stateMachineARN, ":stateMachine:") {
		return nil, fmt.Errorf("state machine ARN %q: want arn:aws:states:REGION:ACCOUNT:stateMachine:NAME", stateMachineARN)
	}
	return &StepFunctions{client: client, arn: stateMachineARN}, nil
}

// ARN returns the state machine's ARN.
func (s *StepFunctions) ARN() string { return s.arn }

// StartExecution starts an execution called name with input (a JSON
// document). An execution of that name that already exists (Step Functions
// answers ExecutionAlreadyExists for a closed one, or one with another
// input; a running one with the same input it simply returns) is reported as
// existed, not as an error.
func (s *StepFunctions) StartExecution(ctx context.Context, name string, input []byte) (existed bool, err error) {
	_, err = s.client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(s.arn),
		Name:            aws.String(name),
		Input:           aws.String(string(input)),
	})
	if err == nil {
		return false, nil
	}
	if isAlreadyExists(err) {
		return true, nil
	}
	return false, fmt.Errorf("start execution %s of %s: %w", name, s.arn, err)
}

func isAlreadyExists(err error) bool {
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return true
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "ExecutionAlreadyExists"
}
