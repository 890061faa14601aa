package lockchan

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/passes/buildssa"

	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// predicates reports, at each blocking channel operation, what
// closedBefore and drainedBefore say of it (fixture package syncapi:
// a nil or package-level channel has no referrers).
var predicates = &analysis.Analyzer{
	Name:     "predicates",
	Doc:      "report lockchan's clearing predicates on each blocking channel operation",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		for _, fn := range pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).SrcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					op, ok := syncapi.BlockingOpOf(instr)
					if !ok || op.Kind == syncapi.Select {
						continue
					}
					pass.Reportf(op.Pos, "%s closed=%v drained=%v", op.Verb(), closedBefore(op), drainedBefore(op))
				}
			}
		}
		return nil, nil
	},
}

func TestPredicates(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, testdata, predicates, "syncapi")
}
