// Package catalog is the one list of modelwatch's CloudWatch metrics and
// alarms: metric names, units and dimensions, and the alarm definitions that
// template.yaml, the local demo's alarm evaluation and the alarm handler's
// retrain policy all follow. Tests check template.yaml against it.
package catalog
