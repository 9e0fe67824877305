package alarm

import (
	"errors"
	"fmt"
	"strings"
)

// Environment variables of the alarm-handler Lambda (besides those of
// PolicyFromEnv).
const (
	EnvBucket          = "BUCKET"
	EnvStateMachineARN = "RETRAIN_STATE_MACHINE_ARN"
	EnvTopicARN        = "RETRAIN_TOPIC_ARN"
	EnvPolicyURL       = "ALARM_POLICY_URL"
	EnvAlarmNamePrefix = "ALARM_NAME_PREFIX"
)

// Settings is the alarm handler's configuration from its environment.
type Settings struct {
	// Bucket is the modelwatch bucket: markers, reports, references.
	Bucket string
	// StateMachineARN and TopicARN are the retraining targets; either,
	// both or neither may be set.
	StateMachineARN string
	TopicARN        string
	// PolicyURL locates an optional policy document (s3://bucket/key or a
	// file path) read over Policy; empty means Policy alone.
	PolicyURL string
	// AlarmNamePrefix starts the stack's alarm names (template.yaml sets
	// ${AWS::StackName}-); unset means AlarmNamePrefix.
	AlarmNamePrefix string
	// Policy is the policy from RETRAIN_METRICS, RETRAIN_COOLDOWN and
	// METRICS_NAMESPACE.
	Policy Policy
}

// SettingsFromEnv reads the settings; getenv is os.Getenv in production.
// BUCKET is required.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{
		Bucket:          strings.TrimSpace(getenv(EnvBucket)),
		StateMachineARN: strings.TrimSpace(getenv(EnvStateMachineARN)),
		TopicARN:        strings.TrimSpace(getenv(EnvTopicARN)),
		PolicyURL:       strings.TrimSpace(getenv(EnvPolicyURL)),
		AlarmNamePrefix: orDefault(strings.TrimSpace(getenv(EnvAlarmNamePrefix))),
	}
	if s.Bucket == "" {
		return Settings{}, errors.New(EnvBucket + " is not set: the bucket of the retrain markers and reports")
	}
	p, err := PolicyFromEnv(getenv)
	if err != nil {
		return Settings{}, fmt.Errorf("alarm policy: %w", err)
	}
	s.Policy = p
	return s, nil
}

// Targets says which retraining targets are configured, for the start-up
// log.
func (s Settings) Targets() string {
	switch {
	case s.StateMachineARN != "" && s.TopicARN != "":
		return "state machine and topic"
	case s.StateMachineARN != "":
		return "state machine"
	case s.TopicARN != "":
		return "topic"
	}
	return "none"
}
