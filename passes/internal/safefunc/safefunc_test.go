package safefunc_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
)

// shared stands for a shared analyzer such as lockset: it reports
// nothing of its own, and panics on the functions named boomShared.
var shared = &analysis.Analyzer{
	Name:       "shared",
	Doc:        "panic on boomShared",
	Requires:   []*analysis.Analyzer{buildssa.Analyzer},
	ResultType: reflect.TypeFor[bool](),
	Run: func(pass *analysis.Pass) (any, error) {
		safefunc.ForEach(pass, pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).SrcFuncs, func(fn *ssa.Function) {
			if fn.Name() == "boomShared" {
				panic("shared failed")
			}
		})
		return true, nil
	},
}

// check stands for a check that requires shared: it reports every
// function and panics on the functions named boomCheck.
var check = &analysis.Analyzer{
	Name:     "check",
	Doc:      "report each function, panic on boomCheck",
	Requires: []*analysis.Analyzer{buildssa.Analyzer, shared},
	Run: func(pass *analysis.Pass) (any, error) {
		safefunc.ForEach(pass, pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).SrcFuncs, func(fn *ssa.Function) {
			if fn.Name() == "boomCheck" {
				panic("check failed")
			}
			pass.Reportf(fn.Pos(), "analyzed %s", fn.Name())
		})
		return nil, nil
	},
}

// TestPanicReported checks that a panic on one function is reported at
// it as an internal error, by the check itself or, for a shared
// analyzer's, relayed by the check (go vet prints only the checks'
// diagnostics), and that the other functions are still analyzed.
func TestPanicReported(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, testdata, check, "safefunc")
}

// TestTooLarge checks that a function over MaxInstrs is not analyzed
// and that the pass says so at it.
func TestTooLarge(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("package big\n\nfunc small() {} // want `analyzed small`\n\n")
	src.WriteString("func huge(x int) int { // want `big.huge not analyzed: \\d+ SSA instructions, over the limit of 50000`\n")
	for range 12000 {
		src.WriteString("\tif x == 3 {\n\t\tx++\n\t}\n")
	}
	src.WriteString("\treturn x\n}\n")
	if err := os.MkdirAll(filepath.Join(dir, "src", "big"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "big", "big.go"), []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, dir, check, "big")
}
