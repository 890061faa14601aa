package atomicmix

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/srcname"
)

// report emits the findings, placing loads of variables (which go/ssa
// leaves without a position) at their identifiers first.
func (c *checker) report(found []*finding) {
	found = c.placeVarReads(found)
	sortFindings(found)
	for _, f := range found {
		c.reportPlain(f)
	}
}

// placeVarReads gives the findings for loads of a variable without a
// position the position of an identifier that reads the variable in
// the same function. The loads and the identifiers are paired in
// order when they are as many; otherwise, if every load of the
// variable in the function is a finding, each identifier is reported
// once; otherwise the loads are dropped, since which identifier is
// which is not known.
func (c *checker) placeVarReads(found []*finding) []*finding {
	type group struct {
		fn  *ssa.Function
		loc memloc.Loc
	}
	var out []*finding
	pending := make(map[group][]*finding)
	var order []group
	for _, f := range found {
		if f.pos.IsValid() {
			out = append(out, f)
			continue
		}
		if f.path != "" || f.write {
			continue // whole-variable copies and stores of locals keep no position
		}
		g := group{f.fn, f.loc}
		if pending[g] == nil {
			order = append(order, g)
		}
		pending[g] = append(pending[g], f)
	}
	for _, g := range order {
		fs := pending[g]
		v := c.varOf(g.loc)
		if v == nil || g.fn.Syntax() == nil {
			continue
		}
		ids := varReads(c.pass.TypesInfo, g.fn.Syntax(), v, c.syntax())
		loads := c.positionlessLoads(g.fn, g.loc)
		switch {
		case len(ids) == len(loads):
			byLoad := make(map[ssa.Instruction]*finding)
			for _, f := range fs {
				byLoad[f.instr] = f
			}
			for i, l := range loads {
				if f := byLoad[l]; f != nil {
					f.pos = ids[i].Pos()
					out = append(out, f)
				}
			}
		case len(fs) == len(loads) && len(ids) > 0:
			for _, id := range ids {
				f := *fs[0]
				f.pos = id.Pos()
				out = append(out, &f)
			}
		}
	}
	return out
}

// varOf returns the variable declaring loc.
func (c *checker) varOf(l memloc.Loc) *types.Var {
	if l.Var != nil {
		return l.Var
	}
	if id, ok := c.syntax().expr(l.Local.Pos()).(*ast.Ident); ok {
		if v, ok := c.pass.TypesInfo.Defs[id].(*types.Var); ok {
			return v
		}
	}
	return nil
}

// positionlessLoads returns the loads of loc in fn that have no
// position, in block order: the order the builder emitted them in,
// which is source order within straight-line code.
func (c *checker) positionlessLoads(fn *ssa.Function, l memloc.Loc) []ssa.Instruction {
	var out []ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			u, ok := instr.(*ssa.UnOp)
			if !ok || u.Op != token.MUL || u.Pos().IsValid() {
				continue
			}
			if x, ok := memloc.Of(u.X, c.bind); ok && x == l {
				switch u.X.(type) {
				case *ssa.Global, *ssa.Alloc, *ssa.FreeVar:
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// reportPlain reports a plain access that races with an atomic one.
func (c *checker) reportPlain(f *finding) {
	name := report.Code(c.accessName(f.touch))
	var msg, cat string
	expr := c.exprAt(f.touch)
	switch {
	case f.path != "" && f.write:
		cat = "atomicmix-write"
		msg = fmt.Sprintf("assignment to %s is a non-atomic write of %s", report.Code(c.wholeName(f.touch)), name)
	case f.path != "":
		cat = "atomicmix-copy"
		msg = fmt.Sprintf("copy of %s is a non-atomic read of %s", report.Code(c.wholeName(f.touch)), name)
	case f.write:
		cat = "atomicmix-write"
		msg = fmt.Sprintf("non-atomic %s of %s", c.writeVerb(expr), name)
	default:
		cat = "atomicmix-read"
		msg = fmt.Sprintf("non-atomic read of %s", name)
	}
	var related []analysis.RelatedInformation
	if f.other != nil {
		msg += ", which is accessed atomically elsewhere"
		related = report.Related(f.other.pos, report.Code(c.atomicName(f.other))+" is accessed atomically here")
	} else {
		msg += fmt.Sprintf(", which is accessed atomically elsewhere (%s)", f.posn)
	}
	report.Report(c.pass, report.Finding{
		Pos:      f.pos,
		Category: cat,
		Message:  msg,
		Related:  related,
		Fixes:    c.fix(f.touch, expr),
	})
}

// reportImported reports an atomic access of a location that an
// imported package accesses plainly.
func (c *checker) reportImported(a *access, plain Access) {
	report.Report(c.pass, report.Finding{
		Pos:      a.pos,
		Category: "atomicmix-atomic",
		Message: fmt.Sprintf("atomic access of %s, which is accessed non-atomically elsewhere (%s)",
			report.Code(srcname.Of(a.addr)), plain.Posn),
	})
}

// accessName names the location a touch accesses, as the source does:
// "c.n", or "s.stats.requests" for a field read by a copy of s.stats.
func (c *checker) accessName(t touch) string {
	if t.path == "" {
		if e := c.exprAt(t); e != nil {
			return types.ExprString(e)
		}
		if v := c.varOf(t.loc); v != nil && !t.loc.IsField() {
			return v.Name()
		}
		return srcname.Of(t.addr)
	}
	return strings.TrimPrefix(c.wholeName(t), "*") + strings.ReplaceAll(t.path, "[i]", "[...]")
}

// wholeName names the struct or array a copy reads or an assignment
// writes: "c.stats", or "*s" through a pointer.
func (c *checker) wholeName(t touch) string {
	if e := c.exprAt(t); e != nil {
		return types.ExprString(e)
	}
	switch t.addr.(type) {
	case *ssa.FieldAddr, *ssa.IndexAddr, *ssa.Global, *ssa.Alloc, *ssa.FreeVar:
		return srcname.Of(t.addr)
	}
	return "*" + srcname.Of(t.addr)
}

// writeVerb says what kind of write the statement of e makes.
func (c *checker) writeVerb(e ast.Expr) string {
	if e == nil {
		return "write"
	}
	switch s := c.syntax().update(e).(type) {
	case *ast.IncDecStmt:
		if s.Tok == token.INC {
			return "increment"
		}
		return "decrement"
	case *ast.AssignStmt:
		return "update"
	}
	return "write"
}

// fix returns the suggested fix that makes a plain access of an
// integer or unsafe.Pointer atomic, when it keeps the program's
// meaning: a read becomes atomic.LoadT(&x), x = v becomes
// atomic.StoreT(&x, v), and x++, x-- (signed) and x += n become
// atomic.AddT. The file must already import sync/atomic.
func (c *checker) fix(t touch, e ast.Expr) []analysis.SuggestedFix {
	if e == nil || t.path != "" {
		return nil
	}
	switch e.(type) {
	case *ast.SelectorExpr, *ast.Ident:
	default:
		return nil
	}
	suffix := exactAtomicType(t.typ)
	pkg := c.atomicImport(e.Pos())
	if suffix == "" || pkg == "" {
		return nil
	}
	src := types.ExprString(e)
	insert := func(pos token.Pos, text string) analysis.TextEdit {
		return analysis.TextEdit{Pos: pos, End: pos, NewText: []byte(text)}
	}
	if !t.write {
		// One edit that replaces the operand, not two insertions
		// around it: in s.m = s.n, the store's closing ")" goes at the
		// end of s.n too, and two equal insertions at one offset would
		// be taken for one (issue 13 item 5).
		load := fmt.Sprintf("%s.Load%s(&%s)", pkg, suffix, src)
		return []analysis.SuggestedFix{{
			Message:   "Replace with " + load,
			TextEdits: []analysis.TextEdit{{Pos: e.Pos(), End: e.End(), NewText: []byte(load)}},
		}}
	}
	switch s := c.syntax().update(e).(type) {
	case *ast.IncDecStmt:
		delta := "1"
		if s.Tok == token.DEC {
			if !signed(t.typ) {
				return nil
			}
			delta = "-1"
		}
		call := fmt.Sprintf("%s.Add%s(&", pkg, suffix)
		return []analysis.SuggestedFix{{
			Message: fmt.Sprintf("Replace with %s%s, %s)", call, src, delta),
			TextEdits: []analysis.TextEdit{insert(e.Pos(), call),
				{Pos: e.End(), End: s.End(), NewText: []byte(", " + delta + ")")}},
		}}
	case *ast.AssignStmt:
		if s.Tok != token.ADD_ASSIGN || len(s.Lhs) != 1 || suffix == "Pointer" {
			return nil
		}
		call := fmt.Sprintf("%s.Add%s(&", pkg, suffix)
		return []analysis.SuggestedFix{{
			Message:   fmt.Sprintf("Replace with %s%s, %s)", call, src, types.ExprString(s.Rhs[0])),
			TextEdits: c.callEdits(s, call),
		}}
	}
	if s := c.syntax().assignment(e); s != nil {
		call := fmt.Sprintf("%s.Store%s(&", pkg, suffix)
		return []analysis.SuggestedFix{{
			Message:   fmt.Sprintf("Replace with %s%s, %s)", call, src, types.ExprString(s.Rhs[0])),
			TextEdits: c.callEdits(s, call),
		}}
	}
	return nil
}

// callEdits turns "x op y" into "call x, y)".
func (c *checker) callEdits(s *ast.AssignStmt, call string) []analysis.TextEdit {
	lhs, rhs := s.Lhs[0], s.Rhs[0]
	return []analysis.TextEdit{
		{Pos: lhs.Pos(), End: lhs.Pos(), NewText: []byte(call)},
		{Pos: lhs.End(), End: rhs.Pos(), NewText: []byte(", ")},
		{Pos: rhs.End(), End: rhs.End(), NewText: []byte(")")},
	}
}

// exactAtomicType returns the suffix of the sync/atomic functions whose
// pointer argument has type *t exactly, or "": a field of a named type
// (type Count int64) would need a conversion, so it gets no fix.
func exactAtomicType(t types.Type) string {
	b, ok := t.(*types.Basic)
	if !ok {
		return ""
	}
	if s := atomicType(b); s != "Ptr" {
		return s
	}
	return ""
}

func signed(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsUnsigned == 0
}

// atomicImport returns the name under which the file holding pos
// imports sync/atomic, or "" if it does not.
func (c *checker) atomicImport(pos token.Pos) string {
	f := c.syntax().file(c.pass.Fset, pos)
	if f == nil {
		return ""
	}
	for _, spec := range f.Imports {
		if path, _ := strconv.Unquote(spec.Path.Value); path != "sync/atomic" {
			continue
		}
		name := "atomic"
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name == "_" || name == "." || !c.namesAtomic(name, pos) {
			return ""
		}
		return name
	}
	return ""
}

// namesAtomic reports whether name, at pos, is the sync/atomic import:
// a local variable named atomic would shadow it, and the fix would not
// build (issue 13 item 8).
func (c *checker) namesAtomic(name string, pos token.Pos) bool {
	scope := c.pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, pos)
	pn, ok := obj.(*types.PkgName)
	return ok && pn.Imported().Path() == "sync/atomic"
}

// atomicName names the location an atomic access reaches: from SSA, or,
// when SSA has lost the name (a local pointer made from an
// unsafe.Pointer, as xsync's buckets), from the &-operand of the atomic
// call's first argument.
func (c *checker) atomicName(a *access) string {
	if srcname.Known(a.addr) {
		return srcname.Of(a.addr)
	}
	if s, ok := c.pass.ResultOf[srcname.Analyzer].(*srcname.Index).AddressedArg(a.pos, 0); ok {
		return s
	}
	return srcname.Of(a.addr)
}
