package demo

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // an S3 ETag of a single-part upload is the MD5 of the object
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"time"

	"github.com/modelwatch/modelwatch/shared/capture"
	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/store"
)

// The sources of the model service's traffic.
const (
	// SourceAPI sends batches to the ingest function, as the clients do.
	SourceAPI = "api"
	// SourceSageMakerCapture writes what SageMaker Data Capture writes for
	// an endpoint (one JSON line per request) and the ground truth a team
	// uploads, into a capture bucket, and imports each object with the
	// capture-import function's code.
	SourceSageMakerCapture = "sagemaker-capture"
)

// Sources are the values Options.Source takes.
var Sources = []string{SourceAPI, SourceSageMakerCapture}

// The demo's SageMaker endpoint and capture bucket.
const (
	captureEndpoint    = "credit-default-endpoint"
	captureVariant     = "AllTraffic"
	CaptureBucketDir   = "capture-bucket"
	captureBucketName  = "demo-capture"
	captureDataPrefix  = "datacapture/"
	groundTruthPrefix  = "ground-truth/" + captureEndpoint + "/"
	captureMappingYAML = `# How the Data Capture files of ` + captureEndpoint + ` become prediction records.
endpoint: ` + captureEndpoint + `
variant: ` + captureVariant + `
model_version: ` + ModelVersion + `
request_id: inference_id
input:
  records: instances
output:
  probability: "."
  classes: [` + ClassNoDefault + `, ` + ClassDefault + `]
ground_truth:
  prefix: ` + groundTruthPrefix + `
`
)

// captureSource is the capture bucket and the capture-import code.
type captureSource struct {
	bucket   *store.Local
	importer *captureimport.Importer
	mapping  *capture.Mapping
}

// newCaptureSource publishes the model's capture mapping to the modelwatch
// bucket, as a user would, and opens the capture bucket under dir.
func newCaptureSource(ctx context.Context, dir string, bucket store.Store, ing captureimport.Ingester, imp captureimport.Bucket, opts ...captureimport.Option) (*captureSource, error) {
	if err := bucket.Put(ctx, capture.MappingKey(ModelName), []byte(captureMappingYAML)); err != nil {
		return nil, fmt.Errorf("publish the capture mapping: %w", err)
	}
	m, err := capture.ParseMapping(ModelName, []byte(captureMappingYAML))
	if err != nil {
		return nil, fmt.Errorf("the demo's capture mapping: %w", err)
	}
	cb, err := store.NewLocal(dir)
	if err != nil {
		return nil, err
	}
	return &captureSource{bucket: cb, importer: captureimport.New(imp, ing, opts...), mapping: m}, nil
}

// captureLine is one line of a Data Capture file.
type captureLine struct {
	CaptureData struct {
		EndpointInput  captureData `json:"endpointInput"`
		EndpointOutput captureData `json:"endpointOutput"`
	} `json:"captureData"`
	EventMetadata struct {
		EventID       string `json:"eventId"`
		InferenceTime string `json:"inferenceTime"`
		InferenceID   string `json:"inferenceId,omitempty"`
	} `json:"eventMetadata"`
	EventVersion string `json:"eventVersion"`
}

type captureData struct {
	ObservedContentType string `json:"observedContentType"`
	Mode                string `json:"mode"`
	Data                string `json:"data"`
	Encoding            string `json:"encoding"`
}

// captureFile is what Data Capture writes for a batch of requests: one line
// per successful request (a failed invocation is not captured). Latency is
// not captured either.
func captureFile(preds []prediction) ([]byte, int, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	lines := 0
	for i := range preds {
		p := &preds[i]
		if p.Error != "" {
			continue
		}
		features := make(map[string]any, len(p.App.Numeric)+len(p.App.Categorical))
		for k, v := range p.App.Numeric {
			if v != nil {
				features[k] = *v
			} else {
				features[k] = nil
			}
		}
		for k, v := range p.App.Categorical {
			features[k] = v
		}
		if p.Malformed {
			features[FeatDebtToIncome] = "NaN"
		}
		in, err := json.Marshal(map[string]any{"instances": []any{features}})
		if err != nil {
			return nil, 0, fmt.Errorf("encode request %s: %w", p.RequestID, err)
		}
		var l captureLine
		l.CaptureData.EndpointInput = captureData{"application/json", "INPUT", string(in), "JSON"}
		l.CaptureData.EndpointOutput = captureData{"application/json", "OUTPUT",
			fmt.Sprintf("[%s]", formatScore(p.Score)), "JSON"}
		l.EventMetadata.EventID = "evt-" + p.RequestID
		l.EventMetadata.InferenceTime = p.Time.UTC().Format(time.RFC3339Nano)
		l.EventMetadata.InferenceID = p.RequestID
		l.EventVersion = "0"
		if err := enc.Encode(l); err != nil {
			return nil, 0, fmt.Errorf("encode capture line of %s: %w", p.RequestID, err)
		}
		lines++
	}
	return buf.Bytes(), lines, nil
}

func formatScore(s float64) string {
	return fmt.Sprintf("%.4f", math.Round(s*1e4)/1e4)
}

// groundTruthFile is a ground-truth upload: one line per known outcome,
// matched to the prediction by its inference id.
func groundTruthFile(labels []label) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, l := range labels {
		line := map[string]any{
			"groundTruthData": map[string]string{"data": l.Class, "encoding": "CSV"},
			"eventMetadata":   map[string]string{"eventId": l.RequestID},
			"eventVersion":    "0",
		}
		if err := enc.Encode(line); err != nil {
			return nil, fmt.Errorf("encode the outcome of %s: %w", l.RequestID, err)
		}
	}
	return buf.Bytes(), nil
}

// captureKey is where Data Capture writes a file of the hour of at.
func captureKey(at time.Time, name string) string {
	return path.Join(captureDataPrefix+captureEndpoint, captureVariant, at.UTC().Format("2006/01/02/15"), name)
}

// put writes an object to the capture bucket and imports it as the
// capture-import function would on its "Object Created" event; it returns
// the import's result.
func (c *captureSource) put(ctx context.Context, key string, data []byte, at time.Time) (*captureimport.Result, error) {
	if err := c.bucket.Put(ctx, key, data); err != nil {
		return nil, fmt.Errorf("write s3://%s/%s: %w", captureBucketName, key, err)
	}
	sum := md5.Sum(data) //nolint:gosec // the ETag S3 gives a single-part upload
	res, err := c.importer.Import(ctx, c.mapping, captureimport.Object{
		Bucket: captureBucketName, Key: key, ETag: hex.EncodeToString(sum[:]), Time: at, Data: data,
	})
	if err != nil {
		return nil, fmt.Errorf("import s3://%s/%s: %w", captureBucketName, key, err)
	}
	return res, nil
}
