package cfntemplate

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is a decoded template: maps, slices, strings, float64, bool and
// nil, with every intrinsic function in its long form ({"Ref": x},
// {"Fn::Sub": x}, ...).
type Template struct {
	Root map[string]any
}

// Resource is one resource of the template.
type Resource struct {
	Type      string
	Condition string
	// DeletionPolicy and UpdateReplacePolicy are empty when not set
	// (CloudFormation then deletes the resource).
	DeletionPolicy      string
	UpdateReplacePolicy string
	Properties          map[string]any
	Metadata            map[string]any
}

// Load reads and decodes the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse decodes a YAML (or JSON) template.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("decode template: not a single YAML document")
	}
	v, err := decode(doc.Content[0])
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("decode template: the document is not a mapping")
	}
	return &Template{Root: root}, nil
}

// shortTags maps the YAML short forms to the long names of the functions.
var shortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!Sub":          "Fn::Sub",
	"!GetAtt":       "Fn::GetAtt",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!If":           "Fn::If",
	"!Equals":       "Fn::Equals",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Base64":       "Fn::Base64",
	"!Cidr":         "Fn::Cidr",
	"!Transform":    "Fn::Transform",
	"!ToJsonString": "Fn::ToJsonString",
	"!Length":       "Fn::Length",
	"!Contains":     "Fn::Contains",
}

func decode(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.AliasNode: // CloudFormation has no anchors; refusing them also rules out alias cycles and bombs
		return nil, fmt.Errorf("line %d: YAML aliases (*%s) are not supported in templates", n.Line, n.Value)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := decode(n.Content[i])
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				ks = fmt.Sprint(k)
			}
			if _, dup := m[ks]; dup {
				return nil, fmt.Errorf("line %d: key %q twice", n.Content[i].Line, ks)
			}
			val, err := decode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[ks] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := decode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str", "!!binary":
			v = n.Value
		case "!!null":
			v = nil
		case "!!bool":
			b, err := strconv.ParseBool(n.Value)
			if err != nil {
				v = n.Value
			} else {
				v = b
			}
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				v = n.Value
			} else {
				v = f
			}
		default:
			v = n.Value
		}
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	name, short := shortTags[n.Tag]
	if !short {
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
		}
		return v, nil
	}
	if name == "Fn::GetAtt" {
		if s, ok := v.(string); ok { // !GetAtt Res.Attr
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q: want Resource.Attribute", n.Line, s)
			}
			v = []any{res, attr}
		}
	}
	return map[string]any{name: v}, nil
}

// Section returns the named top-level section (Resources, Parameters, ...).
func (t *Template) Section(name string) map[string]any {
	m, _ := t.Root[name].(map[string]any)
	return m
}

// ParameterDefaults returns each parameter's default as a string
// (CommaDelimitedList defaults stay comma separated).
func (t *Template) ParameterDefaults() map[string]string {
	out := map[string]string{}
	for name, p := range t.Section("Parameters") {
		pm, _ := p.(map[string]any)
		if d, ok := pm["Default"]; ok {
			out[name] = Scalar(d)
		}
	}
	return out
}

// Scalar formats a decoded scalar as CloudFormation would pass it on: numbers
// without a trailing .0.
func Scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// Resources returns the resources after expanding every Fn::ForEach loop,
// taking list parameters (e.g. Models) from params, else from their defaults.
func (t *Template) Resources(params map[string]string) (map[string]Resource, error) {
	expanded, err := t.Expand("Resources", params)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Resource, len(expanded))
	for id, v := range expanded {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("resource %s is not a mapping", id)
		}
		r := Resource{}
		r.Type, _ = m["Type"].(string)
		r.Condition, _ = m["Condition"].(string)
		r.DeletionPolicy, _ = m["DeletionPolicy"].(string)
		r.UpdateReplacePolicy, _ = m["UpdateReplacePolicy"].(string)
		r.Properties, _ = m["Properties"].(map[string]any)
		r.Metadata, _ = m["Metadata"].(map[string]any)
		out[id] = r
	}
	return out, nil
}

// Expand returns a top-level section with its Fn::ForEach loops expanded.
func (t *Template) Expand(section string, params map[string]string) (map[string]any, error) {
	values := t.ParameterDefaults()
	for k, v := range params {
		values[k] = v
	}
	return expandForEach(t.Section(section), values)
}

const forEachPrefix = "Fn::ForEach::"

func expandForEach(section map[string]any, params map[string]string) (map[string]any, error) {
	out := map[string]any{}
	for key, v := range section {
		if !strings.HasPrefix(key, forEachPrefix) {
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("%s defined twice", key)
			}
			out[key] = v
			continue
		}
		loop, ok := v.([]any)
		if !ok || len(loop) != 3 {
			return nil, fmt.Errorf("%s: want [identifier, collection, fragment]", key)
		}
		id, _ := loop[0].(string)
		fragment, _ := loop[2].(map[string]any)
		if id == "" || fragment == nil {
			return nil, fmt.Errorf("%s: want [identifier, collection, fragment]", key)
		}
		items, err := collection(loop[1], params)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		for _, item := range items {
			replaced := replaceIdentifier(fragment, id, item).(map[string]any)
			inner, err := expandForEach(replaced, params)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			for k, v := range inner {
				if _, dup := out[k]; dup {
					return nil, fmt.Errorf("%s: %s defined twice (for %s=%q)", key, k, id, item)
				}
				out[k] = v
			}
		}
	}
	return out, nil
}

func collection(v any, params map[string]string) ([]string, error) {
	switch c := v.(type) {
	case []any:
		var out []string
		for _, x := range c {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("collection item %v is not a string", x)
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		if ref, ok := c["Ref"].(string); ok {
			val, ok := params[ref]
			if !ok {
				return nil, fmt.Errorf("collection parameter %s has no value", ref)
			}
			var out []string
			for _, s := range strings.Split(val, ",") {
				out = append(out, strings.TrimSpace(s))
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("collection %v: want a list or a Ref to a list parameter", v)
}

var nonAlphanumeric = regexp.MustCompile(`[^A-Za-z0-9]`)

// replaceIdentifier returns a copy of v with the loop identifier replaced:
// ${id} in strings and keys, &{id} in keys (non-alphanumeric characters
// dropped), and {"Ref": id}.
func replaceIdentifier(v any, id, value string) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 && ref == id {
			return value
		}
		out := make(map[string]any, len(x))
		for k, val := range x {
			k = strings.ReplaceAll(k, "&{"+id+"}", nonAlphanumeric.ReplaceAllString(value, ""))
			k = strings.ReplaceAll(k, "${"+id+"}", value)
			out[k] = replaceIdentifier(val, id, value)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = replaceIdentifier(val, id, value)
		}
		return out
	case string:
		return strings.ReplaceAll(x, "${"+id+"}", value)
	}
	return v
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// Sub renders an Fn::Sub string: ${Name} takes vars[Name] and ${!Literal}
// stays as ${Literal}. A variable without a value is an error naming it.
func Sub(s string, vars map[string]string) (string, error) {
	var missing []string
	out := subVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		return "", fmt.Errorf("Fn::Sub: no value for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// SubVariables lists the variables an Fn::Sub string refers to (without the
// escaped ${!Literal} ones), sorted and without repeats.
func SubVariables(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range subVar.FindAllStringSubmatch(s, -1) {
		if strings.HasPrefix(m[1], "!") || seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// SubString returns the template string of an Fn::Sub value, either the plain
// {"Fn::Sub": "..."} or the first element of {"Fn::Sub": ["...", {...}]}.
func SubString(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	switch s := m["Fn::Sub"].(type) {
	case string:
		return s, true
	case []any:
		if len(s) > 0 {
			str, ok := s[0].(string)
			return str, ok
		}
	}
	return "", false
}

// Ref returns the name a {"Ref": name} value refers to.
func Ref(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	s, ok := m["Ref"].(string)
	return s, ok
}

// GetAtt returns the resource and attribute of a {"Fn::GetAtt": [r, a]} value.
func GetAtt(v any) (resource, attribute string, ok bool) {
	m, isMap := v.(map[string]any)
	if !isMap || len(m) != 1 {
		return "", "", false
	}
	l, isList := m["Fn::GetAtt"].([]any)
	if !isList || len(l) != 2 {
		return "", "", false
	}
	resource, ok1 := l[0].(string)
	attribute, ok2 := l[1].(string)
	return resource, attribute, ok1 && ok2
}

// Resolve evaluates a scalar property value: a string or number, {"Ref": x},
// {"Fn::Sub": "..."}, {"Fn::Sub": ["...", {var: value}]}, {"Fn::GetAtt": [r, a]}
// or {"Fn::Join": [delimiter, list]}, where the list is a list of values or an
// {"Fn::Split": [delimiter, value]}. vars holds the values of parameters,
// pseudo parameters and resources (by logical id) and of attributes
// ("Resource.Attribute").
func Resolve(v any, vars map[string]string) (string, error) {
	switch x := v.(type) {
	case string, float64, bool:
		return Scalar(x), nil
	}
	if ref, ok := Ref(v); ok {
		val, ok := vars[ref]
		if !ok {
			return "", fmt.Errorf("Ref %s: no value", ref)
		}
		return val, nil
	}
	if res, attr, ok := GetAtt(v); ok {
		val, ok := vars[res+"."+attr]
		if !ok {
			return "", fmt.Errorf("Fn::GetAtt %s.%s: no value", res, attr)
		}
		return val, nil
	}
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		switch f := m["Fn::Sub"].(type) {
		case string:
			return Sub(f, vars)
		case []any:
			return resolveSubList(f, vars)
		}
		if join, ok := m["Fn::Join"].([]any); ok {
			return resolveJoin(join, vars)
		}
	}
	return "", fmt.Errorf("cannot resolve %v", v)
}

// resolveSubList evaluates {"Fn::Sub": ["...", {var: value}]}: the map's
// values, resolved, are variables beside vars.
func resolveSubList(f []any, vars map[string]string) (string, error) {
	if len(f) != 2 {
		return "", fmt.Errorf("Fn::Sub %v: want [string, {variables}]", f)
	}
	s, ok1 := f[0].(string)
	locals, ok2 := f[1].(map[string]any)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("Fn::Sub %v: want [string, {variables}]", f)
	}
	all := make(map[string]string, len(vars)+len(locals))
	for k, val := range vars {
		all[k] = val
	}
	for k, val := range locals {
		r, err := Resolve(val, vars)
		if err != nil {
			return "", fmt.Errorf("Fn::Sub variable %s: %w", k, err)
		}
		all[k] = r
	}
	return Sub(s, all)
}

// resolveJoin evaluates {"Fn::Join": [delimiter, list]}.
func resolveJoin(f []any, vars map[string]string) (string, error) {
	if len(f) != 2 {
		return "", fmt.Errorf("Fn::Join %v: want [delimiter, list]", f)
	}
	delim, ok := f[0].(string)
	if !ok {
		return "", fmt.Errorf("Fn::Join %v: want [delimiter, list]", f)
	}
	var parts []string
	switch list := f[1].(type) {
	case []any:
		for _, item := range list {
			r, err := Resolve(item, vars)
			if err != nil {
				return "", fmt.Errorf("Fn::Join: %w", err)
			}
			parts = append(parts, r)
		}
	case map[string]any:
		split, ok := list["Fn::Split"].([]any)
		if !ok || len(list) != 1 || len(split) != 2 {
			return "", fmt.Errorf("Fn::Join %v: want a list or an Fn::Split", f)
		}
		sep, ok := split[0].(string)
		if !ok || sep == "" {
			return "", fmt.Errorf("Fn::Split %v: want [delimiter, value]", split)
		}
		r, err := Resolve(split[1], vars)
		if err != nil {
			return "", fmt.Errorf("Fn::Split: %w", err)
		}
		parts = strings.Split(r, sep)
	default:
		return "", fmt.Errorf("Fn::Join %v: want a list or an Fn::Split", f)
	}
	return strings.Join(parts, delim), nil
}
