// Command alarmhandler is the alarm-handler Lambda function: CloudWatch alarm
// notifications delivered by SNS become at most one retraining request per
// model and cooldown slot (package alarm). Configuration: docs/alarms.md.
package main
