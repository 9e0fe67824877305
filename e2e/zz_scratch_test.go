package e2e

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/shared/reference"
)

func TestZZScratch(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	st := newStack(t, ctx, model)
	t.Log("stack", time.Since(start))
	ingest := lambdarie.Start(t, lambdarie.Build(t, "./functions/ingest"), st.functionEnv(t, "IngestFunction")...)
	handler := lambdarie.Start(t, lambdarie.Build(t, "./functions/alarmhandler"), st.functionEnv(t, "AlarmHandlerFunction")...)
	t.Log("built", time.Since(start))
	if _, err := reference.Publish(ctx, st.store, referenceProfile(t, ctx, model, 20000), time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Log("ref", time.Since(start))
	rng := rand.New(rand.NewPCG(2, 2))
	h := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	post(t, ctx, ingest, model, "b-0", batch(rng, h, 1500, false, "b0"))
	t.Log("posted", time.Since(start))
	a := st.alarms(t)[0]
	st.publishAlarm(t, ctx, a, 0.41, h.Add(2*time.Hour))
	d := st.receive(t, ctx, st.alertsQueue, 1, 10*time.Second)
	if len(d) != 1 { t.Fatal(len(d)) }
	t.Log(string(invoke(t, ctx, handler, snsEvent(d[0]))))
	ex := st.executions(t, ctx)
	t.Log(len(ex))
	desc := st.waitExecution(t, ctx, aws.ToString(ex[0].ExecutionArn))
	t.Log(desc.Status, aws.ToString(desc.Input), aws.ToString(desc.Error), aws.ToString(desc.Cause))
	for _, m := range st.receive(t, ctx, st.retrainQueue, 2, 10*time.Second) {
		t.Log(m.Subject, m.Message)
	}
	t.Log(handler.Output())
	t.Log("done", time.Since(start))
}
