package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/modelwatch/modelwatch/shared/capture"
	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/store"
)

func newImportCommand() *cobra.Command {
	imp := &cobra.Command{Use: "import", Short: "Import monitoring data that exists already"}
	imp.AddCommand(newImportCaptureCommand())
	return imp
}

func newImportCaptureCommand() *cobra.Command {
	var (
		model, bucket, mappingPath string
		concurrency                int
		maxEventAge                time.Duration
		quiet                      bool
	)
	cmd := &cobra.Command{
		Use:   "sagemaker-capture --model M --bucket s3://BUCKET|DIR SOURCE...",
		Short: "Replay SageMaker Data Capture and ground-truth files into the modelwatch bucket",
		Long: `Import SageMaker Data Capture files (and ground-truth files) that exist
already, with the same code as the capture-import function: each file is one
batch, validated against the model's reference profile, stored with its batch
profile and receipt. A SOURCE is s3://BUCKET/PREFIX (every .jsonl object under
it), a local directory (every .jsonl file under it) or a local file.

The batch id of an S3 object comes from its bucket, key and ETag, as in the
function, so importing an object twice, or an object the function imported
already, stores nothing twice. A local file's batch id comes from its path and
content.

The model's mapping is config/{model}/capture.yaml in the bucket, or --mapping.
Capture files of another endpoint or variant than the mapping's are skipped.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, sources []string) error {
			ctx := cmd.Context()
			st, err := openBucket(ctx, bucket)
			if err != nil {
				return err
			}
			cfg := ingest.DefaultConfig()
			cfg.Bucket = bucket
			cfg.MaxRecords, cfg.MaxBodyBytes = captureimport.DefaultMaxRecords, captureimport.DefaultMaxBodyBytes
			cfg.MaxEventAge, cfg.MaxLabelAge = maxEventAge, maxEventAge
			log := slog.New(slog.NewJSONHandler(io.Discard, nil))
			ing := ingest.New(cfg, st, ingest.NewReferenceCache(st, time.Hour, log), nil, ingest.WithLogger(log))
			im := captureimport.New(st, ing, captureimport.WithLogger(log))
			var m *capture.Mapping
			if mappingPath != "" {
				data, err := readObject(ctx, mappingPath)
				if err != nil {
					return err
				}
				m, err = capture.ParseMapping(model, data)
				if err != nil {
					return err
				}
			} else if m, err = im.Mapping(ctx, model); err != nil {
				return err
			}
			var objs []sourceObject
			for _, src := range sources {
				found, err := listSource(ctx, src)
				if err != nil {
					return err
				}
				objs = append(objs, found...)
			}
			return runImport(ctx, cmd, im, m, objs, concurrency, quiet)
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "the model the files are of")
	cmd.Flags().StringVar(&bucket, "bucket", "", "the modelwatch bucket: s3://BUCKET or a local directory")
	cmd.Flags().StringVar(&mappingPath, "mapping", "", "the capture mapping (path or s3://bucket/key); default config/{model}/capture.yaml in the bucket")
	cmd.Flags().IntVar(&concurrency, "concurrency", 8, "files imported at once")
	cmd.Flags().DurationVar(&maxEventAge, "max-event-age", 0, "reject records older than this (0: no limit, for history)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	cmd.MarkFlagRequired("model")
	cmd.MarkFlagRequired("bucket")
	return cmd
}

// sourceObject is a file to import; open reads it.
type sourceObject struct {
	bucket, key, etag string
	size              int64
	modified          time.Time
	open              func(ctx context.Context) ([]byte, error)
}

// listSource lists the files of s3://BUCKET/PREFIX or of a local path.
func listSource(ctx context.Context, src string) ([]sourceObject, error) {
	scheme, bucket, prefix, err := store.ParseURL(src)
	if err != nil {
		return nil, err
	}
	if scheme == store.SchemeS3 {
		client, err := store.NewS3Client(ctx)
		if err != nil {
			return nil, err
		}
		var out []sourceObject
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list %s: %w", src, err)
			}
			for _, o := range page.Contents {
				key := aws.ToString(o.Key)
				if !strings.HasSuffix(key, ".jsonl") {
					continue
				}
				out = append(out, sourceObject{
					bucket: bucket, key: key, etag: strings.Trim(aws.ToString(o.ETag), `"`), size: aws.ToInt64(o.Size),
					modified: aws.ToTime(o.LastModified),
					open: func(ctx context.Context) ([]byte, error) {
						resp, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
						if err != nil {
							return nil, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
						}
						defer resp.Body.Close()
						return io.ReadAll(resp.Body)
					},
				})
			}
		}
		return out, nil
	}
	var out []sourceObject
	err = filepath.WalkDir(prefix, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != prefix {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || (p != prefix && !strings.HasSuffix(p, ".jsonl")) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, sourceObject{
			key: filepath.ToSlash(p), size: info.Size(), modified: info.ModTime(),
			open: func(context.Context) ([]byte, error) { return os.ReadFile(p) },
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", src, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no .jsonl files", src)
	}
	return out, nil
}

// importTotals sums the results of a run.
type importTotals struct {
	mu                                                           sync.Mutex
	objects, duplicates, conflicts, skipped                      int
	records, accepted, rejected, unreadable, predictions, labels int
	failures                                                     []string
}

func runImport(ctx context.Context, cmd *cobra.Command, im *captureimport.Importer, m *capture.Mapping, objs []sourceObject, concurrency int, quiet bool) error {
	if concurrency < 1 {
		return errors.New("--concurrency: want at least 1")
	}
	var bytesTotal int64
	for _, o := range objs {
		bytesTotal += o.size
	}
	bar := newProgress(cmd.ErrOrStderr(), len(objs), bytesTotal, quiet)
	var tot importTotals
	work := make(chan sourceObject)
	var wg sync.WaitGroup
	for range min(concurrency, max(len(objs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range work {
				tot.add(importOne(ctx, im, m, o))
				bar.step(o.size)
			}
		}()
	}
	for _, o := range objs {
		if ctx.Err() != nil {
			break
		}
		work <- o
	}
	close(work)
	wg.Wait()
	bar.finish()
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "model %s: %d files imported (%d already imported), %d skipped: %d prediction and %d label records, %d accepted, %d rejected; %d lines unreadable\n",
		m.Model, tot.objects, tot.duplicates, tot.skipped, tot.predictions, tot.labels, tot.accepted, tot.rejected, tot.unreadable)
	if tot.conflicts > 0 {
		fmt.Fprintf(out, "%d files imported before read differently now (the mapping changed): their first import stands\n", tot.conflicts)
	}
	if tot.rejected+tot.unreadable > 0 {
		fmt.Fprintf(out, "the reasons are in the bucket under rejected/model=%s/\n", m.Model)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w (importing again stores nothing twice)", err)
	}
	if len(tot.failures) > 0 {
		for _, f := range tot.failures {
			fmt.Fprintln(cmd.ErrOrStderr(), f)
		}
		return fmt.Errorf("%d of %d files failed; run the command again to retry them (nothing is stored twice)", len(tot.failures), len(objs))
	}
	return nil
}

type importOutcome struct {
	res     *captureimport.Result
	skipped bool
	err     error
}

func importOne(ctx context.Context, im *captureimport.Importer, m *capture.Mapping, o sourceObject) importOutcome {
	if endpoint, variant, _, ok := capture.CaptureKey(o.key); ok && !m.Matches(endpoint, variant) &&
		(m.GroundTruth.Prefix == "" || !strings.HasPrefix(o.key, m.GroundTruth.Prefix)) && m.Endpoint != "" && o.bucket != "" {
		return importOutcome{skipped: true}
	}
	data, err := o.open(ctx)
	if err != nil {
		return importOutcome{err: err}
	}
	etag := o.etag
	if etag == "" {
		// A local file: its MD5, which is also S3's ETag of a file uploaded
		// in one part.
		sum := md5.Sum(data)
		etag = hex.EncodeToString(sum[:])
	}
	res, err := im.Import(ctx, m, captureimport.Object{Bucket: o.bucket, Key: o.key, ETag: etag, Time: o.modified, Data: data})
	if err != nil {
		return importOutcome{err: err}
	}
	return importOutcome{res: res}
}

func (t *importTotals) add(o importOutcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case o.err != nil:
		t.failures = append(t.failures, o.err.Error())
	case o.skipped:
		t.skipped++
	default:
		r := o.res
		t.objects++
		if r.Duplicate {
			t.duplicates++
		}
		if r.Conflict {
			t.conflicts++
		}
		t.records += r.Records
		if r.Kind == "labels" {
			t.labels += r.Records
		} else {
			t.predictions += r.Records
		}
		t.accepted += r.Accepted
		t.rejected += r.Rejected
		t.unreadable += r.Unreadable
	}
}
