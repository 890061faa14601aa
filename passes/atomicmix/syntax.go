package atomicmix

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// A syntaxIndex maps the positions go/ssa gives to loads and stores
// back to the expressions and statements of the source, for names and
// suggested fixes.
type syntaxIndex struct {
	exprs map[token.Pos]ast.Expr // Sel of x.f, Lbrack of a[i], Star of *p, an identifier
	stmts map[ast.Expr]ast.Stmt  // the left-hand side of an assignment or x++ → the statement
	files map[*token.File]*ast.File
	blank map[ast.Expr]bool // the values assigned to _, in _ = x or var _ = x
}

func newSyntaxIndex(pass *analysis.Pass, ins *inspector.Inspector) *syntaxIndex {
	idx := &syntaxIndex{
		exprs: make(map[token.Pos]ast.Expr),
		stmts: make(map[ast.Expr]ast.Stmt),
		files: make(map[*token.File]*ast.File),
		blank: make(map[ast.Expr]bool),
	}
	for _, f := range pass.Files {
		idx.files[pass.Fset.File(f.Pos())] = f
	}
	filter := []ast.Node{
		(*ast.SelectorExpr)(nil), (*ast.IndexExpr)(nil), (*ast.StarExpr)(nil), (*ast.Ident)(nil),
		(*ast.AssignStmt)(nil), (*ast.IncDecStmt)(nil), (*ast.ValueSpec)(nil),
	}
	ins.Preorder(filter, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			idx.exprs[n.Sel.Pos()] = n
		case *ast.IndexExpr:
			idx.exprs[n.Lbrack] = n
		case *ast.StarExpr:
			idx.exprs[n.Star] = n
		case *ast.Ident:
			if _, ok := idx.exprs[n.Pos()]; !ok {
				idx.exprs[n.Pos()] = n
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				idx.stmts[ast.Unparen(lhs)] = n
			}
			if len(n.Lhs) == len(n.Rhs) {
				idx.addBlanks(n.Lhs, n.Rhs)
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				lhs := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					lhs[i] = id
				}
				idx.addBlanks(lhs, n.Values)
			}
		case *ast.IncDecStmt:
			idx.stmts[ast.Unparen(n.X)] = n
		}
	})
	return idx
}

// addBlanks records the values of rhs assigned to _ in lhs.
func (idx *syntaxIndex) addBlanks(lhs, rhs []ast.Expr) {
	for i, l := range lhs {
		if id, ok := ast.Unparen(l).(*ast.Ident); ok && id.Name == "_" {
			idx.blank[ast.Unparen(rhs[i])] = true
		}
	}
}

// expr returns the expression whose load or store go/ssa placed at pos.
func (idx *syntaxIndex) expr(pos token.Pos) ast.Expr { return idx.exprs[pos] }

// update returns the x++, x-- or x op= y statement that both reads and
// writes e, or nil.
func (idx *syntaxIndex) update(e ast.Expr) ast.Stmt {
	switch s := idx.stmts[e].(type) {
	case *ast.IncDecStmt:
		return s
	case *ast.AssignStmt:
		if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
			return s
		}
	}
	return nil
}

// assignment returns the single-valued x = y statement that writes e, or nil.
func (idx *syntaxIndex) assignment(e ast.Expr) *ast.AssignStmt {
	s, ok := idx.stmts[e].(*ast.AssignStmt)
	if ok && s.Tok == token.ASSIGN && len(s.Lhs) == 1 && len(s.Rhs) == 1 {
		return s
	}
	return nil
}

// file returns the syntax of the file that holds pos.
func (idx *syntaxIndex) file(fset *token.FileSet, pos token.Pos) *ast.File {
	return idx.files[fset.File(pos)]
}

// varReads returns, in source order, the identifiers in body that
// read v by value: not its address (&v), not the left-hand side of an
// assignment. Nested function literals are skipped: go/ssa builds them
// as functions of their own. go/ssa gives such loads no position, so
// the identifiers are paired with them in order (see placeVarReads).
func varReads(info *types.Info, body ast.Node, v *types.Var, idx *syntaxIndex) []*ast.Ident {
	var out []*ast.Ident
	skip := make(map[*ast.Ident]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return n == body
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
				skip[id] = true
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if id, ok := ast.Unparen(lhs).(*ast.Ident); ok {
					skip[id] = true
				}
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
				skip[id] = true
			}
		case *ast.Ident:
			if !skip[n] && info.Uses[n] == v {
				out = append(out, n)
			}
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Pos() < out[j].Pos() })
	return out
}
