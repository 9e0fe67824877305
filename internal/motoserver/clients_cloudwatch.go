package motoserver

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// CloudWatchClient returns a CloudWatch client for the server, built from
// AWSConfig. It speaks awsQuery: the SDK's default protocol (Smithy RPC v2
// CBOR) is one moto does not implement. Functions under test get the same
// with CLOUDWATCH_PROTOCOL=query.
func (s *Server) CloudWatchClient() *cloudwatch.Client {
	return cloudwatch.NewFromConfig(s.AWSConfig(), func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
}
