package templatetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// This file finds the AWS API actions a Lambda function's code can reach,
// for the policy test. It type-checks the module's packages the function
// depends on (their imports come from the compiler's export data, as go vet
// does), walks the functions reachable from main (interface calls reach every
// module method of that name), and records
//   - every call whose callee takes an AWS SDK operation input
//     (*s3.GetObjectInput, *cloudwatch.PutMetricDataInput, ...), be it a
//     client method, a consumer-declared interface or a paginator; and
//   - every call of a shared/store Store method (Get, Put, ...) or of a method
//     with the same name and signature on an interface, which the S3 adapter
//     turns into S3 requests.
// shared/store itself is not walked: what the adapter can do is not what a
// function does.

const (
	modulePath   = "github.com/modelwatch/modelwatch"
	storePackage = modulePath + "/shared/store"
	sdkServices  = "github.com/aws/aws-sdk-go-v2/service/"
)

// sdkActions maps SDK operations to the IAM actions they need.
var sdkActions = map[string][]string{
	"s3.GetObject":             {"s3:GetObject"},
	"s3.HeadObject":            {"s3:GetObject"},
	"s3.PutObject":             {"s3:PutObject"},
	"s3.DeleteObject":          {"s3:DeleteObject"},
	"s3.ListObjectsV2":         {"s3:ListBucket"},
	"s3.CopyObject":            {"s3:GetObject", "s3:PutObject"},
	"cloudwatch.PutMetricData": {"cloudwatch:PutMetricData"},
	"cloudwatch.GetMetricData": {"cloudwatch:GetMetricData"},
	"sfn.StartExecution":       {"states:StartExecution"},
	"sfn.DescribeExecution":    {"states:DescribeExecution"},
	"sns.Publish":              {"sns:Publish"},
	"sqs.SendMessage":          {"sqs:SendMessage"},
	// SendMessageBatch is authorised by sqs:SendMessage.
	"sqs.SendMessageBatch":                 {"sqs:SendMessage"},
	"cloudwatch.DescribeAlarmContributors": {"cloudwatch:DescribeAlarmContributors"},
}

// storeActions maps the methods of store.Store to the S3 actions the S3
// adapter needs for them.
var storeActions = map[string]string{
	"Get":         "s3:GetObject",
	"Put":         "s3:PutObject",
	"PutIfAbsent": "s3:PutObject",
	"Delete":      "s3:DeleteObject",
	"List":        "s3:ListBucket",
}

type goPackage struct {
	ImportPath string
	Name       string
	Dir        string
	Export     string
	GoFiles    []string
	Standard   bool
	Module     *struct{ Path string }
}

type checkedPackage struct {
	path  string
	files []*ast.File
	info  *types.Info
}

// reachedActions returns the IAM actions the main package pkg (a ./relative
// path) can reach, each with the position of one call that needs it.
func reachedActions(t *testing.T, pkg string) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-export", "-json=ImportPath,Name,Dir,Export,GoFiles,Standard,Module", pkg)
	cmd.Dir = repoPath(t, ".")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pkg, err, stderr.String())
	}
	var pkgs []goPackage
	exports := map[string]string{}
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		exports[p.ImportPath] = p.Export
		pkgs = append(pkgs, p)
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	storePkg, err := imp.Import(storePackage)
	if err != nil {
		t.Fatalf("import %s: %v", storePackage, err)
	}
	storeIface := storePkg.Scope().Lookup("Store").Type().Underlying().(*types.Interface)

	a := &reach{
		fset:       fset,
		decls:      map[string][]funcDecl{},
		methods:    map[string][]string{},
		byType:     map[string][]string{},
		visited:    map[string]bool{},
		actions:    map[string]string{},
		storeIface: storeIface,
	}
	var roots []funcDecl
	for _, p := range pkgs {
		if p.Standard || p.Module == nil || p.Module.Path != modulePath || p.ImportPath == storePackage {
			continue
		}
		cp := &checkedPackage{path: p.ImportPath}
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("parse %s: %v", name, err)
			}
			cp.files = append(cp.files, f)
		}
		cp.info = &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
			Instances:  map[*ast.Ident]types.Instance{},
		}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(p.ImportPath, fset, cp.files, cp.info); err != nil {
			t.Fatalf("type-check %s: %v", p.ImportPath, err)
		}
		for _, f := range cp.files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					fn := cp.info.Defs[d.Name].(*types.Func)
					key := fn.FullName()
					fd := funcDecl{pkg: cp, node: d}
					a.decls[key] = append(a.decls[key], fd)
					if d.Recv != nil {
						a.methods[fn.Name()] = append(a.methods[fn.Name()], key)
						if named := namedOf(fn.Type().(*types.Signature).Recv().Type()); named != nil {
							tk := typeKey(named)
							a.byType[tk] = append(a.byType[tk], key)
						}
					} else if d.Name.Name == "init" || (p.Name == "main" && d.Name.Name == "main") {
						roots = append(roots, fd)
					}
				case *ast.GenDecl: // package-level variables are initialised at start
					if d.Tok == token.VAR {
						roots = append(roots, funcDecl{pkg: cp, node: d})
					}
				}
			}
		}
	}
	for _, r := range roots {
		a.walk(r)
	}
	for len(a.queue) > 0 {
		next := a.queue[0]
		a.queue = a.queue[1:]
		a.walk(next)
	}
	if a.err != nil {
		t.Fatal(a.err)
	}
	return a.actions
}

type funcDecl struct {
	pkg  *checkedPackage
	node ast.Node
}

type reach struct {
	fset       *token.FileSet
	decls      map[string][]funcDecl // by types.Func.FullName
	methods    map[string][]string   // method name -> keys of concrete methods
	byType     map[string][]string   // receiver type -> keys of its methods
	visited    map[string]bool
	queue      []funcDecl
	actions    map[string]string
	storeIface *types.Interface
	err        error
}

func (a *reach) enqueue(key string) {
	if a.visited[key] {
		return
	}
	a.visited[key] = true
	a.queue = append(a.queue, a.decls[key]...)
}

func (a *reach) record(action string, pos token.Pos) {
	if _, ok := a.actions[action]; !ok {
		p := a.fset.Position(pos)
		a.actions[action] = fmt.Sprintf("%s:%d", relToModule(p.Filename), p.Line)
	}
}

func relToModule(file string) string {
	if dir, err := root(); err == nil {
		if rel, err := filepath.Rel(dir, file); err == nil {
			return rel
		}
	}
	return file
}

func (a *reach) walk(fd funcDecl) {
	info := fd.pkg.info
	ast.Inspect(fd.node, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sig, ok := info.TypeOf(n.Fun).(*types.Signature); ok {
				a.sdkCall(sig, n.Pos())
				if !a.isModuleFunc(info, n.Fun) {
					// A module value handed to code outside the module (lambda.Start(h))
					// may have any of its methods called there.
					for _, arg := range n.Args {
						if named := namedOf(info.TypeOf(arg)); named != nil {
							for _, key := range a.byType[typeKey(named)] {
								a.enqueue(key)
							}
						}
					}
				}
			}
		case *ast.Ident:
			if fn, ok := info.Uses[n].(*types.Func); ok {
				a.use(fn, n.Pos())
			}
		}
		return true
	})
}

// isModuleFunc reports whether fun names a function or method of the module.
func (a *reach) isModuleFunc(info *types.Info, fun ast.Expr) bool {
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.IndexExpr: // generic instantiation
		return a.isModuleFunc(info, f.X)
	default:
		return false
	}
	fn, ok := info.Uses[id].(*types.Func)
	return ok && fn.Pkg() != nil && strings.HasPrefix(fn.Pkg().Path(), modulePath+"/")
}

// namedOf returns the named type of t or *t, if it is declared in the module.
func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || !strings.HasPrefix(n.Obj().Pkg().Path(), modulePath+"/") {
		return nil
	}
	return n.Origin()
}

func typeKey(n *types.Named) string { return n.Obj().Pkg().Path() + "." + n.Obj().Name() }

// sdkCall records the operation of a callee that takes an SDK operation input.
func (a *reach) sdkCall(sig *types.Signature, pos token.Pos) {
	for i := range sig.Params().Len() {
		ptr, ok := sig.Params().At(i).Type().(*types.Pointer)
		if !ok {
			continue
		}
		named, ok := ptr.Elem().(*types.Named)
		if !ok || named.Obj().Pkg() == nil {
			continue
		}
		path := named.Obj().Pkg().Path()
		service, found := strings.CutPrefix(path, sdkServices)
		if !found || strings.Contains(service, "/") || !strings.HasSuffix(named.Obj().Name(), "Input") {
			continue
		}
		op := service + "." + strings.TrimSuffix(named.Obj().Name(), "Input")
		actions, known := sdkActions[op]
		if !known {
			if a.err == nil {
				p := a.fset.Position(pos)
				a.err = fmt.Errorf("%s:%d calls SDK operation %s, which the sdkActions table does not map to IAM actions", relToModule(p.Filename), p.Line, op)
			}
			continue
		}
		for _, act := range actions {
			a.record(act, pos)
		}
	}
}

func (a *reach) use(fn *types.Func, pos token.Pos) {
	fn = fn.Origin()
	sig := fn.Type().(*types.Signature)
	if recv := sig.Recv(); recv != nil && types.IsInterface(recv.Type()) {
		if a.isStoreMethod(fn) {
			a.record(storeActions[fn.Name()], pos)
		}
		for _, key := range a.methods[fn.Name()] {
			a.enqueue(key)
		}
		return
	}
	if fn.Pkg() != nil && fn.Pkg().Path() == storePackage && sig.Recv() != nil && a.isStoreMethod(fn) {
		a.record(storeActions[fn.Name()], pos)
		return
	}
	a.enqueue(fn.FullName())
}

// isStoreMethod reports whether fn has the name and signature of a method of
// store.Store.
func (a *reach) isStoreMethod(fn *types.Func) bool {
	if _, ok := storeActions[fn.Name()]; !ok {
		return false
	}
	for i := range a.storeIface.NumMethods() {
		m := a.storeIface.Method(i)
		if m.Name() == fn.Name() && types.Identical(withoutRecv(m), withoutRecv(fn)) {
			return true
		}
	}
	return false
}

func withoutRecv(fn *types.Func) *types.Signature {
	s := fn.Type().(*types.Signature)
	return types.NewSignatureType(nil, nil, nil, s.Params(), s.Results(), s.Variadic())
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
