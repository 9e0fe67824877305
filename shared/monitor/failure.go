package monitor

import (
	"context"
	"errors"
	"net"

	"github.com/aws/smithy-go"
)

// throttleCodes are the error codes AWS services answer when a request was
// throttled.
var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "RequestThrottled": true,
	"RequestThrottledException": true, "TooManyRequestsException": true, "RequestLimitExceeded": true,
	"SlowDown": true, "ProvisionedThroughputExceededException": true, "LimitExceededException": true,
	"RequestTimeout": true, "RequestTimeoutException": true, "InternalError": true, "InternalFailure": true,
	"ServiceUnavailable": true,
}

// Retryable reports whether a failed model run may succeed when the
// invocation is retried: the service throttled it, answered with a 5xx, or
// could not be reached in time. A corrupt or missing object, a bad config or
// a refused request are not: a retry would fail the same way.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		if code := status.HTTPStatusCode(); code >= 500 || code == 429 {
			return true
		}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return throttleCodes[apiErr.ErrorCode()]
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
