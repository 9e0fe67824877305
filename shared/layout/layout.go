package layout

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Kind is a partitioned data set of the bucket.
type Kind string

// The partitioned data sets.
const (
	Predictions Kind = "predictions"
	Labels      Kind = "labels"
	Profiles    Kind = "profiles"
)

var (
	modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	batchID   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
)

// CheckModel validates a model name: 1 to 64 letters, digits, '.', '_' or
// '-', starting with a letter or digit.
func CheckModel(model string) error {
	if !modelName.MatchString(model) {
		return fmt.Errorf("model name %q: want 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", model)
	}
	return nil
}

// CheckVersion validates a model version with the same rule as a model name.
func CheckVersion(version string) error {
	if !modelName.MatchString(version) {
		return fmt.Errorf("model version %q: want 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", version)
	}
	return nil
}

// CheckBatchID validates a batch id (an idempotency key): 1 to 128 letters,
// digits, '.', '_' or '-', starting with a letter or digit.
func CheckBatchID(id string) error {
	if !batchID.MatchString(id) {
		return fmt.Errorf("batch id %q: want 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit", id)
	}
	return nil
}

// ReferenceProfile is the key of a model version's reference profile.
func ReferenceProfile(model, version string) string {
	return "reference/" + model + "/" + version + "/profile.json"
}

// ReferencePointer is the key of the document naming a model's active
// reference version.
func ReferencePointer(model string) string { return "reference/" + model + "/current.json" }

// ReferencePrefix is the prefix under which every model's references live;
// listing it discovers the monitored models.
const ReferencePrefix = "reference/"

// Hour truncates t to its UTC hour.
func Hour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// HourPrefix is the prefix of one hour partition of a data set, ending in '/'.
func HourPrefix(kind Kind, model string, hour time.Time) string {
	h := Hour(hour)
	return fmt.Sprintf("%s/model=%s/dt=%s/hour=%02d/", kind, model, h.Format("2006-01-02"), h.Hour())
}

// DataObject is the key of a batch's records in one hour partition: gzip
// JSON Lines for predictions and labels, JSON for profiles.
func DataObject(kind Kind, model string, hour time.Time, batch string) string {
	ext := ".jsonl.gz"
	if kind == Profiles {
		ext = ".json"
	}
	return HourPrefix(kind, model, hour) + batch + ext
}

// PartitionKey is what a partitioned key says: data set, model, hour and
// batch id.
type PartitionKey struct {
	Kind  Kind
	Model string
	Hour  time.Time
	Batch string
}

var partitioned = regexp.MustCompile(`^(predictions|labels|profiles)/model=([^/]+)/dt=(\d{4}-\d{2}-\d{2})/hour=(\d{2})/([^/]+?)(\.jsonl\.gz|\.json)$`)

// ParseDataObject parses a key written by DataObject.
func ParseDataObject(key string) (PartitionKey, error) {
	m := partitioned.FindStringSubmatch(key)
	if m == nil {
		return PartitionKey{}, fmt.Errorf("key %q is not a partitioned data object", key)
	}
	hour, err := time.Parse("2006-01-02 15", m[3]+" "+m[4])
	if err != nil {
		return PartitionKey{}, fmt.Errorf("key %q: %w", key, err)
	}
	return PartitionKey{Kind: Kind(m[1]), Model: m[2], Hour: hour, Batch: m[5]}, nil
}

// DriftConfig are the keys, in the order they are tried, of a model's drift
// config (YAML or JSON; see the drift package).
func DriftConfig(model string) []string {
	return []string{"config/" + model + "/drift.yaml", "config/" + model + "/drift.json"}
}

// Receipt is the key of a batch's ingest receipt: its outcome, written
// first with If-None-Match so that a retried or concurrent duplicate request
// answers with the original outcome and stores nothing new.
func Receipt(model, batch string) string {
	return "receipts/model=" + model + "/" + batch + ".json"
}

// Rejected is the key of a batch's rejected records and their reasons.
func Rejected(model string, day time.Time, batch string) string {
	return fmt.Sprintf("rejected/model=%s/dt=%s/%s.json", model, day.UTC().Format("2006-01-02"), batch)
}

// WindowStamp formats a window end for keys: 20261126T2000Z.
func WindowStamp(windowEnd time.Time) string { return windowEnd.UTC().Format("20060102T1504Z") }

// Report is the key of a window's report; ext is "json" or "html".
func Report(model string, windowEnd time.Time, ext string) string {
	return fmt.Sprintf("reports/model=%s/dt=%s/%s.%s", model, windowEnd.UTC().Format("2006-01-02"), WindowStamp(windowEnd), strings.TrimPrefix(ext, "."))
}

// LatestReport is the key of a copy of a model's most recent JSON report.
func LatestReport(model string) string { return "reports/model=" + model + "/latest.json" }

// RetrainMarker is the key of the marker that makes a retraining request
// happen at most once per model and cooldown slot.
func RetrainMarker(model string, slot string) string {
	return "retrain/model=" + model + "/" + slot + ".json"
}

// CooldownSlot names the cooldown period that t falls in: periods of length
// cooldown counted from the Unix epoch, written as the period's start.
func CooldownSlot(t time.Time, cooldown time.Duration) string {
	if cooldown <= 0 {
		cooldown = time.Nanosecond
	}
	start := time.Unix(0, t.UnixNano()-t.UnixNano()%int64(cooldown)).UTC()
	return start.Format("20060102T150405Z")
}

// Quarantine is where an object that cannot be read is moved aside (a
// batch profile that does not decode), so that it no longer blocks its
// window: the same key under quarantine/.
func Quarantine(key string) string { return "quarantine/" + key }
