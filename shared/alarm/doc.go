// Package alarm turns CloudWatch alarm notifications, delivered by SNS, into
// at most one retraining request per model and cooldown slot.
//
// DecodeNotification reads the JSON message CloudWatch publishes on a state
// change; Notification.Model, Notification.Metric and Notification.Value
// read what the handler needs from it. A Policy says which metrics are
// retrain triggers and how long each model's cooldown is (ParsePolicy,
// PolicyFromEnv, NewStoredPolicy for a document in the bucket).
//
// Handler is the alarm-handler Lambda's logic. Only transitions into ALARM
// of a retrain-trigger metric act: the handler writes the dedup marker
// retrain/model={model}/{slot}.json with a conditional write (the slot is
// the cooldown period the alarm's state change falls in), and only the
// writer of the marker starts the retraining state machine (Starter) with a
// deterministic execution name and publishes the request (Publisher). The
// marker carries a state (pending, then started) and a lease, so a start
// that failed, or an invocation that died halfway, is taken over by a retry
// instead of being lost behind the cooldown; takeovers are serialised by
// conditional writes of claim objects next to the marker. Duplicate
// deliveries and losers of a race do nothing and say so in the log.
//
// The handler consumes store.Store, Starter and Publisher; MemoryStarter and
// MemoryPublisher are in-memory fakes for tests, and package retrain has the
// Step Functions and SNS adapters. See docs/alarms.md.
package alarm
