package alarm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/smithy-go"
	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/store"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden.json files")

// clock is a settable clock for leases and requested_at.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects the handler's JSON logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type env struct {
	h         *alarm.Handler
	store     *store.Memory
	starter   *alarm.MemoryStarter
	publisher *alarm.MemoryPublisher
	clock     *clock
	logs      *syncBuffer
}

// The alarm fixture's model and slot.
const (
	fixtureModel = "credit-default"
	fixtureSlot  = "20261126T000000Z"
	fixtureExec  = fixtureModel + "-" + fixtureSlot
	fixtureKey   = "retrain/model=" + fixtureModel + "/" + fixtureSlot + ".json"
)

func newEnv(t *testing.T, modify func(*alarm.Config)) *env {
	t.Helper()
	e := &env{
		store: store.NewMemory(), starter: alarm.NewMemoryStarter(), publisher: alarm.NewMemoryPublisher(),
		clock: &clock{t: time.Date(2026, 11, 26, 20, 5, 13, 0, time.UTC)}, logs: &syncBuffer{},
	}
	cfg := alarm.Config{
		Store: e.store, Starter: e.starter, Publisher: e.publisher, Now: e.clock.Now,
		Logger:       slog.New(slog.NewJSONHandler(e.logs, nil)),
		PollInterval: time.Millisecond, MaxWait: 2 * time.Second,
	}
	if modify != nil {
		modify(&cfg)
	}
	h, err := alarm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("handler logs:\n%s", e.logs.String())
		}
	})
	return e
}

// seedModel writes a latest report and a reference pointer for the model.
func (e *env) seedModel(t *testing.T, model, reportVersion, pointerVersion string) {
	t.Helper()
	ctx := context.Background()
	if reportVersion != "" {
		doc := `{"schema_version":1,"reference":{"model":"` + model + `","version":"` + reportVersion + `","rows":100,"fingerprint":"f"},"current":{"rows":10},"dataset_drift":{"drifted":3,"features":5,"share":0.6,"threshold":0.5,"detected":true},"features":[]}`
		if err := e.store.Put(ctx, "reports/model="+model+"/latest.json", []byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
	if pointerVersion != "" {
		doc := `{"model":"` + model + `","version":"` + pointerVersion + `","key":"reference/` + model + `/` + pointerVersion + `/profile.json","updated_at":"2026-11-01T00:00:00Z"}`
		if err := e.store.Put(ctx, "reference/"+model+"/current.json", []byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) handle(t *testing.T, msg string) (alarm.Result, error) {
	t.Helper()
	return e.h.HandleMessage(context.Background(), "msg-1", msg)
}

func (e *env) marker(t *testing.T, key string) *alarm.Marker {
	t.Helper()
	data, err := e.store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	m, err := alarm.DecodeMarker(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// withAlarm returns the ALARM fixture's message with fields replaced.
func withAlarm(t *testing.T, set map[string]any) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(message(t, "alarm-alarm.json")), &doc); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		if k == "MetricName" {
			doc["Trigger"].(map[string]any)[k] = v
			continue
		}
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./shared/alarm -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./shared/alarm -update rewrites it):\n got %s\nwant %s", name, got, want)
	}
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func TestAlarmRequestsRetrainingOnce(t *testing.T) {
	e := newEnv(t, nil)
	e.seedModel(t, fixtureModel, "v3", "v4")
	ev := readEvent(t, "alarm-alarm.json")
	want := []alarm.Summary{
		{Records: 1, Alarm: 1, RetrainRequested: 1},
		{Records: 1, Alarm: 1, Duplicates: 1},
		{Records: 1, Alarm: 1, Duplicates: 1},
	}
	for i, w := range want {
		sum, err := e.h.Handle(context.Background(), ev)
		if err != nil || sum != w {
			t.Fatalf("delivery %d: %+v %v, want %+v", i+1, sum, err, w)
		}
	}
	execs := e.starter.Executions()
	msgs := e.publisher.Messages()
	if len(execs) != 1 || len(msgs) != 1 || e.starter.Calls() != 1 {
		t.Fatalf("%d executions (%d calls), %d messages; want 1, 1", len(execs), e.starter.Calls(), len(msgs))
	}
	if execs[0].Name != fixtureExec {
		t.Errorf("execution name %s", execs[0].Name)
	}
	if !bytes.Equal(msgs[0].Body, execs[0].Input) || msgs[0].ID != fixtureExec {
		t.Errorf("message %s %s differs from the input %s", msgs[0].ID, msgs[0].Body, execs[0].Input)
	}
	wantAttrs := map[string]string{"event": "retrain.requested", "model": fixtureModel, "metric": "MaxFeaturePSI", "execution_name": fixtureExec, "slot": fixtureSlot}
	for k, v := range wantAttrs {
		if msgs[0].Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, msgs[0].Attributes[k], v)
		}
	}
	checkGolden(t, "request.golden.json", indent(t, execs[0].Input))
	m := e.marker(t, fixtureKey)
	if m.State != alarm.MarkerStarted || !m.ExecutionStarted || !m.Published || m.MessageID != "2f3b6c1e-7d4a-5e8f-9a0b-1c2d3e4f5a6b" {
		t.Errorf("marker %+v", m)
	}
	data, _ := e.store.Get(context.Background(), fixtureKey)
	checkGolden(t, "marker.golden.json", append(data, '\n'))
	if n := strings.Count(e.logs.String(), "retraining already requested for this model and slot"); n != 2 {
		t.Errorf("%d duplicate log lines, want 2", n)
	}
}

// barrierStore holds the first n reads of key until all n have arrived, so
// that n concurrent deliveries all find no marker and race on the
// conditional write.
type barrierStore struct {
	store.Store
	key     string
	arrived sync.WaitGroup
	mu      sync.Mutex
	left    int
}

func newBarrierStore(st store.Store, key string, n int) *barrierStore {
	b := &barrierStore{Store: st, key: key, left: n}
	b.arrived.Add(n)
	return b
}

func (b *barrierStore) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := b.Store.Get(ctx, key)
	if key == b.key {
		b.mu.Lock()
		wait := b.left > 0
		if wait {
			b.left--
		}
		b.mu.Unlock()
		if wait {
			b.arrived.Done()
			b.arrived.Wait()
		}
	}
	return data, err
}

func TestConcurrentDeliveries(t *testing.T) {
	const n = 8
	mem := store.NewMemory()
	e := newEnv(t, func(c *alarm.Config) { c.Store = newBarrierStore(mem, fixtureKey, n) })
	e.store = mem
	// Widen the race: the winner takes a while to start the execution.
	e.starter.Fail = func(string) error { time.Sleep(20 * time.Millisecond); return nil }
	msg := message(t, "alarm-alarm.json")
	results := make([]alarm.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.h.HandleMessage(context.Background(), "copy", msg)
		}()
	}
	wg.Wait()
	count := map[alarm.Outcome]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("delivery %d: %v", i, errs[i])
		}
		count[results[i].Outcome]++
	}
	if count[alarm.Requested] != 1 || count[alarm.Duplicate] != n-1 {
		t.Errorf("outcomes %v, want 1 requested and %d duplicates", count, n-1)
	}
	if e.starter.Calls() != 1 || len(e.publisher.Messages()) != 1 {
		t.Errorf("%d starts, %d messages; want 1, 1", e.starter.Calls(), len(e.publisher.Messages()))
	}
	if got := strings.Count(e.logs.String(), "wrote the retrain marker first (lost the race)"); got != n-1 {
		t.Errorf("%d log lines say a delivery lost the race, want %d", got, n-1)
	}
}

func TestCooldownSlots(t *testing.T) {
	e := newEnv(t, func(c *alarm.Config) {
		c.Policy = alarm.StaticPolicy(mustPolicy(t, `{"models": {"fraud": {"cooldown": "6h"}}}`))
	})
	tests := []struct {
		name    string
		set     map[string]any
		outcome alarm.Outcome
		exec    string
	}{
		{"first", nil, alarm.Requested, fixtureExec},
		{"other trigger inside the cooldown", map[string]any{"AlarmName": "modelwatch-credit-default-dataset-drift", "MetricName": "DriftedFeatureShare", "StateChangeTime": "2026-11-26T23:59:59.999+0000"}, alarm.Duplicate, fixtureExec},
		{"next slot", map[string]any{"StateChangeTime": "2026-11-27T00:00:00.000+0000"}, alarm.Requested, "credit-default-20261127T000000Z"},
		{"next slot again", map[string]any{"StateChangeTime": "2026-11-27T13:00:00.000+0000"}, alarm.Duplicate, "credit-default-20261127T000000Z"},
		{"other model", map[string]any{"Trigger": map[string]any{"MetricName": "Accuracy", "Dimensions": []map[string]string{{"name": "Model", "value": "fraud"}}}, "StateChangeTime": "2026-11-27T05:00:00Z"}, alarm.Requested, "fraud-20261127T000000Z"},
		{"other model, 6h later", map[string]any{"Trigger": map[string]any{"MetricName": "Accuracy", "Dimensions": []map[string]string{{"name": "Model", "value": "fraud"}}}, "StateChangeTime": "2026-11-27T06:00:00Z"}, alarm.Requested, "fraud-20261127T060000Z"},
	}
	for _, tc := range tests {
		res, err := e.handle(t, withAlarm(t, tc.set))
		if err != nil || res.Outcome != tc.outcome || res.ExecutionName != tc.exec {
			t.Errorf("%s: %+v %v, want %s of %s", tc.name, res, err, tc.outcome, tc.exec)
		}
	}
	var names []string
	for _, x := range e.starter.Executions() {
		names = append(names, x.Name)
	}
	want := "credit-default-20261126T000000Z credit-default-20261127T000000Z fraud-20261127T000000Z fraud-20261127T060000Z"
	if strings.Join(names, " ") != want || len(e.publisher.Messages()) != 4 {
		t.Errorf("executions %v and %d messages, want %s and 4", names, len(e.publisher.Messages()), want)
	}
}

func mustPolicy(t *testing.T, doc string) alarm.Policy {
	t.Helper()
	p, err := alarm.ParsePolicy([]byte(doc), alarm.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNothingToDo(t *testing.T) {
	tests := []struct {
		file    string
		modify  func(*alarm.Config)
		summary alarm.Summary
		log     string
	}{
		{"alarm-ok.json", nil, alarm.Summary{Records: 1, OK: 1}, "alarm left ALARM or has no data"},
		{"alarm-insufficient-data.json", nil, alarm.Summary{Records: 1, InsufficientData: 1}, "alarm left ALARM or has no data"},
		{"alarm-latency.json", nil, alarm.Summary{Records: 1, Alarm: 1, NotifyOnly: 1}, "alarm only notifies"},
		{"alarm-malformed.json", nil, alarm.Summary{Records: 1, Dropped: 1}, `"message_id":"5b6c7d8e-9f0a-5b1c-8d2e-3f4a5b6c7d8e"`},
		{"alarm-alarm.json", func(c *alarm.Config) { c.Starter, c.Publisher = nil, nil }, alarm.Summary{Records: 1, Alarm: 1, NoTarget: 1}, "neither a state machine nor a retrain topic"},
		{"alarm-alarm.json", func(c *alarm.Config) { c.Policy = alarm.StaticPolicy(mustPolicy(t, `{"retrain_metrics": []}`)) }, alarm.Summary{Records: 1, Alarm: 1, NotifyOnly: 1}, "alarm only notifies"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			e := newEnv(t, tc.modify)
			sum, err := e.h.Handle(context.Background(), readEvent(t, tc.file))
			if err != nil || sum != tc.summary {
				t.Errorf("%+v %v, want %+v", sum, err, tc.summary)
			}
			if keys := e.store.Keys(); len(keys) != 0 {
				t.Errorf("wrote %v", keys)
			}
			if e.starter.Calls() != 0 || len(e.publisher.Messages()) != 0 {
				t.Errorf("%d starts, %d messages", e.starter.Calls(), len(e.publisher.Messages()))
			}
			if !strings.Contains(e.logs.String(), tc.log) {
				t.Errorf("logs lack %q", tc.log)
			}
		})
	}
}

func TestUnattributableAlarms(t *testing.T) {
	e := newEnv(t, nil)
	noModel := map[string]any{"AlarmName": "drift-alarm", "Trigger": map[string]any{"MetricName": "MaxFeaturePSI"}}
	res, err := e.handle(t, withAlarm(t, noModel))
	if err != nil || res.Outcome != alarm.Dropped || !strings.Contains(e.logs.String(), "cannot tell which model") {
		t.Errorf("trigger without a model: %+v %v", res, err)
	}
	other := map[string]any{"AlarmName": "web-cpu", "Trigger": map[string]any{"MetricName": "CPUUtilization", "Namespace": "AWS/EC2"}}
	if res, err := e.handle(t, withAlarm(t, other)); err != nil || res.Outcome != alarm.NotifyOnly {
		t.Errorf("foreign alarm: %+v %v", res, err)
	}
	if e.starter.Calls() != 0 || len(e.store.Keys()) != 0 {
		t.Error("acted on an alarm without a model")
	}
}

// TestAlarmNamesOfAnotherStack: an alarm without a Model dimension is
// attributed by its name, {prefix}{model}-{kind}, with the prefix of the
// handler's own stack.
func TestAlarmNamesOfAnotherStack(t *testing.T) {
	tests := []struct {
		name, prefix, alarmName string
		outcome                 alarm.Outcome
	}{
		{"this stack", "mw-eu-", "mw-eu-credit-default-feature-drift", alarm.Requested},
		{"the default stack", "", "modelwatch-credit-default-feature-drift", alarm.Requested},
		{"another stack's name", "mw-eu-", "modelwatch-credit-default-feature-drift", alarm.Dropped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *alarm.Config) { c.AlarmNamePrefix = tc.prefix })
			var doc map[string]any
			if err := json.Unmarshal([]byte(withAlarm(t, map[string]any{"AlarmName": tc.alarmName})), &doc); err != nil {
				t.Fatal(err)
			}
			delete(doc["Trigger"].(map[string]any), "Dimensions")
			msg, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.handle(t, string(msg))
			if err != nil || res.Outcome != tc.outcome {
				t.Fatalf("%+v %v, want %s", res, err, tc.outcome)
			}
			if tc.outcome != alarm.Requested {
				return
			}
			if res.Model != fixtureModel || e.starter.Calls() != 1 {
				t.Errorf("model %q, %d starts; want %s, 1", res.Model, e.starter.Calls(), fixtureModel)
			}
			if !strings.Contains(e.logs.String(), `"model_from":"alarm_name"`) {
				t.Error("the log does not say the model came from the alarm name")
			}
		})
	}
}

func TestStartFailureIsRetried(t *testing.T) {
	e := newEnv(t, nil)
	down := errors.New("states unavailable")
	e.starter.Fail = func(string) error { return down }
	msg := message(t, "alarm-alarm.json")
	res, err := e.handle(t, msg)
	if !errors.Is(err, down) || res.Outcome != alarm.Failed {
		t.Fatalf("%+v %v, want the start error", res, err)
	}
	m := e.marker(t, fixtureKey)
	if m.State != alarm.MarkerPending || m.ExecutionStarted || m.LeaseUntil.After(e.clock.Now()) || !strings.Contains(m.LastError, "states unavailable") {
		t.Errorf("marker after the failure %+v", m)
	}
	requestedAt := m.Request.RequestedAt
	// The retry Lambda makes comes later and takes over at once.
	e.clock.Advance(time.Minute)
	e.starter.Fail = nil
	if res, err := e.handle(t, msg); err != nil || res.Outcome != alarm.Requested {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if len(e.starter.Executions()) != 1 || len(e.publisher.Messages()) != 1 {
		t.Errorf("%d executions, %d messages", len(e.starter.Executions()), len(e.publisher.Messages()))
	}
	m = e.marker(t, fixtureKey)
	if m.State != alarm.MarkerStarted || m.Attempt != 1 || !m.Request.RequestedAt.Equal(requestedAt) || m.LastError != "" {
		t.Errorf("marker after the retry %+v", m)
	}
	if res, _ := e.handle(t, msg); res.Outcome != alarm.Duplicate {
		t.Errorf("third delivery: %+v", res)
	}
}

func TestPublishFailureRetriesOnlyThePublish(t *testing.T) {
	e := newEnv(t, nil)
	// SNS answered with an error: the message was not published.
	e.publisher.Fail = func(string) error { return &smithy.GenericAPIError{Code: "Throttling", Message: "sns throttled"} }
	msg := message(t, "alarm-alarm.json")
	if _, err := e.handle(t, msg); err == nil || !strings.Contains(err.Error(), "sns throttled") {
		t.Fatalf("want the publish error, got %v", err)
	}
	if m := e.marker(t, fixtureKey); !m.ExecutionStarted || m.Published || m.State != alarm.MarkerPending {
		t.Errorf("marker %+v", m)
	}
	e.publisher.Fail = nil
	if res, err := e.handle(t, msg); err != nil || res.Outcome != alarm.Requested {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if e.starter.Calls() != 1 || len(e.publisher.Messages()) != 1 {
		t.Errorf("%d starts, %d messages; want 1, 1", e.starter.Calls(), len(e.publisher.Messages()))
	}
}

// TestPublishIsNeverRepeated: whatever fails after the publish may have
// been sent, a retry does not publish again (the publish intent is in the
// marker before the publish).
func TestPublishIsNeverRepeated(t *testing.T) {
	cases := []struct {
		name string
		// fail sets the fault: it is called with the env and the failing store.
		fail func(e *env, fs *failingStore)
		// wantMessages is the number of messages after the retry.
		wantMessages int
	}{
		{"the marker write after the publish fails", func(e *env, fs *failingStore) {
			e.publisher.Fail = func(string) error {
				// Publish succeeds; from now on every marker write fails.
				fs.set(func(op, key string) error {
					if op == "put" && key == fixtureKey {
						return errors.New("S3 500 InternalError")
					}
					return nil
				})
				return nil
			}
		}, 1},
		{"the publish times out (SNS may have taken it)", func(e *env, fs *failingStore) {
			e.publisher.Fail = func(string) error { return context.DeadlineExceeded }
		}, 0},
		{"the intent cannot be recorded", func(e *env, fs *failingStore) {
			// The first put of the marker (the intent) fails; the release
			// write succeeds.
			n := 0
			fs.set(func(op, key string) error {
				if op == "put" && key == fixtureKey {
					if n++; n == 1 {
						return errors.New("S3 500 InternalError")
					}
				}
				return nil
			})
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := store.NewMemory()
			fs := &failingStore{Store: mem}
			e := newEnv(t, func(c *alarm.Config) { c.Store = fs })
			e.store = mem
			tc.fail(e, fs)
			msg := message(t, "alarm-alarm.json")
			res, err := e.handle(t, msg)
			if err == nil || res.Outcome != alarm.Failed {
				t.Fatalf("first attempt: %+v %v, want a failure", res, err)
			}
			before := len(e.publisher.Messages())
			fs.set(nil)
			e.publisher.Fail = nil
			e.clock.Advance(time.Hour) // past any lease the failed attempt kept
			res, err = e.handle(t, msg)
			if err != nil || res.Outcome != alarm.Requested {
				t.Fatalf("retry: %+v %v", res, err)
			}
			if res, err := e.handle(t, msg); err != nil || res.Outcome != alarm.Duplicate {
				t.Fatalf("third delivery: %+v %v", res, err)
			}
			if got := len(e.publisher.Messages()); got != tc.wantMessages {
				t.Errorf("%d messages (%d before the retry), want %d", got, before, tc.wantMessages)
			}
			if len(e.starter.Executions()) != 1 {
				t.Errorf("%d executions, want 1", len(e.starter.Executions()))
			}
			if m := e.marker(t, fixtureKey); m.State != alarm.MarkerStarted || !m.PublishAttempted {
				t.Errorf("marker %+v", m)
			}
		})
	}
}

// failingStore fails the writes and reads that fail says.
type failingStore struct {
	store.Store
	mu   sync.Mutex
	fail func(op, key string) error
}

func (s *failingStore) check(op, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail == nil {
		return nil
	}
	return s.fail(op, key)
}

func (s *failingStore) set(f func(op, key string) error) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

func (s *failingStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check("get", key); err != nil {
		return nil, err
	}
	return s.Store.Get(ctx, key)
}

func (s *failingStore) Put(ctx context.Context, key string, data []byte, opts ...store.PutOption) error {
	if err := s.check("put", key); err != nil {
		return err
	}
	return s.Store.Put(ctx, key, data, opts...)
}

func (s *failingStore) PutIfAbsent(ctx context.Context, key string, data []byte, opts ...store.PutOption) error {
	if err := s.check("put-if-absent", key); err != nil {
		return err
	}
	return s.Store.PutIfAbsent(ctx, key, data, opts...)
}

// TestCrashAfterMarker simulates an invocation that dies right after writing
// the marker: the marker stays pending with its lease, nothing is started.
func TestCrashAfterMarker(t *testing.T) {
	mem := store.NewMemory()
	fs := &failingStore{Store: mem}
	e := newEnv(t, func(c *alarm.Config) { c.Store = fs; c.MaxWait = 50 * time.Millisecond })
	e.store = mem
	msg := message(t, "alarm-alarm.json")
	// The "crash": the start fails and so does every later write.
	e.starter.Fail = func(string) error { return errors.New("killed") }
	fs.set(func(op, key string) error {
		if op == "put" {
			return errors.New("process gone")
		}
		return nil
	})
	e.handle(t, msg)
	fs.set(nil)
	e.starter.Fail = nil
	m := e.marker(t, fixtureKey)
	if m.State != alarm.MarkerPending || !m.LeaseUntil.After(e.clock.Now()) {
		t.Fatalf("marker after the crash %+v", m)
	}
	if e.starter.Calls() != 1 || len(e.starter.Executions()) != 0 {
		t.Fatal("the crashed attempt started something")
	}
	// A delivery while the lease runs waits, then asks for a retry.
	res, err := e.handle(t, msg)
	if !errors.Is(err, alarm.ErrInFlight) || res.Outcome != alarm.Failed {
		t.Fatalf("inside the lease: %+v %v, want ErrInFlight", res, err)
	}
	if len(e.starter.Executions()) != 0 {
		t.Fatal("started inside the lease")
	}
	// After the lease the retry takes over and sends the marker's request.
	e.clock.Advance(16 * time.Minute)
	if res, err := e.handle(t, msg); err != nil || res.Outcome != alarm.Requested {
		t.Fatalf("after the lease: %+v %v", res, err)
	}
	execs := e.starter.Executions()
	if len(execs) != 1 || len(e.publisher.Messages()) != 1 {
		t.Fatalf("%d executions, %d messages", len(execs), len(e.publisher.Messages()))
	}
	var req alarm.Request
	json.Unmarshal(execs[0].Input, &req)
	if !req.RequestedAt.Equal(m.Request.RequestedAt) {
		t.Errorf("takeover sent a new request: requested_at %s, want %s", req.RequestedAt, m.Request.RequestedAt)
	}
	for range 2 {
		if res, _ := e.handle(t, msg); res.Outcome != alarm.Duplicate {
			t.Errorf("later delivery: %+v", res)
		}
	}
}

// TestConcurrentTakeover: several retries find an abandoned marker at once;
// exactly one claims it.
func TestConcurrentTakeover(t *testing.T) {
	e := newEnv(t, nil)
	e.starter.Fail = func(string) error { return errors.New("first attempt fails") }
	msg := message(t, "alarm-alarm.json")
	if _, err := e.handle(t, msg); err == nil {
		t.Fatal("first attempt succeeded")
	}
	e.starter.Fail = func(string) error { time.Sleep(10 * time.Millisecond); return nil }
	const n = 6
	var wg sync.WaitGroup
	outcomes := make([]alarm.Outcome, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.h.HandleMessage(context.Background(), "retry", msg)
			if err != nil {
				t.Errorf("retry %d: %v", i, err)
			}
			outcomes[i] = res.Outcome
		}()
	}
	wg.Wait()
	requested := 0
	for _, o := range outcomes {
		if o == alarm.Requested {
			requested++
		}
	}
	if requested != 1 || e.starter.Calls() != 2 || len(e.starter.Executions()) != 1 || len(e.publisher.Messages()) != 1 {
		t.Errorf("outcomes %v, %d start calls, %d executions, %d messages; want one takeover", outcomes, e.starter.Calls(), len(e.starter.Executions()), len(e.publisher.Messages()))
	}
}

// TestClaimHolderDied: a takeover that died between its claim and its marker
// write is itself taken over after the claim's lease.
func TestClaimHolderDied(t *testing.T) {
	e := newEnv(t, func(c *alarm.Config) { c.MaxWait = 20 * time.Millisecond })
	e.starter.Fail = func(string) error { return errors.New("fails") }
	msg := message(t, "alarm-alarm.json")
	e.handle(t, msg) // marker pending, lease released
	e.starter.Fail = nil
	claim := `{"attempt":1,"lease_until":"` + e.clock.Now().Add(10*time.Minute).Format(time.RFC3339) + `","message_id":"dead","claimed_at":"` + e.clock.Now().Format(time.RFC3339) + `"}`
	if err := e.store.PutIfAbsent(context.Background(), "retrain/model=credit-default/20261126T000000Z.attempt-0001.json", []byte(claim)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.handle(t, msg); !errors.Is(err, alarm.ErrInFlight) {
		t.Fatalf("inside the claim's lease: %v, want ErrInFlight", err)
	}
	e.clock.Advance(11 * time.Minute)
	if res, err := e.handle(t, msg); err != nil || res.Outcome != alarm.Requested {
		t.Fatalf("after the claim's lease: %+v %v", res, err)
	}
	if m := e.marker(t, fixtureKey); m.Attempt != 2 || m.State != alarm.MarkerStarted {
		t.Errorf("marker %+v, want attempt 2 started", m)
	}
	if len(e.starter.Executions()) != 1 {
		t.Errorf("%d executions", len(e.starter.Executions()))
	}
}

func TestExecutionAlreadyExistsIsSuccess(t *testing.T) {
	e := newEnv(t, nil)
	// An execution of this name exists (e.g. started by an attempt whose
	// marker write failed).
	e.starter.StartExecution(context.Background(), fixtureExec, []byte(`{}`))
	res, err := e.handle(t, message(t, "alarm-alarm.json"))
	if err != nil || res.Outcome != alarm.Requested {
		t.Fatalf("%+v %v", res, err)
	}
	if len(e.starter.Executions()) != 1 || len(e.publisher.Messages()) != 1 {
		t.Errorf("%d executions, %d messages", len(e.starter.Executions()), len(e.publisher.Messages()))
	}
	if !strings.Contains(e.logs.String(), "already existed") {
		t.Error("the existing execution is not logged")
	}
}

func TestStoreFailuresAreRetried(t *testing.T) {
	for _, op := range []string{"get", "put-if-absent", "put"} {
		t.Run(op, func(t *testing.T) {
			fs := &failingStore{Store: store.NewMemory()}
			e := newEnv(t, func(c *alarm.Config) { c.Store = fs })
			fs.set(func(o, key string) error {
				if o == op && strings.HasPrefix(key, "retrain/") {
					return errors.New("s3 unavailable")
				}
				return nil
			})
			ev := readEvent(t, "alarm-alarm.json")
			sum, err := e.h.Handle(context.Background(), ev)
			var re *alarm.RecordsError
			if !errors.As(err, &re) || re.Failed != 1 || !strings.Contains(err.Error(), "s3 unavailable") || sum.Failed != 1 {
				t.Fatalf("%+v %v, want an error", sum, err)
			}
			fs.set(nil)
			e.clock.Advance(16 * time.Minute) // a retry after the lease, as Lambda's comes after the deadline
			sum, err = e.h.Handle(context.Background(), ev)
			if err != nil || sum.RetrainRequested+sum.Duplicates != 1 {
				t.Fatalf("retry: %+v %v", sum, err)
			}
			// "put" fails after the delivery: the retry repeats the start
			// (ExecutionAlreadyExists) but there is still one execution.
			if len(e.starter.Executions()) != 1 {
				t.Errorf("%d executions", len(e.starter.Executions()))
			}
		})
	}
}

func TestCorruptMarker(t *testing.T) {
	e := newEnv(t, nil)
	e.store.Put(context.Background(), fixtureKey, []byte(`{"state":"done"}`))
	_, err := e.handle(t, message(t, "alarm-alarm.json"))
	if err == nil || !strings.Contains(err.Error(), fixtureKey) {
		t.Errorf("error %v, want one naming the marker", err)
	}
	if e.starter.Calls() != 0 {
		t.Error("started despite an unreadable marker")
	}
}

func TestPolicyFailureIsRetried(t *testing.T) {
	st := store.NewMemory()
	e := newEnv(t, func(c *alarm.Config) {
		c.Store = st
		c.Policy = alarm.NewStoredPolicy(st, "config/alarm-policy.json", alarm.DefaultPolicy(), 0)
	})
	if _, err := e.handle(t, message(t, "alarm-alarm.json")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("error %v, want the missing policy", err)
	}
	// OK transitions need no policy.
	if res, err := e.handle(t, message(t, "alarm-ok.json")); err != nil || res.Outcome != alarm.StateChange {
		t.Errorf("OK: %+v %v", res, err)
	}
}

func TestRequestDescribesTheModel(t *testing.T) {
	tests := []struct {
		name                string
		report, pointer     string
		badReport           bool
		wantVersion, wantRK string
	}{
		{"report", "v3", "v4", false, "v3", "reports/model=credit-default/latest.json"},
		{"pointer only", "", "v4", false, "v4", ""},
		{"nothing", "", "", false, "", ""},
		{"unreadable report", "", "v4", true, "v4", "reports/model=credit-default/latest.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.seedModel(t, fixtureModel, tc.report, tc.pointer)
			if tc.badReport {
				e.store.Put(context.Background(), "reports/model=credit-default/latest.json", []byte("<html>"))
			}
			if _, err := e.handle(t, message(t, "alarm-alarm.json")); err != nil {
				t.Fatal(err)
			}
			var req alarm.Request
			if err := json.Unmarshal(e.starter.Executions()[0].Input, &req); err != nil {
				t.Fatal(err)
			}
			if req.ModelVersion != tc.wantVersion || req.ReportKey != tc.wantRK {
				t.Errorf("version %q report %q, want %q %q", req.ModelVersion, req.ReportKey, tc.wantVersion, tc.wantRK)
			}
		})
	}
}

func TestValueAndThresholdMayBeNull(t *testing.T) {
	e := newEnv(t, nil)
	msg := withAlarm(t, map[string]any{"NewStateReason": "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
		"Trigger": map[string]any{"MetricName": "Accuracy", "Dimensions": []map[string]string{{"name": "Model", "value": "fraud"}}}})
	if _, err := e.handle(t, msg); err != nil {
		t.Fatal(err)
	}
	input := string(e.starter.Executions()[0].Input)
	if !strings.Contains(input, `"value":null`) || !strings.Contains(input, `"threshold":null`) {
		t.Errorf("input %s", input)
	}
}

func TestHandleSeveralRecords(t *testing.T) {
	e := newEnv(t, nil)
	var ev events.SNSEvent
	for _, f := range []string{"alarm-alarm.json", "alarm-ok.json", "alarm-malformed.json", "alarm-alarm.json", "alarm-latency.json", "alarm-insufficient-data.json"} {
		ev.Records = append(ev.Records, readEvent(t, f).Records...)
	}
	sum, err := e.h.Handle(context.Background(), ev)
	want := alarm.Summary{Records: 6, Alarm: 3, OK: 1, InsufficientData: 1, RetrainRequested: 1, Duplicates: 1, NotifyOnly: 1, Dropped: 1}
	if err != nil || sum != want {
		t.Errorf("%+v %v, want %+v", sum, err, want)
	}
	if !strings.Contains(e.logs.String(), `"msg":"alarm notifications handled"`) {
		t.Error("no summary log line")
	}
}

func TestNewNeedsAStore(t *testing.T) {
	if _, err := alarm.New(alarm.Config{}); err == nil {
		t.Error("New without a store")
	}
}

func TestDeadlineBoundsTheLease(t *testing.T) {
	e := newEnv(t, nil)
	deadline := time.Now().Add(30 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	e.starter.Fail = func(string) error { return errors.New("no") }
	e.publisher.Fail = e.starter.Fail
	// Keep the marker pending with its lease: the release write fails.
	if _, err := e.h.HandleMessage(ctx, "m", message(t, "alarm-alarm.json")); err == nil {
		t.Fatal("no error")
	}
	m := e.marker(t, fixtureKey)
	if m.Attempt != 0 || m.LastError == "" {
		t.Errorf("marker %+v", m)
	}
	// The marker was created with the deadline-based lease; the release
	// ended it at the clock's now.
	if !m.LeaseUntil.Equal(e.clock.Now()) {
		t.Errorf("lease %s after release, want %s", m.LeaseUntil, e.clock.Now())
	}
}
