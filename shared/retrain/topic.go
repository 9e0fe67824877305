package retrain

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNSAPI is the part of *sns.Client that Topic uses.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ SNSAPI = (*sns.Client)(nil)

// Topic publishes to one SNS topic.
type Topic struct {
	client SNSAPI
	arn    string
	fifo   bool
}

// NewTopic returns a publisher for the topic topicARN. On a FIFO topic
// (its name ends in .fifo) every message carries the request id as its
// deduplication id, so SNS drops a repeat of the same request within its
// five-minute deduplication window.
func NewTopic(client SNSAPI, topicARN string) (*Topic, error) {
	if !strings.HasPrefix(topicARN, "arn:") || strings.Count(topicARN, ":") != 5 {
		return nil, fmt.Errorf("topic ARN %q: want arn:aws:sns:REGION:ACCOUNT:NAME", topicARN)
	}
	return &Topic{client: client, arn: topicARN, fifo: strings.HasSuffix(topicARN, ".fifo")}, nil
}

// ARN returns the topic's ARN.
func (t *Topic) ARN() string { return t.arn }

// maxSubject is SNS's limit on a subject.
const maxSubject = 100

// Publish publishes message with attributes as String message attributes
// and the subject "Retraining requested: {id}" (for e-mail subscribers).
func (t *Topic) Publish(ctx context.Context, id string, message []byte, attributes map[string]string) error {
	in := &sns.PublishInput{
		TopicArn: aws.String(t.arn),
		Message:  aws.String(string(message)),
		Subject:  aws.String(subject(id)),
	}
	if len(attributes) > 0 {
		in.MessageAttributes = make(map[string]types.MessageAttributeValue, len(attributes))
		for k, v := range attributes {
			if v == "" { // SNS rejects empty attribute values
				continue
			}
			in.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	if t.fifo {
		in.MessageGroupId = aws.String(id)
		in.MessageDeduplicationId = aws.String(id)
	}
	if _, err := t.client.Publish(ctx, in); err != nil {
		return fmt.Errorf("publish retraining request %s to %s: %w", id, t.arn, err)
	}
	return nil
}

func subject(id string) string {
	s := "Retraining requested: " + id
	if len(s) > maxSubject {
		s = s[:maxSubject]
	}
	return s
}
