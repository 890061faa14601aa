package srcname

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/sharedvet/sharedvet/passes/functime"
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
	// inspect.Analyzer costs nothing more: buildssa, which every pass
	// requires, runs it already (through ctrlflow).
	Requires:   []*analysis.Analyzer{directive.Analyzer, inspect.Analyzer},
	Run:        run,
	ResultType: reflect.TypeOf((*Index)(nil)),
}

// An Index maps positions of SSA instructions to the source text of
// the expressions they operate on. Syntax is the best source of names:
// SSA keeps no name for a local such as ch in ch := make(chan int).
//
// The maps are built on first use: most packages, dependencies above
// all, yield no finding and never ask for a name, and building them
// for every call expression cost 1.6% of a run over std. Passes of one
// package may run in parallel, hence the sync.Once.
type Index struct {
	info *types.Info
	dirs *directive.Index

	// The inspector of inspect.Analyzer, shared. (It was once built here
	// on first use, to save the 3–4% of a run that inspect.Analyzer
	// cost; since x/tools v0.52 buildssa requires it through ctrlflow,
	// and a second inspector only doubled the cost: 0.4% of a cold
	// vet-engine run on etcd.)
	ins *inspector.Inspector

	once      sync.Once
	chans     map[token.Pos]ast.Expr   // send/receive arrow, range "for" → channel
	receivers map[token.Pos]ast.Expr   // call's "(" → receiver of a method call
	callees   map[token.Pos]ast.Expr   // call's "(" → called expression
	args      map[token.Pos][]ast.Expr // call's "(" → arguments
}

func run(pass *analysis.Pass) (any, error) {
	return &Index{
		info: pass.TypesInfo,
		dirs: pass.ResultOf[directive.Analyzer].(*directive.Index),
		ins:  pass.ResultOf[inspect.Analyzer].(*inspector.Inspector),
	}, nil
}

// Inspector returns the inspector over the package's files that the
// passes needing syntax share.
func (idx *Index) Inspector() *inspector.Inspector { return idx.ins }

// build indexes the package's channel operations and calls.
func (idx *Index) build() {
	idx.chans = make(map[token.Pos]ast.Expr)
	idx.receivers = make(map[token.Pos]ast.Expr)
	idx.callees = make(map[token.Pos]ast.Expr)
	idx.args = make(map[token.Pos][]ast.Expr)
	filter := []ast.Node{(*ast.SendStmt)(nil), (*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil), (*ast.CallExpr)(nil)}
	idx.Inspector().Preorder(filter, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.SendStmt:
			idx.chans[n.Arrow] = n.Chan
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				idx.chans[n.OpPos] = n.X
			}
		case *ast.RangeStmt:
			idx.chans[n.For] = n.X
		case *ast.CallExpr:
			fun := ast.Unparen(n.Fun)
			idx.callees[n.Lparen] = fun
			idx.args[n.Lparen] = n.Args
			if sel, ok := fun.(*ast.SelectorExpr); ok {
				if s, ok := idx.info.Selections[sel]; ok && s.Kind() == types.MethodVal {
					idx.receivers[n.Lparen] = sel.X
				}
			}
		}
	})
}

// lookup returns the source text of the expression m holds for pos.
func (idx *Index) lookup(m *map[token.Pos]ast.Expr, pos token.Pos) (string, bool) {
	idx.once.Do(func() { functime.PackageWork(idx.build) })
	if e, ok := (*m)[pos]; ok {
		return types.ExprString(e), true
	}
	return "", false
}

// Chan returns the channel expression of the send, receive or range
// statement whose SSA instruction is at pos.
func (idx *Index) Chan(pos token.Pos) (string, bool) { return idx.lookup(&idx.chans, pos) }

// Receiver returns the receiver expression of the method call whose
// SSA instruction is at pos, e.g. "b.mu" for b.mu.Lock().
func (idx *Index) Receiver(pos token.Pos) (string, bool) { return idx.lookup(&idx.receivers, pos) }

// Callee returns the called expression of the call at pos, e.g.
// "q.flush" or "blocker.Wait".
func (idx *Index) Callee(pos token.Pos) (string, bool) { return idx.lookup(&idx.callees, pos) }

// AddressedArg returns the variable whose address is argument i of the
// call at pos, e.g. "b.meta" for atomic.LoadUint64(&b.meta): the name
// SSA loses when b is a local converted from an unsafe.Pointer.
func (idx *Index) AddressedArg(pos token.Pos, i int) (string, bool) {
	idx.once.Do(func() { functime.PackageWork(idx.build) })
	args := idx.args[pos]
	if i >= len(args) {
		return "", false
	}
	if u, ok := ast.Unparen(args[i]).(*ast.UnaryExpr); ok && u.Op == token.AND {
		return types.ExprString(u.X), true
	}
	return "", false
}

// Directives returns the //lint:ignore directives of the package.
func (idx *Index) Directives() *directive.Index { return idx.dirs }
