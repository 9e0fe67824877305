package main

import (
	"context"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/retrain"
	"github.com/modelwatch/modelwatch/shared/store"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(log)
	h, err := newHandler(context.Background(), log)
	if err != nil {
		log.Error("alarm handler: configuration", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

func newHandler(ctx context.Context, log *slog.Logger) (*alarm.Handler, error) {
	set, err := alarm.SettingsFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	s3Client, err := store.NewS3Client(ctx)
	if err != nil {
		return nil, err
	}
	cfg := alarm.Config{Store: store.NewS3(s3Client, set.Bucket), Policy: alarm.StaticPolicy(set.Policy),
		AlarmNamePrefix: set.AlarmNamePrefix, Logger: log}
	if set.PolicyURL != "" {
		st, key, err := store.OpenURL(ctx, set.PolicyURL)
		if err != nil {
			return nil, err
		}
		cfg.Policy = alarm.NewStoredPolicy(st, key, set.Policy, 0)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	if set.StateMachineARN != "" {
		if cfg.Starter, err = retrain.NewStepFunctions(sfn.NewFromConfig(awsCfg), set.StateMachineARN); err != nil {
			return nil, err
		}
	}
	if set.TopicARN != "" {
		if cfg.Publisher, err = retrain.NewTopic(sns.NewFromConfig(awsCfg), set.TopicARN); err != nil {
			return nil, err
		}
	}
	if set.Targets() == "none" {
		log.Warn("neither " + alarm.EnvStateMachineARN + " nor " + alarm.EnvTopicARN + " is set: alarms are logged and counted, no retraining is requested")
	}
	log.Info("alarm handler configured", "bucket", set.Bucket, "targets", set.Targets(),
		"state_machine", set.StateMachineARN, "topic", set.TopicARN, "policy_url", set.PolicyURL, "alarm_name_prefix", set.AlarmNamePrefix,
		"retrain_metrics", strings.Join(set.Policy.RetrainMetrics, ","), "cooldown", set.Policy.Cooldown.String())
	return alarm.New(cfg)
}
