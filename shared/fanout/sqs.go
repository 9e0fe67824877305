package fanout

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSAPI is the part of the SQS client the queue sender uses.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// SQSSender sends to one queue.
type SQSSender struct {
	client   SQSAPI
	queueURL string
}

var _ Sender = (*SQSSender)(nil)

// NewSQSSender returns a Sender to the queue at queueURL.
func NewSQSSender(client SQSAPI, queueURL string) (*SQSSender, error) {
	if client == nil || queueURL == "" {
		return nil, fmt.Errorf("new SQS sender: need a client and a queue URL")
	}
	return &SQSSender{client: client, queueURL: queueURL}, nil
}

// SendBatch sends up to MaxBatch bodies in one SendMessageBatch call.
func (s *SQSSender) SendBatch(ctx context.Context, bodies []string) ([]int, error) {
	if len(bodies) > MaxBatch {
		return nil, fmt.Errorf("send %d messages: at most %d a batch", len(bodies), MaxBatch)
	}
	entries := make([]types.SendMessageBatchRequestEntry, len(bodies))
	for i, b := range bodies {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b)}
	}
	out, err := s.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(s.queueURL), Entries: entries})
	if err != nil {
		return nil, fmt.Errorf("send a batch of %d messages to %s: %w", len(bodies), s.queueURL, err)
	}
	var failed []int
	for _, f := range out.Failed {
		i, err := strconv.Atoi(aws.ToString(f.Id))
		if err != nil || i < 0 || i >= len(bodies) {
			return nil, fmt.Errorf("send to %s: the answer names an unknown entry %q", s.queueURL, aws.ToString(f.Id))
		}
		failed = append(failed, i)
	}
	return failed, nil
}
