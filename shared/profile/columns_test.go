package profile_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/profile"
)

// ageCSV has n rows of a numeric column age and a categorical column city;
// row bad (1-based data row) holds age "abc".
func ageCSV(n, bad int) string {
	var b strings.Builder
	b.WriteString("age,city\n")
	for i := 1; i <= n; i++ {
		age := fmt.Sprint(20 + i%50)
		if i == bad {
			age = "abc"
		}
		fmt.Fprintf(&b, "%s,%s\n", age, []string{"Berlin", "Paris", "Rome"}[i%3])
	}
	return b.String()
}

// TestBuildColumnKindDoesNotDependOnPosition pins issue 14 item 1: one value
// that is not a number in a numeric column stops the build with the file,
// line, column, value and both ways out, wherever the value sits (inside the
// rows that decide the kinds or after them), instead of turning the column
// categorical when it sits early.
func TestBuildColumnKindDoesNotDependOnPosition(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n, bad int
	}{
		{"row 6 of 105", 105, 6},
		{"row 10,501 of 10,600", 10600, 10501},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(t, ageCSV(tc.n, tc.bad), profile.BuildOptions{})
			if err == nil {
				t.Fatal("built a profile; want an error")
			}
			for _, want := range []string{
				fmt.Sprintf("ref.csv:%d: column age: ", tc.bad+1), `"abc"`, "--categorical age", "--numeric age",
			} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestBuildMixedColumnOverrides(t *testing.T) {
	csv := ageCSV(105, 6)
	p := mustBuild(t, csv, profile.BuildOptions{Numeric: []string{"age"}})
	age := p.Feature("age")
	if age.Kind == profile.Categorical || age.Missing != 1 || age.Present() != 104 {
		t.Errorf("--numeric age: kind %s, missing %d, present %d; want numeric, 1, 104", age.Kind, age.Missing, age.Present())
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool {
		return strings.Contains(n, "column age: 1 values that are not numbers counted as missing")
	}) {
		t.Errorf("notes %q: want the coerced value counted", p.Notes)
	}
	p = mustBuild(t, csv, profile.BuildOptions{Categorical: []string{"age"}})
	if k := p.Feature("age").Kind; k != profile.Categorical {
		t.Errorf("--categorical age: kind %s", k)
	}
	// A column of mostly text with a few numbers is categorical: the numbers
	// are category names.
	p = mustBuild(t, "code\nA\nB\n7\nC\nA\n", profile.BuildOptions{})
	if k := p.Feature("code").Kind; k != profile.Categorical {
		t.Errorf("mostly text column: kind %s, want categorical", k)
	}
}

// TestBuildTimeColumns pins issue 14 item 2: date-time columns are not
// features; the event-time column is named by --timestamp.
func TestBuildTimeColumns(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,event_time,logged,day,timestamp\n")
	for i := range 200 {
		fmt.Fprintf(&b, "%d,2026-11-%02dT%02d:00:00Z,2026-11-01 10:%02d:00.5,2026-11-%02d,2026-12-01T00:00:%02dZ\n",
			i%7, 1+i%28, i%24, i%60, 1+i%28, i%60)
	}
	p := mustBuild(t, b.String(), profile.BuildOptions{})
	var names []string
	for _, f := range p.Features {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "x,day" {
		t.Errorf("features %v, want x and day (a date alone is not a date-time)", names)
	}
	if strings.Join(p.TimeColumns, ",") != "event_time,logged" || p.EventTime != "timestamp" {
		t.Errorf("time columns %v, event time %q; want event_time, logged and timestamp", p.TimeColumns, p.EventTime)
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool {
		return strings.Contains(n, "column event_time holds date-times: left out of drift")
	}) {
		t.Errorf("notes %q: want event_time named", p.Notes)
	}

	p = mustBuild(t, b.String(), profile.BuildOptions{Columns: profile.Columns{Timestamp: "event_time"}})
	if p.EventTime != "event_time" || strings.Join(p.TimeColumns, ",") != "logged,timestamp" {
		t.Errorf("--timestamp event_time: event time %q, time columns %v", p.EventTime, p.TimeColumns)
	}
	// The current data's event times come from the reference's event-time
	// column, and its date-time columns are not "unknown".
	cur, warnings := countRows(t, p, "x,event_time,logged,day\n1,2026-12-02T10:00:00Z,2026-12-02 10:00:00,2026-12-02\n2,2026-12-02T12:30:00Z,2026-12-02 12:00:00,2026-12-02\n")
	if cur.FirstEvent == nil || cur.FirstEvent.Hour() != 10 || cur.LastEvent.Hour() != 12 {
		t.Errorf("event times %v – %v, want 10:00 – 12:30", cur.FirstEvent, cur.LastEvent)
	}
	for _, w := range warnings {
		if strings.Contains(w, "not in the reference") {
			t.Errorf("warning %q: a date-time column of the reference is not unknown", w)
		}
	}
}

// TestBuildScoreLikeColumns pins issue 14 item 10: a score_ column is a class
// score only when it looks like one.
func TestBuildScoreLikeColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("x,score_t3,prediction,score_yes,score_no\n")
	for range 300 {
		yes := rng.Float64()
		pred := "no"
		if yes > 0.5 {
			pred = "yes"
		}
		fmt.Fprintf(&b, "%.3f,%.4f,%s,%.4f,%.4f\n", rng.Float64(), rng.NormFloat64(), pred, yes, 1-yes)
	}
	p := mustBuild(t, b.String(), profile.BuildOptions{})
	if f := p.Feature("score_t3"); f == nil || f.Kind != profile.Numeric {
		t.Fatalf("score_t3 = %+v, want a numeric feature", f)
	}
	if p.Confidence == nil || p.Confidence.Present() != 300 {
		t.Errorf("confidence %+v: want the highest of score_yes and score_no", p.Confidence)
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool {
		return strings.Contains(n, "column score_t3 is profiled as a feature") && strings.Contains(n, "outside [0, 1]")
	}) {
		t.Errorf("notes %q: want the failed rule named", p.Notes)
	}
	// --numeric makes a score-like column a feature.
	p = mustBuild(t, b.String(), profile.BuildOptions{Numeric: []string{"score_yes"}})
	if p.Feature("score_yes") == nil {
		t.Error("--numeric score_yes: not a feature")
	}
	// Scores in [0, 1] that name no predicted class are features.
	p = mustBuild(t, "prediction,score_a,score_b\nyes,0.1,0.2\nno,0.3,0.4\n", profile.BuildOptions{})
	if p.Confidence != nil || p.Feature("score_a") == nil || p.Feature("score_b") == nil {
		t.Errorf("scores naming no class: confidence %v, features %d; want two features", p.Confidence, len(p.Features))
	}
	// One column per class: a score-like column that names no predicted
	// or labelled class is a feature, beside the real scores.
	p = mustBuild(t, "prediction,label,score_yes,score_no,score_ratio\nyes,no,0.9,0.1,0.5\nno,no,0.2,0.8,0.7\n", profile.BuildOptions{})
	if p.Confidence == nil || p.Feature("score_ratio") == nil || p.Feature("score_yes") != nil {
		t.Errorf("confidence %v, features %d: want score_ratio a feature and score_yes, score_no the scores", p.Confidence, len(p.Features))
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool {
		return strings.HasPrefix(n, "column score_ratio is profiled as a feature, not as class scores: it names no class seen in column prediction or the label")
	}) {
		t.Errorf("notes %q", p.Notes)
	}
	// Counting current data keeps the reference's decision.
	cur, _ := countRows(t, mustBuild(t, b.String(), profile.BuildOptions{}), "x,score_t3,prediction,score_yes,score_no\n0.5,-3.5,yes,0.9,0.1\n")
	if f := cur.Feature("score_t3"); f.Present() != 1 {
		t.Errorf("current score_t3 present %d, want 1", f.Present())
	}
}

// TestBuildColumnEmptyInTheFirstRows: a column with no value in the rows
// that decide the kinds takes its kind from its first value, not "numeric
// because nothing said otherwise".
func TestBuildColumnEmptyInTheFirstRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,late\n")
	for i := range 10100 {
		late := ""
		if i >= 10050 {
			late = []string{"red", "blue"}[i%2]
		}
		fmt.Fprintf(&b, "%d,%s\n", i%7, late)
	}
	p := mustBuild(t, b.String(), profile.BuildOptions{})
	f := p.Feature("late")
	if f.Kind != profile.Categorical || f.Missing != 10050 || f.Present() != 50 {
		t.Errorf("late column: kind %s, missing %d, present %d; want categorical, 10050, 50", f.Kind, f.Missing, f.Present())
	}
}
