package flow

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const src = `package p

func deferred(ok bool) int {
	defer println()
	if ok {
		return 1
	}
	return 2
}

func plain() int { return 3 }
`

// build returns the functions of src by name.
func build(t *testing.T) map[string]*ssa.Function {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg := types.NewPackage("p", "p")
	ssapkg, _, err := ssautil.BuildPackage(&types.Config{Importer: importer.Default()}, fset, pkg, []*ast.File{f}, ssa.SanityCheckFunctions)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*ssa.Function{"deferred": ssapkg.Func("deferred"), "plain": ssapkg.Func("plain")}
}

// TestRunDefers checks that RunDefers finds where a function's deferred
// calls run, once per return, and nothing in a function without defer.
func TestRunDefers(t *testing.T) {
	fns := build(t)
	got := RunDefers(fns["deferred"])
	if len(got) != 2 {
		t.Fatalf("RunDefers(deferred) = %v, want the two before its returns", got)
	}
	for _, rd := range got {
		if _, ok := rd.(*ssa.RunDefers); !ok {
			t.Errorf("RunDefers returned %T", rd)
		}
	}
	if got := RunDefers(fns["plain"]); len(got) != 0 {
		t.Errorf("RunDefers(plain) = %v, want none", got)
	}
}
