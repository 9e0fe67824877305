package motoserver

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SNSClient returns an SNS client for the server, built from AWSConfig.
func (s *Server) SNSClient() *sns.Client { return sns.NewFromConfig(s.AWSConfig()) }

// SQSClient returns an SQS client for the server, built from AWSConfig.
func (s *Server) SQSClient() *sqs.Client { return sqs.NewFromConfig(s.AWSConfig()) }

var topicSeq atomic.Int64

// TopicQueue is an SNS topic with an SQS queue subscribed to it, so a test
// can read what was published.
type TopicQueue struct {
	TopicARN string
	QueueURL string
	server   *Server
}

// NewTopicQueue creates a topic and a queue with unique names starting with
// prefix and subscribes the queue to the topic with raw message delivery
// (the queue's message body is the published message itself). Like
// NewBucket, the resources live until the server stops or is reset.
func (s *Server) NewTopicQueue(t testing.TB, prefix string) *TopicQueue {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e6, topicSeq.Add(1))
	topic, err := s.SNSClient().CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("motoserver: create topic %s: %v", name, err)
	}
	queue, err := s.SQSClient().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("motoserver: create queue %s: %v", name, err)
	}
	attrs, err := s.SQSClient().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("motoserver: queue ARN of %s: %v", name, err)
	}
	_, err = s.SNSClient().Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint:   aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]),
		Attributes: map[string]string{"RawMessageDelivery": "true"},
	})
	if err != nil {
		t.Fatalf("motoserver: subscribe %s to %s: %v", name, aws.ToString(topic.TopicArn), err)
	}
	return &TopicQueue{TopicARN: aws.ToString(topic.TopicArn), QueueURL: aws.ToString(queue.QueueUrl), server: s}
}

// Drain receives and deletes the queue's messages until none arrives for
// quiet, and returns them (with their message attributes).
func (q *TopicQueue) Drain(t testing.TB, quiet time.Duration) []sqstypes.Message {
	t.Helper()
	ctx := context.Background()
	client := q.server.SQSClient()
	var out []sqstypes.Message
	idleSince := time.Now()
	for time.Since(idleSince) < quiet {
		resp, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.QueueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatalf("motoserver: receive from %s: %v", q.QueueURL, err)
		}
		if len(resp.Messages) == 0 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		idleSince = time.Now()
		for _, m := range resp.Messages {
			out = append(out, m)
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.QueueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("motoserver: delete from %s: %v", q.QueueURL, err)
			}
		}
	}
	return out
}
