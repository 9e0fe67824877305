package alarm_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/store"
)

func BenchmarkDecodeNotification(b *testing.B) {
	msg := []byte(message(b, "alarm-alarm.json"))
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		n, err := alarm.DecodeNotification(msg)
		if err != nil {
			b.Fatal(err)
		}
		n.Model(alarm.AlarmNamePrefix)
		n.Metric(alarm.AlarmNamePrefix)
		n.Value()
	}
}

func benchHandler(b *testing.B) *alarm.Handler {
	h, err := alarm.New(alarm.Config{
		Store: store.NewMemory(), Starter: alarm.NewMemoryStarter(), Publisher: alarm.NewMemoryPublisher(),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkHandleDuplicate: a delivery of an alarm already handled (decode,
// policy, one marker read).
func BenchmarkHandleDuplicate(b *testing.B) {
	h := benchHandler(b)
	msg := message(b, "alarm-alarm.json")
	if res, err := h.HandleMessage(context.Background(), "m", msg); err != nil || res.Outcome != alarm.Requested {
		b.Fatal(res, err)
	}
	for b.Loop() {
		if res, err := h.HandleMessage(context.Background(), "m", msg); err != nil || res.Outcome != alarm.Duplicate {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkHandleRequest: an alarm in a new slot each time (marker, start,
// publish, marker update) against in-memory fakes: the handler's own cost
// without AWS latency.
func BenchmarkHandleRequest(b *testing.B) {
	h := benchHandler(b)
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	msgs := make([]string, 0, 1024)
	for i := range cap(msgs) {
		at := start.Add(time.Duration(i) * 24 * time.Hour).Format("2006-01-02T15:04:05.000-0700")
		msgs = append(msgs, fmt.Sprintf(`{"AlarmName":"modelwatch-credit-default-feature-drift","NewStateValue":"ALARM","OldStateValue":"OK","NewStateReason":"Threshold Crossed: 1 datapoint [0.41 (26/11/26 20:00:00)] was greater than or equal to the threshold (0.25).","StateChangeTime":"%s","Trigger":{"MetricName":"MaxFeaturePSI","Namespace":"ModelWatch","Dimensions":[{"name":"Model","value":"credit-default"}],"Threshold":0.25}}`, at))
	}
	i := 0
	for b.Loop() {
		if i == len(msgs) {
			b.StopTimer()
			h = benchHandler(b)
			i = 0
			b.StartTimer()
		}
		if res, err := h.HandleMessage(context.Background(), "m", msgs[i]); err != nil || res.Outcome != alarm.Requested {
			b.Fatal(res, err)
		}
		i++
	}
}
