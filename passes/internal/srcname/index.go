package srcname

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/sharedvet/sharedvet/passes/internal/directive"
)

// Analyzer indexes the source expressions of a package by the positions
// that go/ssa gives its instructions, once per package for all passes.
var Analyzer = &analysis.Analyzer{
	Name: "srcname",
	Doc:  "index source expressions by the positions of SSA instructions",
	// directive.Analyzer rides along so that every pass, which
	// requires srcname, can reach the //lint:ignore directives of its
	// package from report.Report without wiring of its own.
	Requires:   []*analysis.Analyzer{inspect.Analyzer, directive.Analyzer},
	Run:        run,
	ResultType: reflect.TypeOf((*Index)(nil)),
}

// An Index maps positions of SSA instructions to the source text of
// the expressions they operate on. Syntax is the best source of names:
// SSA keeps no name for a local such as ch in ch := make(chan int).
type Index struct {
	chans     map[token.Pos]string // send/receive arrow, range "for" → channel
	receivers map[token.Pos]string // call's "(" → receiver of a method call
	callees   map[token.Pos]string // call's "(" → called expression
	rangeFors map[token.Pos]bool
	dirs      *directive.Index
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	idx := &Index{
		chans:     make(map[token.Pos]string),
		receivers: make(map[token.Pos]string),
		callees:   make(map[token.Pos]string),
		rangeFors: make(map[token.Pos]bool),
		dirs:      pass.ResultOf[directive.Analyzer].(*directive.Index),
	}
	filter := []ast.Node{(*ast.SendStmt)(nil), (*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil), (*ast.CallExpr)(nil)}
	ins.Preorder(filter, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.SendStmt:
			idx.chans[n.Arrow] = types.ExprString(n.Chan)
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				idx.chans[n.OpPos] = types.ExprString(n.X)
			}
		case *ast.RangeStmt:
			idx.rangeFors[n.For] = true
			idx.chans[n.For] = types.ExprString(n.X)
		case *ast.CallExpr:
			fun := ast.Unparen(n.Fun)
			idx.callees[n.Lparen] = types.ExprString(fun)
			if sel, ok := fun.(*ast.SelectorExpr); ok {
				if s, ok := pass.TypesInfo.Selections[sel]; ok && s.Kind() == types.MethodVal {
					idx.receivers[n.Lparen] = types.ExprString(sel.X)
				}
			}
		}
	})
	return idx, nil
}

// Chan returns the channel expression of the send, receive or range
// statement whose SSA instruction is at pos.
func (idx *Index) Chan(pos token.Pos) (string, bool) {
	s, ok := idx.chans[pos]
	return s, ok
}

// IsRangeFor reports whether pos is the "for" of a range statement:
// go/ssa places the receive of a range loop over a channel there.
func (idx *Index) IsRangeFor(pos token.Pos) bool { return idx.rangeFors[pos] }

// Receiver returns the receiver expression of the method call whose
// SSA instruction is at pos, e.g. "b.mu" for b.mu.Lock().
func (idx *Index) Receiver(pos token.Pos) (string, bool) {
	s, ok := idx.receivers[pos]
	return s, ok
}

// Callee returns the called expression of the call at pos, e.g.
// "q.flush" or "blocker.Wait".
func (idx *Index) Callee(pos token.Pos) (string, bool) {
	s, ok := idx.callees[pos]
	return s, ok
}

// Directives returns the //lint:ignore directives of the package.
func (idx *Index) Directives() *directive.Index { return idx.dirs }
