package cfntemplate_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
)

func TestParseShortForms(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want any
	}{
		{"ref", "V: !Ref Models", map[string]any{"Ref": "Models"}},
		{"sub", "V: !Sub a-${B}", map[string]any{"Fn::Sub": "a-${B}"}},
		{"sub list", "V: !Sub [\"${A}\", {A: x}]", map[string]any{"Fn::Sub": []any{"${A}", map[string]any{"A": "x"}}}},
		{"getatt dotted", "V: !GetAtt Bucket.Arn", map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}},
		{"getatt list", "V: !GetAtt [Bucket, Arn]", map[string]any{"Fn::GetAtt": []any{"Bucket", "Arn"}}},
		{"nested", "V: !If [C, !Ref A, !Ref AWS::NoValue]", map[string]any{"Fn::If": []any{"C", map[string]any{"Ref": "A"}, map[string]any{"Ref": "AWS::NoValue"}}}},
		{"long form", "V: {\"Fn::Join\": [\",\", [a, b]]}", map[string]any{"Fn::Join": []any{",", []any{"a", "b"}}}},
		{"number", "V: 0.25", 0.25},
		{"quoted number", "V: \"0.25\"", "0.25"},
		{"bool", "V: true", true},
		{"literal block", "V: |\n  {\"a\": 1}\n", "{\"a\": 1}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := cfntemplate.Parse([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.Root["V"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"unknown tag", "V: !Bogus x", "unknown tag !Bogus"},
		{"getatt without attribute", "V: !GetAtt Bucket", "want Resource.Attribute"},
		{"duplicate key", "A: 1\nA: 2", `key "A" twice`},
		{"not a mapping", "- a", "not a mapping"},
		{"bad yaml", "A: [", "decode template"},
		{"alias", "A: &a [x]\nB: *a", "aliases"},
		{"alias cycle", "A: &a [*a]", "aliases"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cfntemplate.Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

const loopTemplate = `
Parameters:
  Models: {Type: CommaDelimitedList, Default: "a-1,b"}
Resources:
  Topic: {Type: AWS::SNS::Topic, DeletionPolicy: Retain, UpdateReplacePolicy: Delete}
  Fn::ForEach::PerModel:
    - Model
    - !Ref Models
    - Alarm&{Model}:
        Type: AWS::CloudWatch::Alarm
        Properties:
          AlarmName: !Sub ${AWS::StackName}-${Model}-x
          Dimensions: [{Name: Model, Value: !Ref Model}]
      Fn::ForEach::Kinds:
        - Kind
        - [p, q]
        - ${Kind}&{Model}:
            Type: AWS::SNS::Topic
            Properties: {TopicName: !Sub "${Model}-${Kind}"}
`

func TestResourcesExpandForEach(t *testing.T) {
	tpl, err := cfntemplate.Parse([]byte(loopTemplate))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		params map[string]string
		want   []string
	}{
		{nil, []string{"Alarma1", "Alarmb", "Topic", "pa1", "pb", "qa1", "qb"}},
		{map[string]string{"Models": "x.y"}, []string{"Alarmxy", "Topic", "pxy", "qxy"}},
	} {
		res, err := tpl.Resources(tt.params)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for id := range res {
			ids = append(ids, id)
		}
		if got := fmt.Sprint(sorted(ids)); got != fmt.Sprint(tt.want) {
			t.Errorf("params %v: resources %s, want %v", tt.params, got, tt.want)
		}
	}
	res, _ := tpl.Resources(nil)
	a := res["Alarma1"]
	if a.Type != "AWS::CloudWatch::Alarm" || !reflect.DeepEqual(a.Properties["AlarmName"], map[string]any{"Fn::Sub": "${AWS::StackName}-a-1-x"}) {
		t.Errorf("Alarma1 = %#v", a)
	}
	if topic := res["Topic"]; topic.DeletionPolicy != "Retain" || topic.UpdateReplacePolicy != "Delete" {
		t.Errorf("Topic: DeletionPolicy %q, UpdateReplacePolicy %q; want Retain, Delete", topic.DeletionPolicy, topic.UpdateReplacePolicy)
	}
	if a.DeletionPolicy != "" || a.UpdateReplacePolicy != "" {
		t.Errorf("Alarma1: policies %q, %q; want none", a.DeletionPolicy, a.UpdateReplacePolicy)
	}
	if got := a.Properties["Dimensions"]; !reflect.DeepEqual(got, []any{map[string]any{"Name": "Model", "Value": "a-1"}}) {
		t.Errorf("Ref of the loop identifier not replaced: %#v", got)
	}
	if got := res["qb"].Properties["TopicName"]; !reflect.DeepEqual(got, map[string]any{"Fn::Sub": "b-q"}) {
		t.Errorf("nested loop: %#v", got)
	}
	if _, err := tpl.Resources(map[string]string{"Models": "a-b,ab"}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("models whose logical ids collide: error %v", err)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestSub(t *testing.T) {
	vars := map[string]string{"A": "1", "AWS::Region": "eu-west-1", "B.Arn": "arn"}
	for _, tt := range []struct{ in, want, err string }{
		{"x-${A}-${AWS::Region}", "x-1-eu-west-1", ""},
		{"${B.Arn}/*", "arn/*", ""},
		{"${!PROP('Dim.Feature')}", "${PROP('Dim.Feature')}", ""},
		{"no variables", "no variables", ""},
		{"${C}${A}${D}", "", "no value for C, D"},
	} {
		got, err := cfntemplate.Sub(tt.in, vars)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Sub(%q): error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Sub(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if got := cfntemplate.SubVariables("${A} ${!B} ${A} ${AWS::Region}"); !reflect.DeepEqual(got, []string{"A", "AWS::Region"}) {
		t.Errorf("SubVariables = %v", got)
	}
}

func TestIntrinsicAccessors(t *testing.T) {
	if r, ok := cfntemplate.Ref(map[string]any{"Ref": "X"}); !ok || r != "X" {
		t.Errorf("Ref = %q %v", r, ok)
	}
	if _, ok := cfntemplate.Ref("X"); ok {
		t.Error("Ref of a string")
	}
	if r, a, ok := cfntemplate.GetAtt(map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}); !ok || r != "Q" || a != "Arn" {
		t.Errorf("GetAtt = %q %q %v", r, a, ok)
	}
	if s, ok := cfntemplate.SubString(map[string]any{"Fn::Sub": []any{"${A}", map[string]any{}}}); !ok || s != "${A}" {
		t.Errorf("SubString = %q %v", s, ok)
	}
	if got := cfntemplate.Scalar(float64(500)); got != "500" {
		t.Errorf("Scalar(500) = %q", got)
	}
}

func ExampleSub() {
	s, _ := cfntemplate.Sub("modelwatch-${Model}-${!Literal}", map[string]string{"Model": "credit"})
	fmt.Println(s)
	// Output: modelwatch-credit-${Literal}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(loopTemplate))
	f.Add([]byte("V: !GetAtt A.B\nW: !Sub [x, {y: !Ref z}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := cfntemplate.Parse(data)
		if err != nil {
			return
		}
		// Whatever parses expands or fails with an error, never a panic.
		_, _ = tpl.Resources(map[string]string{"Models": "a,b"})
		_ = tpl.ParameterDefaults()
	})
}

func TestResolve(t *testing.T) {
	vars := map[string]string{"P": "24", "Q": "arn:q", "B.Arn": "arn:b"}
	for _, tt := range []struct {
		in   any
		want string
		err  bool
	}{
		{"plain", "plain", false},
		{float64(1048576), "1048576", false},
		{map[string]any{"Ref": "Q"}, "arn:q", false},
		{map[string]any{"Fn::Sub": "${P}h"}, "24h", false},
		{map[string]any{"Fn::GetAtt": []any{"B", "Arn"}}, "arn:b", false},
		{map[string]any{"Ref": "Missing"}, "", true},
		{map[string]any{"Fn::Join": []any{"", []any{"a", map[string]any{"Ref": "P"}}}}, "a24", false},
		{map[string]any{"Fn::Join": []any{"_", map[string]any{"Fn::Split": []any{".", map[string]any{"Fn::Sub": "s-${Q}.x.y"}}}}}, "s-arn:q_x_y", false},
		{map[string]any{"Fn::Join": []any{"_", map[string]any{"Fn::Split": []any{".", "none"}}}}, "none", false},
		{map[string]any{"Fn::Sub": []any{"${A}/${P}", map[string]any{"A": map[string]any{"Ref": "Q"}}}}, "arn:q/24", false},
		{map[string]any{"Fn::Sub": []any{"${A}", map[string]any{"A": map[string]any{"Ref": "Missing"}}}}, "", true},
		{map[string]any{"Fn::Sub": []any{"${A}"}}, "", true},
		{map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Ref": "Missing"}}}}, "", true},
		{map[string]any{"Fn::Join": []any{"", map[string]any{"Fn::Select": []any{"0", "a"}}}}, "", true},
		{map[string]any{"Fn::Join": []any{"_", map[string]any{"Fn::Split": []any{"", "a"}}}}, "", true},
		{map[string]any{"Fn::Select": []any{"0", []any{"a"}}}, "", true},
		{map[string]any{"Fn::Sub": []any{}}, "", true},
		{map[string]any{"Fn::Join": []any{}}, "", true},
	} {
		got, err := cfntemplate.Resolve(tt.in, vars)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Resolve(%v) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}
