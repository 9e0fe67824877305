package perf

// Pair is a prediction and its label.
type Pair struct {
	Prediction Prediction
	Label      Label
}

// JoinStats counts what a join did with its input.
type JoinStats struct {
	// Predictions is the number of distinct successful predictions.
	Predictions int64 `json:"predictions"`
	// Failed is the number of distinct predictions whose model call failed;
	// they have no prediction to score.
	Failed int64 `json:"failed,omitempty"`
	// Duplicates is the number of prediction records whose request_id was
	// already seen; each request is counted once.
	Duplicates int64 `json:"duplicate_predictions,omitempty"`
	// Labelled is the number of successful predictions with a label.
	Labelled int64 `json:"labelled"`
}

// LatestLabels keeps one label per request: the one with the latest
// timestamp, and of labels with equal timestamps the last given (so a
// correction sent later wins, and the result does not depend on map order).
func LatestLabels(labels []Label) map[string]Label {
	out := make(map[string]Label, len(labels))
	for _, l := range labels {
		if old, ok := out[l.RequestID]; ok && l.Timestamp.Before(old.Timestamp) {
			continue
		}
		out[l.RequestID] = l
	}
	return out
}

// Join pairs each prediction with its label by request_id. A request_id
// that occurs in several prediction records is counted once, as its first
// record; failed predictions are counted and not paired. Pairs are in the
// order of the predictions.
func Join(preds []Prediction, labels map[string]Label) ([]Pair, JoinStats) {
	var st JoinStats
	seen := make(map[string]struct{}, len(preds))
	var pairs []Pair
	for _, p := range preds {
		if _, dup := seen[p.RequestID]; dup {
			st.Duplicates++
			continue
		}
		seen[p.RequestID] = struct{}{}
		if p.Failed {
			st.Failed++
			continue
		}
		st.Predictions++
		if l, ok := labels[p.RequestID]; ok {
			st.Labelled++
			pairs = append(pairs, Pair{Prediction: p, Label: l})
		}
	}
	return pairs, st
}
