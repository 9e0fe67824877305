package capture_test

import (
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch/shared/capture"
)

func ExampleDecode() {
	m, err := capture.ParseMapping("credit-default", []byte(`
endpoint: credit-endpoint
input: {features: [age, income, region]}
output: {probability: ".", classes: [no_default, default]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	line := `{"captureData": {` +
		`"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": "41,35294.56,north\n52,,south", "encoding": "CSV"},` +
		`"endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": "0.21\n0.75", "encoding": "CSV"}},` +
		`"eventMetadata": {"eventId": "e-1", "inferenceId": "r-9", "inferenceTime": "2026-12-01T10:15:00Z"}, "eventVersion": "0"}`
	b, err := capture.Decode(m, capture.File{
		Key:  "datacapture/credit-endpoint/AllTraffic/2026/12/01/10/05-00-000-x.jsonl",
		Time: time.Date(2026, 12, 1, 10, 20, 0, 0, time.UTC),
		Data: []byte(line + "\n{not json\n"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Kind, b.Records, "records from", b.Lines, "lines")
	fmt.Println(b.Body)
	fmt.Printf("line %d: %s\n", b.Unreadable[0].Line, b.Unreadable[0].Reason)
	// Output:
	// predictions 2 records from 2 lines
	// {"records":[{"request_id":"r-9#0","timestamp":"2026-12-01T10:15:00Z","model_version":"AllTraffic","features":{"age":41,"income":35294.56,"region":"north"},"prediction":"no_default","scores":{"default":0.21,"no_default":0.79}},{"request_id":"r-9#1","timestamp":"2026-12-01T10:15:00Z","model_version":"AllTraffic","features":{"age":52,"income":null,"region":"south"},"prediction":"default","scores":{"default":0.75,"no_default":0.25}}]}
	// line 2: invalid JSON: invalid character 'n' looking for beginning of object key string
}
