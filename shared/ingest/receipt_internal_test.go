package ingest

import (
	"maps"
	"strings"
	"testing"
)

// TestReceiptVersions: a version 1 receipt (every rejection listed) is read
// as version 2, so a retry of a batch received before the bounds replays it.
func TestReceiptVersions(t *testing.T) {
	cases := []struct {
		name, doc  string
		count      int
		forced     map[int]string
		listed     int
		reasons    int
		wantErrSub string
	}{
		{"version 1", `{"schema_version":1,"batch_id":"b","records":12,"accepted":9,
			"rejected":[{"index":0,"reason":"x"},{"index":7,"reason":"y"},{"index":11,"reason":"x"}],"objects":[]}`,
			3, map[int]string{0: "x", 7: "y", 11: "x"}, 3, 2, ""},
		{"version 2, more than listed", `{"schema_version":2,"batch_id":"b","records":12,"accepted":9,"rejected_count":3,
			"rejected":[{"index":0,"reason":"x"}],"rejected_reasons":[{"reason":"x","count":3}],"rejected_indexes":"gQg=","objects":[]}`,
			3, map[int]string{0: "x", 7: "", 11: ""}, 1, 1, ""},
		{"no rejections", `{"schema_version":2,"batch_id":"b","records":2,"accepted":2,"rejected_count":0,"rejected":[],"objects":[]}`,
			0, map[int]string{}, 0, 0, ""},
		{"version 3", `{"schema_version":3}`, 0, nil, 0, 0, "schema_version 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := decodeReceipt([]byte(tc.doc))
			if tc.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
					t.Fatalf("error %v, want %q", err, tc.wantErrSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			forced, err := rc.forced()
			if err != nil {
				t.Fatal(err)
			}
			if rc.RejectedCount != tc.count || len(rc.Rejected) != tc.listed || len(rc.RejectedReasons) != tc.reasons || !maps.Equal(forced, tc.forced) {
				t.Errorf("count %d, listed %d, reasons %v, forced %v", rc.RejectedCount, len(rc.Rejected), rc.RejectedReasons, forced)
			}
		})
	}
	if got := indexBitmap(12, []Rejection{{Index: 0}, {Index: 7}, {Index: 11}}); got != "gQg=" {
		t.Errorf("bitmap %q", got)
	}
}
