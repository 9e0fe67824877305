// Package driftevent is the event that starts a drift run: the scheduler's
// event, a message of the drift queue, or a manual re-run or backfill.
//
// The dispatch function checks an event (Check) and sends one copy per
// model to the drift queue; the drift function decodes each (Parse) and
// resolves the window it covers. Both depend on this package only, so the
// dispatch function's bootstrap does not link the drift engine.
package driftevent
