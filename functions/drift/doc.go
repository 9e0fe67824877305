// Command drift is the scheduled drift function: for every monitored model
// it compares the last window of live traffic with the reference profile,
// writes the window's report to the bucket and publishes the metrics to
// CloudWatch. The logic is in shared/monitor; this file only wires it.
package main
