"""Starts MiniStack with four emulator gaps filled, for the deployed-stack test.

    python tools/ministack_launch.py      (with MiniStack's virtualenv's python; tools/ministack.sh runs it)

MiniStack 1.5.33 differs from AWS where template.yaml needs it not to (each gap is
named in e2e/doc.go); this launcher wraps three of its functions and changes
nothing else:

1. Its CloudFormation refuses an AWS::CloudWatch::Alarm with Metrics ("metric math
   is not supported"), which template.yaml's alarms use: each is one alarm per kind
   on a Metrics Insights query over every model. Such an alarm is now stored with
   its Metrics, as PutMetricAlarm stores it, and DescribeAlarms returns it. MiniStack
   still does not evaluate it (it evaluates only alarms with MetricName and
   Namespace): the test reads the alarm back, evaluates its query itself and
   publishes the notification CloudWatch would send.
2. With IAM enforcement it authorises SendMessageBatch as the action
   sqs:SendMessageBatch; AWS authorises the batch actions of SQS with the action of
   one message (sqs:SendMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility),
   and IAM has no batch action to grant.
3. Its SQS event source poller compares ScalingConfig.MaximumConcurrency, which
   CloudFormation passes from a parameter as a string, with an int, and fails on
   every poll; it is read as the integer it is.
4. Its EventBridge Scheduler fires schedules with the target's Input as written,
   without replacing the context attributes (<aws.scheduler.scheduled-time>, ...)
   as AWS does; they are replaced, the scheduled time being the minute the
   schedule fired at (MiniStack checks schedules every 10 seconds).
"""

import sys
import time
from datetime import datetime, timezone

from ministack.app import main
from ministack.core import iam_actions
from ministack.services import eventbridge, lambda_svc
from ministack.services.cloudformation import provisioners

# 1. Alarms on a Metrics Insights query are stored.
_record = provisioners._cw_metric_alarm_record

# What a Metrics alarm does not have: the single metric's fields.
_SINGLE_METRIC_FIELDS = ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit")


def _query(q):
    """A MetricDataQuery as PutMetricAlarm stores it, from the template's properties."""
    out = {"Id": str(q.get("Id", ""))}
    for key in ("Expression", "Label", "AccountId"):
        if q.get(key) not in (None, ""):
            out[key] = str(q[key])
    if q.get("MetricStat"):
        out["MetricStat"] = q["MetricStat"]
    if q.get("Period") not in (None, ""):
        out["Period"] = int(q["Period"])
    rd = q.get("ReturnData", True)
    out["ReturnData"] = rd if isinstance(rd, bool) else str(rd).lower() not in ("false", "0", "no")
    return out


def _metrics_alarm_record(name, props):
    metrics = props.get("Metrics")
    if not metrics:
        return _record(name, props)
    # The provisioner's own checks and defaults for the rest, with stand-ins
    # for the single-metric fields it requires, which are then removed.
    stand_in = {k: v for k, v in props.items() if k != "Metrics"}
    stand_in.setdefault("MetricName", "-")
    stand_in.setdefault("Namespace", "-")
    alarm = _record(name, stand_in)
    for key in _SINGLE_METRIC_FIELDS:
        alarm.pop(key, None)
    alarm["Metrics"] = [_query(q) for q in metrics]
    return alarm


provisioners._cw_metric_alarm_record = _metrics_alarm_record

# 2. SQS batch actions are authorised as the action of one message.
_BATCH_ACTIONS = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
_extract_iam_action = iam_actions.extract_iam_action


def _iam_action(*args, **kwargs):
    action = _extract_iam_action(*args, **kwargs)
    return _BATCH_ACTIONS.get(action, action)


iam_actions.extract_iam_action = _iam_action

# 3. MaximumConcurrency is an integer.
_esm_concurrency = lambda_svc._sqs_esm_concurrency


def _sqs_esm_concurrency(esm, *args, **kwargs):
    scaling = esm.get("ScalingConfig") or {}
    if isinstance(scaling.get("MaximumConcurrency"), str):
        scaling["MaximumConcurrency"] = int(scaling["MaximumConcurrency"])
    return _esm_concurrency(esm, *args, **kwargs)


lambda_svc._sqs_esm_concurrency = _sqs_esm_concurrency

# 4. The scheduler's context attributes are replaced in the target's Input.
_invoke_target = eventbridge._invoke_target


def _scheduler_invoke_target(target, event, rule, *args, **kwargs):
    if event.get("Source") == "aws.scheduler" and isinstance(target.get("Input"), str):
        fired = datetime.fromtimestamp(float(event.get("Time") or time.time()), tz=timezone.utc).replace(second=0, microsecond=0)
        values = {
            "<aws.scheduler.scheduled-time>": fired.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "<aws.scheduler.execution-id>": str(event.get("EventId", "")),
            "<aws.scheduler.schedule-arn>": str((rule or {}).get("Arn", "")),
            "<aws.scheduler.attempt-number>": "1",
        }
        text = target["Input"]
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        target = dict(target, Input=text)
    return _invoke_target(target, event, rule, *args, **kwargs)


eventbridge._invoke_target = _scheduler_invoke_target

if __name__ == "__main__":
    sys.argv[0] = "ministack"
    sys.exit(main())
