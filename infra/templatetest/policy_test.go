package templatetest

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
)

// functionActions is what each function's code calls, as IAM actions. The
// test checks it against the code (reachedActions) and against the template's
// policy, so a change on either side shows up here.
var functionActions = []struct {
	logicalID string
	pkg       string
	actions   []string
}{
	{"IngestFunction", "./functions/ingest", []string{"s3:GetObject", "s3:PutObject"}},
	{"DispatchFunction", "./functions/dispatch", []string{"s3:ListBucket", "sqs:SendMessage"}},
	{"DriftFunction", "./functions/drift", []string{"cloudwatch:PutMetricData", "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"}},
	{"AlarmHandlerFunction", "./functions/alarmhandler", []string{"cloudwatch:DescribeAlarmContributors", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "sns:Publish", "states:StartExecution"}},
	{"CaptureImportFunction", "./functions/captureimport", []string{"s3:GetObject", "s3:ListBucket", "s3:PutObject"}},
}

// impliedActions are needed beside an action the code calls: the topics are
// encrypted with a customer managed key, so publishing needs the key; and
// without s3:ListBucket S3 answers a GetObject of a missing key with 403
// instead of 404, so code that reads keys that may not exist needs it.
var impliedActions = map[string][]string{
	"sns:Publish":  {"kms:Decrypt", "kms:GenerateDataKey"},
	"s3:GetObject": {"s3:ListBucket"},
}

// resourceStarActions support no resource-level permissions; a statement with
// them must narrow them with a condition instead.
var resourceStarActions = map[string]bool{"cloudwatch:PutMetricData": true}

type statement struct {
	sid       string
	effect    string
	actions   []string
	resources []any
	condition map[string]any
}

// statements returns the policy statements of a function or state machine's
// Policies property: inline statement lists, also inside Fn::If (both
// branches). SAM policy templates and managed policy names are refused, since
// the test cannot see what they grant.
func statements(t *testing.T, owner string, policies any) []statement {
	t.Helper()
	list, ok := policies.([]any)
	if !ok {
		t.Fatalf("%s: Policies is not a list of inline policies", owner)
	}
	var out []statement
	var visit func(p any)
	visit = func(p any) {
		m, ok := p.(map[string]any)
		if !ok {
			t.Errorf("%s: policy %v is a managed policy or policy template; write its statements", owner, p)
			return
		}
		if branches, ok := m["Fn::If"].([]any); ok && len(branches) == 3 {
			for _, b := range branches[1:] {
				if ref, ok := cfntemplate.Ref(b); ok && ref == "AWS::NoValue" {
					continue
				}
				visit(b)
			}
			return
		}
		stmts, ok := m["Statement"].([]any)
		if !ok || len(m) != 1 {
			t.Errorf("%s: policy %v is not {Statement: [...]}; SAM policy templates are not allowed here", owner, p)
			return
		}
		for _, s := range stmts {
			sm, _ := s.(map[string]any)
			st := statement{}
			st.sid, _ = sm["Sid"].(string)
			st.effect, _ = sm["Effect"].(string)
			switch a := sm["Action"].(type) {
			case string:
				st.actions = []string{a}
			case []any:
				for _, x := range a {
					s, _ := x.(string)
					st.actions = append(st.actions, s)
				}
			default:
				t.Errorf("%s: statement %s has no Action list", owner, st.sid)
			}
			switch r := sm["Resource"].(type) {
			case []any:
				st.resources = r
			case nil:
				t.Errorf("%s: statement %s has no Resource", owner, st.sid)
			default:
				st.resources = []any{r}
			}
			st.condition, _ = sm["Condition"].(map[string]any)
			if _, ok := sm["NotAction"]; ok {
				t.Errorf("%s: statement %s uses NotAction", owner, st.sid)
			}
			if _, ok := sm["NotResource"]; ok {
				t.Errorf("%s: statement %s uses NotResource", owner, st.sid)
			}
			out = append(out, st)
		}
	}
	for _, p := range list {
		visit(p)
	}
	return out
}

// checkLeastPrivilege checks that statements allow only named actions on
// named resources (a "*" resource only for actions without resource-level
// permissions, narrowed by a condition) and returns the set of actions.
func checkLeastPrivilege(t *testing.T, owner string, stmts []statement) map[string]bool {
	t.Helper()
	actions := map[string]bool{}
	for _, st := range stmts {
		if st.effect != "Allow" {
			continue
		}
		for _, act := range st.actions {
			if strings.Contains(act, "*") || !strings.Contains(act, ":") {
				t.Errorf("%s: statement %s allows %q; name the actions", owner, st.sid, act)
			}
			actions[act] = true
		}
		for _, r := range st.resources {
			if r != "*" {
				continue
			}
			for _, act := range st.actions {
				if !resourceStarActions[act] {
					t.Errorf("%s: statement %s allows %s on every resource; name the resources", owner, st.sid, act)
				}
			}
			if len(st.condition) == 0 {
				t.Errorf("%s: statement %s allows %v on every resource without a condition", owner, st.sid, st.actions)
			}
		}
	}
	return actions
}

func TestFunctionPoliciesNameWhatTheCodeCalls(t *testing.T) {
	res := resources(t)
	for _, f := range functionActions {
		t.Run(f.logicalID, func(t *testing.T) {
			fn := resource(t, res, f.logicalID, "AWS::Serverless::Function")
			want := map[string]bool{}
			for _, act := range f.actions {
				want[act] = true
			}

			code := reachedActions(t, f.pkg)
			for _, act := range sortedKeys(code) {
				if !want[act] {
					t.Errorf("%s calls %s (%s), which the functionActions table does not list: add it there and to the template's policy", f.pkg, act, code[act])
				}
			}
			for _, act := range f.actions {
				if _, ok := code[act]; !ok {
					t.Errorf("the functionActions table lists %s for %s, but its code never calls it: remove it there and from the template's policy", act, f.pkg)
				}
			}

			granted := checkLeastPrivilege(t, f.logicalID, statements(t, f.logicalID, fn.Properties["Policies"]))
			needed := maps.Clone(want)
			for act := range want {
				for _, implied := range impliedActions[act] {
					needed[implied] = true
				}
			}
			for _, act := range sortedKeys(granted) {
				if !needed[act] {
					t.Errorf("the policy of %s grants %s, which its code does not call", f.logicalID, act)
				}
			}
			for _, act := range sortedKeys(needed) {
				if !granted[act] {
					t.Errorf("the policy of %s does not grant %s, which its code needs", f.logicalID, act)
				}
			}
		})
	}
	var ids []string
	for id, r := range res {
		if r.Type == "AWS::Serverless::Function" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var listed []string
	for _, f := range functionActions {
		listed = append(listed, f.logicalID)
	}
	slices.Sort(listed)
	if !slices.Equal(ids, listed) {
		t.Errorf("template functions %v, the test's table has %v", ids, listed)
	}
}

// resourcePrefixes returns the S3 key prefixes ("reports/", "*" for the
// whole bucket) a statement's resources grant in the data bucket.
func resourcePrefixes(st statement) []string {
	var out []string
	for _, r := range st.resources {
		s, ok := cfntemplate.SubString(r)
		if ok {
			if rest, found := strings.CutPrefix(s, "${DataBucket.Arn}/"); found {
				out = append(out, strings.TrimSuffix(rest, "*"))
			}
		}
	}
	return out
}

func TestFunctionPoliciesScopeTheBucketByPrefix(t *testing.T) {
	res := resources(t)
	// The key prefixes of shared/layout each function writes.
	writes := map[string][]string{
		"IngestFunction":        {"labels/", "predictions/", "profiles/", "receipts/", "rejected/"},
		"DriftFunction":         {"quarantine/profiles/", "reports/"},
		"AlarmHandlerFunction":  {"retrain/"},
		"CaptureImportFunction": {"labels/", "predictions/", "profiles/", "receipts/", "rejected/"},
	}
	for id, want := range writes {
		fn := resource(t, res, id, "AWS::Serverless::Function")
		var got []string
		for _, st := range statements(t, id, fn.Properties["Policies"]) {
			if slices.Contains(st.actions, "s3:PutObject") {
				got = append(got, resourcePrefixes(st)...)
			}
			if slices.Contains(st.actions, "s3:GetObject") {
				for _, p := range resourcePrefixes(st) {
					if p == "" {
						t.Errorf("%s reads the whole bucket; name the prefixes", id)
					}
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s may write under %v, want %v", id, got, want)
		}
	}
}
