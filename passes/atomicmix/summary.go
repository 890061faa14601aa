package atomicmix

import (
	"fmt"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A value that a function allocates stays unshared while it is passed
// to, or comes from, a function that does not share it. This file
// summarizes each function of the package by what its callers may
// assume: its result is a fresh value (a constructor), and which of its
// pointer parameters it does not let escape. Summaries of exported
// functions are exported as EscapeFacts.

// An EscapeFact is an object fact of a function: what a call of it does
// not share.
type EscapeFact struct {
	FreshResult bool  // its one result is a pointer to a value it allocated and did not share
	NoEscape    []int // sorted indices of pointer parameters, receiver first, that it does not share
}

func (*EscapeFact) AFact() {}

func (f *EscapeFact) String() string {
	var parts []string
	if f.FreshResult {
		parts = append(parts, "fresh result")
	}
	if len(f.NoEscape) > 0 {
		var ps []string
		for _, i := range f.NoEscape {
			ps = append(ps, fmt.Sprint(i))
		}
		parts = append(parts, "noescape "+strings.Join(ps, ","))
	}
	return "escape(" + strings.Join(parts, "; ") + ")"
}

// empty reports whether f tells a caller nothing.
func (f *EscapeFact) empty() bool { return !f.FreshResult && len(f.NoEscape) == 0 }

// noEscape reports whether f's function does not share parameter i.
func (f *EscapeFact) noEscape(i int) bool {
	for _, j := range f.NoEscape {
		if j == i {
			return true
		}
	}
	return false
}

// maxRounds bounds the fixpoint over the package's functions: a
// summary that needs more rounds (a long chain of calls) stays
// pessimistic, which is sound.
const maxRounds = 4

// summarize computes the summaries of funcs, starting from nothing
// (every parameter escapes, no result is fresh) and growing them until
// they no longer change, for at most maxRounds rounds. Each round
// walks each function once.
func (c *checker) summarize(funcs []*ssa.Function) {
	for range maxRounds {
		changed := false
		for _, fn := range funcs {
			if len(fn.Blocks) == 0 {
				continue
			}
			s := c.summaryFor(fn)
			old := c.sums[fn]
			if old == nil && !s.empty() || old != nil && (old.FreshResult != s.FreshResult || len(old.NoEscape) != len(s.NoEscape)) {
				c.sums[fn] = s
				changed = true
			}
		}
		if !changed {
			break
		}
	}
}

// exportSummaries exports the summary of each exported function, as
// far as it concerns a value with an exported field that the package
// accesses atomically: only there can an importer's plain access be
// reported (fixture crosspkg/counter's NewCounter). Other summaries
// would only make facts that no check reads.
func (c *checker) exportSummaries(funcs []*ssa.Function) {
	atomicFields := make(map[*types.Var]bool)
	for _, a := range c.atomics {
		if a.loc.IsField() && locKey(a.loc, a.owner) != "" {
			atomicFields[a.loc.Var] = true
		}
	}
	if len(atomicFields) == 0 {
		return
	}
	for _, fn := range funcs {
		s := c.sums[fn]
		obj, ok := fn.Object().(*types.Func)
		if s == nil || !ok || !obj.Exported() || fn.Parent() != nil || fn.Origin() != nil {
			continue
		}
		f := &EscapeFact{FreshResult: s.FreshResult && holdsField(fn.Signature.Results().At(0).Type(), atomicFields, 0)}
		for _, i := range s.NoEscape {
			if holdsField(fn.Params[i].Type(), atomicFields, 0) {
				f.NoEscape = append(f.NoEscape, i)
			}
		}
		if !f.empty() {
			c.pass.ExportObjectFact(obj, f)
		}
	}
}

// holdsField reports whether t, or what the pointer t points to, is a
// struct that holds one of fields, directly or in nested structs.
func holdsField(t types.Type, fields map[*types.Var]bool, depth int) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok && depth == 0 {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok || depth > 3 {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if fields[f.Origin()] || holdsField(f.Type(), fields, depth+1) {
			return true
		}
	}
	return false
}

// summaryFor computes fn's summary from the current summaries of its
// callees.
func (c *checker) summaryFor(fn *ssa.Function) *EscapeFact {
	s := &EscapeFact{FreshResult: c.freshResult(fn)}
	for i, p := range fn.Params {
		if isPointerLike(p.Type()) && len(c.escapesOf(p)) == 0 {
			s.NoEscape = append(s.NoEscape, i)
		}
	}
	sort.Ints(s.NoEscape)
	return s
}

// freshResult reports whether fn's one result is a pointer that every
// return statement takes from an allocation of fn (or a call of a
// function with a fresh result) that nothing shared before: its only
// escapes are the return statements themselves (fixture okConstructorCall). A
// constructor that also starts a goroutine with the value is not fresh
// (fixture badTicking).
func (c *checker) freshResult(fn *ssa.Function) bool {
	res := fn.Signature.Results()
	if res.Len() != 1 || !isPointerLike(res.At(0).Type()) {
		return false
	}
	n := 0
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		n++
		v := ret.Results[0]
		if k, ok := v.(*ssa.Const); ok && k.IsNil() {
			continue
		}
		if !c.isFresh(v) {
			return false
		}
		for _, e := range c.escapesOf(v) {
			if r, ok := e.(*ssa.Return); !ok || r.Results[0] != v {
				return false
			}
		}
	}
	return n > 0
}

// isFresh reports whether v is a new value each time it is computed:
// an allocation, or the result of a function with a fresh result.
func (c *checker) isFresh(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.Alloc:
		return true
	case *ssa.Call:
		fn := v.Call.StaticCallee()
		if fn == nil || v.Call.IsInvoke() {
			return false
		}
		s := c.summaryOf(fn)
		return s != nil && s.FreshResult
	}
	return false
}

// summaryOf returns the summary of fn: computed here for a function of
// this package, imported as a fact for another package's; or nil.
func (c *checker) summaryOf(fn *ssa.Function) *EscapeFact {
	if o := fn.Origin(); o != nil {
		fn = o
	}
	if s, ok := c.sums[fn]; ok {
		return s
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg() == c.pass.Pkg {
		return nil
	}
	f := new(EscapeFact)
	if !c.pass.ImportObjectFact(obj, f) {
		return nil
	}
	return f
}

// passesNoEscape reports whether the call, a plain call of a known
// function (not a go or defer statement, not through an interface or a
// function value), passes v only as parameters the callee does not
// share (fixture okInitMethod).
func (c *checker) passesNoEscape(instr ssa.CallInstruction, v ssa.Value) bool {
	call, ok := instr.(*ssa.Call)
	if !ok || call.Call.IsInvoke() || call.Call.Value == v {
		return false
	}
	fn := call.Call.StaticCallee()
	if fn == nil {
		return false
	}
	s := c.summaryOf(fn)
	if s == nil {
		return false
	}
	n := 0
	for i, a := range call.Call.Args {
		if a == v {
			if !s.noEscape(i) {
				return false
			}
			n++
		}
	}
	return n > 0
}
