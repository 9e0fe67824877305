package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

// runCLI runs the command line in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := newRootCommand()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	code := exitOK
	switch {
	case err == nil:
	case err == errDriftDetected:
		code = exitDrift
	default:
		code = exitError
		stderr.WriteString("modelwatch: " + err.Error() + "\n")
	}
	return code, stdout.String(), stderr.String()
}

const (
	exampleRef = "../../testdata/example/reference.csv"
	exampleCur = "../../testdata/example/current.csv"
)

func buildExample(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "reference.json")
	code, stdout, stderr := runCLI(t, "profile", "build", "--input", exampleRef, "--out", out, "--model", "credit", "--version", "v1")
	if code != exitOK {
		t.Fatalf("profile build exited %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "profiled 10000 rows, 10 features") {
		t.Errorf("stdout = %q", stdout)
	}
	return out
}

func TestCompareExampleDetectsDrift(t *testing.T) {
	ref := buildExample(t)
	htmlOut := filepath.Join(t.TempDir(), "report.html")
	code, stdout, stderr := runCLI(t, "compare", "--reference", ref, "--current", exampleCur, "--json", "--html", htmlOut)
	if code != exitDrift {
		t.Fatalf("exit %d, want %d (dataset drift); stderr %s", code, exitDrift, stderr)
	}
	var rep drift.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output is not a report: %v\n%s", err, stdout)
	}
	if rep.SchemaVersion != 1 || rep.Reference.Model != "credit" || rep.Reference.Rows != 10000 || rep.Current.Rows != 5000 {
		t.Errorf("header = %+v %+v %+v", rep.SchemaVersion, rep.Reference, rep.Current)
	}
	severities := map[string]drift.Severity{}
	for _, f := range rep.Features {
		severities[f.Name] = f.Severity
	}
	// The generator shifted income, loan_amount and debt_to_income, added a
	// region and made employment arrive empty; the rest is stable.
	for _, name := range []string{"income", "loan_amount", "debt_to_income", "region", "employment"} {
		if severities[name] != drift.Drift {
			t.Errorf("%s severity %s, want drift", name, severities[name])
		}
	}
	for _, name := range []string{"age", "credit_score", "term", "purpose", "open_accounts"} {
		if severities[name] != drift.OK {
			t.Errorf("%s severity %s, want ok", name, severities[name])
		}
	}
	if rep.Prediction == nil || len(rep.Prediction.ClassShares) == 0 || rep.Prediction.MeanConfidence == nil {
		t.Errorf("prediction section = %+v", rep.Prediction)
	}
	page, err := os.ReadFile(htmlOut)
	if err != nil || !bytes.Contains(page, []byte("debt_to_income")) {
		t.Errorf("HTML report: %v, %d bytes", err, len(page))
	}
}

func TestCompareTableAndNoDrift(t *testing.T) {
	ref := buildExample(t)
	code, stdout, stderr := runCLI(t, "compare", "--reference", ref, "--current", exampleRef)
	if code != exitOK {
		t.Fatalf("comparing the reference data with itself exited %d: %s", code, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if !strings.HasPrefix(lines[0], "FEATURE") || !strings.Contains(stdout, "0 of 10 features drifted") {
		t.Errorf("table output:\n%s", stdout)
	}
	code, stdout, _ = runCLI(t, "compare", "--reference", ref, "--current", exampleCur)
	if code != exitDrift || !strings.Contains(stdout, "DATASET DRIFT DETECTED") {
		t.Fatalf("exit %d, output:\n%s", code, stdout)
	}
	// Worst first: the first data row is a drifted feature.
	if fields := strings.Fields(strings.Split(stdout, "\n")[1]); len(fields) < 5 || fields[4] != "drift" {
		t.Errorf("first row %q is not a drifted feature", fields)
	}
}

// TestCompareTableSaysWhy pins issue 14 item 9: a feature whose verdict
// comes from its missing rate says so in the table, and a distance verdict
// names the threshold it crossed.
func TestCompareTableSaysWhy(t *testing.T) {
	ref := buildExample(t)
	_, stdout, _ := runCLI(t, "compare", "--reference", ref, "--current", exampleCur)
	rows := map[string]string{}
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = line
		}
	}
	if !strings.HasSuffix(rows["FEATURE"], "WHY") {
		t.Errorf("header %q has no WHY column", rows["FEATURE"])
	}
	if !strings.HasSuffix(rows["employment"], "missing 0.9% -> 29.3%") {
		t.Errorf("employment row %q does not say its missing rate decided", rows["employment"])
	}
	if !strings.HasSuffix(rows["income"], "psi 0.5738 >= 0.25") {
		t.Errorf("income row %q does not name the threshold", rows["income"])
	}
}

func TestCompareConfig(t *testing.T) {
	ref := buildExample(t)
	cfg := filepath.Join(t.TempDir(), "drift.yaml")
	// Ignore three of the five drifted features and relax the missing rate:
	// two drifted features of seven is no dataset drift.
	os.WriteFile(cfg, []byte("drift_share: 0.5\nmissing: {warn: 0.5, drift: 0.9}\nfeatures:\n  income: {ignore: true}\n  region: {ignore: true}\n  employment: {ignore: true}\n  age: {method: ks}\n"), 0o644)
	code, stdout, stderr := runCLI(t, "compare", "--reference", ref, "--current", exampleCur, "--config", cfg, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, stderr, stdout)
	}
	var rep drift.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.DatasetDrift.Features != 7 || rep.DatasetDrift.Drifted != 2 {
		t.Errorf("dataset drift = %+v, want 2 of 7", rep.DatasetDrift)
	}
	for _, f := range rep.Features {
		if f.Name == "age" && (f.Method != drift.KS || f.KS == nil || *f.Value != f.KS.PValue) {
			t.Errorf("age decided by %s value %v, want ks p-value", f.Method, f.Value)
		}
	}
	os.WriteFile(cfg, []byte("methd: psi\n"), 0o644)
	code, _, stderr = runCLI(t, "compare", "--reference", ref, "--current", exampleCur, "--config", cfg)
	if code != exitError || !strings.Contains(stderr, "methd") {
		t.Errorf("misspelt key: exit %d, stderr %q", code, stderr)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	ref := buildExample(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	future := write("future.json", `{"schema_version": 9, "type": "reference", "features": []}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty file", []string{"profile", "build", "--input", write("empty.csv", ""), "--out", filepath.Join(dir, "x.json")}, "empty.csv"},
		{"ragged row", []string{"profile", "build", "--input", write("ragged.csv", "a,b\n1,2\n3\n"), "--out", filepath.Join(dir, "x.json")}, "ragged.csv:3"},
		{"nan text", []string{"compare", "--reference", ref, "--current", write("nan.csv", "income,age\n1000,30\nNaN,31\n")}, "nan.csv:3: column income"},
		{"wrong type", []string{"compare", "--reference", ref, "--current", write("type.csv", "income\nlots\n")}, "type.csv:2: column income"},
		{"future schema", []string{"compare", "--reference", future, "--current", exampleCur}, "schema_version 9"},
		{"missing reference", []string{"compare", "--reference", filepath.Join(dir, "nope.json"), "--current", exampleCur}, "nope.json"},
		{"unknown format", []string{"profile", "build", "--input", write("data.txt", "a\n1\n"), "--out", filepath.Join(dir, "x.json")}, "data.txt"},
		{"missing flag", []string{"compare", "--current", exampleCur}, "reference"},
		{"batch as reference", []string{"compare", "--reference", write("batch.json", `{"schema_version":1,"type":"batch","features":[]}`), "--current", exampleCur}, "want a reference profile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitError || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stderr, "panic") {
				t.Errorf("panicked: %s", stderr)
			}
		})
	}
}

// TestMissingFeatureIsReported compares a file that lacks a reference feature:
// it is 100 % missing (and drifted), not a crash.
func TestMissingFeatureIsReported(t *testing.T) {
	ref := buildExample(t)
	data, err := os.ReadFile(exampleRef)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		cells := strings.Split(line, ",")
		b.WriteString(strings.Join(append(cells[:1:1], cells[2:]...), ",") + "\n") // drop income
	}
	cur := filepath.Join(t.TempDir(), "no-income.csv")
	os.WriteFile(cur, []byte(b.String()), 0o644)
	code, stdout, stderr := runCLI(t, "compare", "--reference", ref, "--current", cur, "--json")
	if code == exitError {
		t.Fatalf("exit 1: %s", stderr)
	}
	var rep drift.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Features {
		if f.Name == "income" && (f.Missing.Current != 1 || f.Severity != drift.Drift) {
			t.Errorf("income: missing %v severity %s, want 100%% and drift", f.Missing, f.Severity)
		}
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "income is absent") {
		t.Errorf("warnings %q do not name the absent column", rep.Warnings)
	}
}

// TestProfileToS3 writes the reference profile to moto's S3 and compares
// against it from there.
func TestProfileToS3(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Env(t)
	bucket := srv.NewBucket(t)
	url := "s3://" + bucket + "/reference/credit/v1/profile.json"
	code, _, stderr := runCLI(t, "profile", "build", "--input", exampleRef, "--out", url, "--model", "credit")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out, err := srv.S3Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("reference/credit/v1/profile.json")})
	if err != nil {
		t.Fatalf("profile not in S3: %v", err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(out.Body)
	p, err := profile.Decode(buf.Bytes())
	if err != nil || p.Model != "credit" {
		t.Fatalf("stored profile: %v", err)
	}
	code, _, stderr = runCLI(t, "compare", "--reference", url, "--current", exampleCur)
	if code != exitDrift {
		t.Fatalf("compare against s3 reference exited %d: %s", code, stderr)
	}
}

func TestProfilePublish(t *testing.T) {
	ref := buildExample(t)
	bucket := t.TempDir()
	code, stdout, stderr := runCLI(t, "profile", "publish", "--profile", ref, "--bucket", bucket)
	if code != exitOK || !strings.Contains(stdout, "model credit now uses reference v1") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	for _, key := range []string{"reference/credit/v1/profile.json", "reference/credit/current.json"} {
		if _, err := os.Stat(filepath.Join(bucket, key)); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}

func TestCalibrate(t *testing.T) {
	ref := buildExample(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "calibrated.yaml")
	code, stdout, stderr := runCLI(t, "calibrate", "--reference", ref, "--window-size", "5000", "--draws", "100", "--out", cfg)
	if code != exitOK || !strings.Contains(stdout, "calibrated 10 features (sampling, window of 5000 records)") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "compare", "--reference", ref, "--current", exampleCur, "--config", cfg, "--json")
	if code != exitDrift {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep drift.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Features {
		if f.DecidedBy != drift.DecideCalibrated || f.CalibratedThresholds == nil || f.FixedSeverity == "" {
			t.Errorf("%s: decided by %q, calibrated %v, fixed %q", f.Name, f.DecidedBy, f.CalibratedThresholds, f.FixedSeverity)
		}
	}
	// History: past reports of windows that did not drift (slices of the
	// reference data), with a profile and a note lying beside them.
	history := filepath.Join(dir, "history")
	os.MkdirAll(history, 0o755)
	data, err := os.ReadFile(exampleRef)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(data)), "\n")
	for i := range 10 {
		part := filepath.Join(dir, fmt.Sprintf("part%02d.csv", i))
		os.WriteFile(part, []byte(lines[0]+strings.Join(lines[1+i*1000:1+(i+1)*1000], "")), 0o644)
		_, out, _ := runCLI(t, "compare", "--reference", ref, "--current", part, "--json")
		os.WriteFile(filepath.Join(history, fmt.Sprintf("w%02d.json", i)), []byte(out), 0o644)
	}
	profileJSON, _ := os.ReadFile(ref)
	os.WriteFile(filepath.Join(history, "reference.json"), profileJSON, 0o644)
	os.WriteFile(filepath.Join(history, "notes.txt"), []byte("x"), 0o644)
	hyaml := filepath.Join(dir, "h.yaml")
	code, stdout, stderr = runCLI(t, "calibrate", "--history", history, "--out", hyaml)
	if code != exitOK || !strings.Contains(stdout, "(history, window of 1000 records)") {
		t.Fatalf("history: exit %d: %s %s", code, stdout, stderr)
	}
	for _, want := range []string{"warning: skipped reference.json: decode report: not a drift report", "warning: skipped notes.txt: not a JSON report"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	hcfg, err := drift.LoadConfig(hyaml)
	if err != nil {
		t.Fatal(err)
	}
	for name, byMethod := range hcfg.Calibration.Features {
		for m, th := range byMethod {
			if m.PValue() && (th.Drift <= 0 || th.Warn <= 0) {
				t.Errorf("%s %s thresholds %+v: a p-value threshold of 0 can never fire", name, m, th)
			}
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--reference", ref}, "exactly one of --window-size (with --reference) and --history"},
		{[]string{"--reference", ref, "--window-size", "0"}, "--window-size 0: want the number of records in a window, at least 1"},
		{[]string{"--window-size", "100"}, "--window-size needs --reference"},
	} {
		code, _, stderr = runCLI(t, append([]string{"calibrate", "--out", filepath.Join(dir, "x.yaml")}, tc.args...)...)
		if code != exitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d: %s, want %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestOtherFormats builds from JSON Lines prediction records and from Parquet.
func TestOtherFormats(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, `{"request_id":"r-%d","timestamp":"2026-11-26T20:00:00Z","features":{"amount":%d.5,"country":"%s","age":null},"prediction":"%s","scores":{"fraud":0.%02d,"legit":0.%02d},"latency_ms":12.5,"error":null}`+"\n",
			i, i%50, []string{"DE", "FR"}[i%2], []string{"fraud", "legit"}[i%3/2], i%100, 99-i%100)
	}
	jsonl := filepath.Join(dir, "records.jsonl")
	os.WriteFile(jsonl, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "ref.json")
	code, stdout, stderr := runCLI(t, "profile", "build", "--input", jsonl, "--out", out)
	if code != exitOK || !strings.Contains(stdout, "profiled 400 rows, 3 features") {
		t.Fatalf("jsonl: exit %d: %s %s", code, stdout, stderr)
	}
	data, _ := os.ReadFile(out)
	p, err := profile.Decode(data)
	if err != nil || p.Prediction == nil || p.Confidence == nil || p.Feature("age").Missing != 400 {
		t.Errorf("jsonl profile: %v %+v", err, p)
	}
	code, _, stderr = runCLI(t, "compare", "--reference", out, "--current", jsonl, "--format", "jsonl")
	if code != exitOK {
		t.Errorf("jsonl compare with itself: exit %d: %s", code, stderr)
	}
	code, stdout, stderr = runCLI(t, "profile", "build", "--input", "../../shared/dataset/testdata/fixture.parquet", "--format", "parquet", "--out", filepath.Join(dir, "pq.json"))
	if code != exitOK || !strings.Contains(stdout, "profiled 5 rows") {
		t.Errorf("parquet: exit %d: %s %s", code, stdout, stderr)
	}
	// The Parquet timestamp column is a date-time column, not a feature.
	if data, err := os.ReadFile(filepath.Join(dir, "pq.json")); err != nil {
		t.Error(err)
	} else if p, err := profile.Decode(data); err != nil || p.Feature("ts") != nil || strings.Join(p.TimeColumns, ",") != "ts" {
		t.Errorf("parquet timestamps: %v, time columns %v, ts feature %v", err, p.TimeColumns, p.Feature("ts"))
	} else if !strings.Contains(stderr, "note: column ts holds date-times: left out of drift") {
		t.Errorf("no note on ts: %s", stderr)
	}
	code, _, stderr = runCLI(t, "profile", "build", "--input", jsonl, "--format", "xml", "--out", filepath.Join(dir, "x.json"))
	if code != exitError || !strings.Contains(stderr, "xml") {
		t.Errorf("unknown format: exit %d: %s", code, stderr)
	}
}

// TestWhatANewUserTripsOn pins the small things of issue 14: messages that
// name the right thing once, --version, required flags marked, profile
// inspect.
func TestWhatANewUserTripsOn(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "data.csv")
	os.WriteFile(csv, []byte("x,y,label\n1,a,0\n2,b,1\n3,a,0\n"), 0o644)
	missing := filepath.Join(dir, "missing.csv")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"profile", "build", "--input", missing, "--out", filepath.Join(dir, "p.json")}, "modelwatch: open " + missing + ": no such file or directory\n"},
		{[]string{"compare", "--reference", filepath.Join(dir, "missing.json"), "--current", csv}, "modelwatch: read " + filepath.Join(dir, "missing.json") + ": not found\n"},
		{[]string{"profile", "build", "--input", csv, "--out", filepath.Join(dir, "p.json"), "--label", "nosuch"}, "label column nosuch is not in " + csv + " (its columns: x, y, label)"},
		{[]string{"demo", "--hours", "0", "--out", filepath.Join(dir, "demo")}, "modelwatch: --hours 0: want 2 to 312\n"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != exitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, stderr, tc.want)
		}
	}
	code, stdout, _ := runCLI(t, "--version")
	if code != exitOK || !strings.HasPrefix(stdout, "modelwatch version ") {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
	_, stdout, _ = runCLI(t, "compare", "--help")
	for _, flag := range []string{"--reference", "--current"} {
		if !regexpLine(stdout, flag, "(required)") {
			t.Errorf("compare --help does not mark %s required:\n%s", flag, stdout)
		}
	}
	// An S3 location without a region says how to set one.
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_PROFILE", "")
	code, _, stderr := runCLI(t, "profile", "build", "--input", csv, "--out", "s3://bucket/p.json")
	if code != exitError || !strings.Contains(stderr, "set AWS_REGION") {
		t.Errorf("S3 without a region: exit %d, %q", code, stderr)
	}
}

func regexpLine(text, flag, want string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, flag+" ") && strings.HasSuffix(strings.TrimSpace(line), want) {
			return true
		}
	}
	return false
}

func TestProfileInspect(t *testing.T) {
	ref := buildExample(t)
	code, stdout, stderr := runCLI(t, "profile", "inspect", ref)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"reference profile of credit v1\n", "rows 10000\n",
		"COLUMN", "employment", "categorical", "0.9%", "4 categories + __other__",
		"income", "10 coarse, 1000 fine", "prediction", "confidence",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, stderr := runCLI(t, "profile", "inspect"); code != exitError || !strings.Contains(stderr, "accepts 1 arg") {
		t.Errorf("inspect without a profile: exit %d, %q", code, stderr)
	}
}
