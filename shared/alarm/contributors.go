package alarm

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// DescribeContributorsAPI is the part of the CloudWatch client that
// CloudWatchContributors uses.
type DescribeContributorsAPI interface {
	DescribeAlarmContributors(ctx context.Context, in *cloudwatch.DescribeAlarmContributorsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmContributorsOutput, error)
}

// CloudWatchContributors lists an alarm's contributors in ALARM with
// CloudWatch's DescribeAlarmContributors (IAM action
// cloudwatch:DescribeAlarmContributors on the alarm).
type CloudWatchContributors struct {
	client DescribeContributorsAPI
}

var _ ContributorLister = (*CloudWatchContributors)(nil)

// NewCloudWatchContributors returns a ContributorLister over client.
func NewCloudWatchContributors(client DescribeContributorsAPI) (*CloudWatchContributors, error) {
	if client == nil {
		return nil, errors.New("contributor lister: a CloudWatch client is required")
	}
	return &CloudWatchContributors{client: client}, nil
}

// maxContributorPages bounds the pages read (CloudWatch keeps at most 100
// contributors in ALARM).
const maxContributorPages = 20

// AlarmContributors returns every contributor of the alarm that is in ALARM.
func (c *CloudWatchContributors) AlarmContributors(ctx context.Context, alarmName string) ([]Contributor, error) {
	var out []Contributor
	var token *string
	for range maxContributorPages {
		page, err := c.client.DescribeAlarmContributors(ctx, &cloudwatch.DescribeAlarmContributorsInput{AlarmName: aws.String(alarmName), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("describe the contributors of alarm %s: %w", alarmName, err)
		}
		for _, a := range page.AlarmContributors {
			con := Contributor{ID: aws.ToString(a.ContributorId), Attributes: a.ContributorAttributes, Reason: aws.ToString(a.StateReason)}
			if a.StateTransitionedTimestamp != nil {
				con.At = a.StateTransitionedTimestamp.UTC()
			}
			out = append(out, con)
		}
		if token = page.NextToken; aws.ToString(token) == "" {
			return out, nil
		}
	}
	return out, fmt.Errorf("describe the contributors of alarm %s: more than %d pages", alarmName, maxContributorPages)
}
