// Package fanout spreads one drift run over one invocation per model: it is
// the dispatch function's logic.
//
// The drift schedule targets the dispatch function, which lists the models
// that have a reference profile (reference/{model}/current.json) and sends
// one message per model to the drift queue (Dispatch). The drift function
// consumes that queue one message at a time and runs the model the message
// names (monitor.Handler); invoked directly, with a scheduler event or a
// backfill event, it still runs every model in one invocation. So one slow
// or broken model never delays the others, the run scales with Lambda's
// concurrency, and adding a model is publishing its reference profile.
//
// Each message is a driftevent.Event naming one model and pinning the window
// (the schedule's scheduled_time, or the dispatcher's clock), so a message
// delivered late or retried covers the same window as the others.
package fanout
