// Command dispatch is the drift schedule's target: it lists the models that
// have a reference profile in the bucket and sends one message per model to
// the drift queue, which the drift function consumes. The logic is in
// shared/fanout; this file only wires it.
package main
