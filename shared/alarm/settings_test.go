package alarm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
)

func TestSettingsFromEnv(t *testing.T) {
	tests := []struct {
		env     map[string]string
		targets string
		err     string
	}{
		{map[string]string{"BUCKET": "b"}, "none", ""},
		{map[string]string{"BUCKET": "b", "RETRAIN_STATE_MACHINE_ARN": "arn:sm"}, "state machine", ""},
		{map[string]string{"BUCKET": "b", "RETRAIN_TOPIC_ARN": "arn:t"}, "topic", ""},
		{map[string]string{"BUCKET": "b", "RETRAIN_STATE_MACHINE_ARN": "arn:sm", "RETRAIN_TOPIC_ARN": "arn:t", "RETRAIN_COOLDOWN": "6h", "ALARM_POLICY_URL": "s3://b/config/alarm-policy.json"}, "state machine and topic", ""},
		{map[string]string{}, "", "BUCKET is not set"},
		{map[string]string{"BUCKET": "b", "RETRAIN_COOLDOWN": "daily"}, "", "RETRAIN_COOLDOWN"},
	}
	for _, tc := range tests {
		s, err := alarm.SettingsFromEnv(func(k string) string { return tc.env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || s.Targets() != tc.targets || s.Bucket != "b" || s.PolicyURL != tc.env["ALARM_POLICY_URL"] {
			t.Errorf("%v: %+v %v", tc.env, s, err)
		}
		if tc.env["RETRAIN_COOLDOWN"] == "6h" && s.Policy.Cooldown != 6*time.Hour {
			t.Errorf("cooldown %v", s.Policy.Cooldown)
		}
	}
}

func TestSettingsAlarmNamePrefix(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"unset: the default stack", "", "modelwatch-"},
		{"blank", "  ", "modelwatch-"},
		{"the stack's name", "mw-eu-", "mw-eu-"},
		{"spaces trimmed", " modelwatch-prod- ", "modelwatch-prod-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"BUCKET": "b", "ALARM_NAME_PREFIX": tc.value}
			s, err := alarm.SettingsFromEnv(func(k string) string { return env[k] })
			if err != nil || s.AlarmNamePrefix != tc.want {
				t.Errorf("AlarmNamePrefix %q (%v), want %q", s.AlarmNamePrefix, err, tc.want)
			}
		})
	}
}
