package atomicmix

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 6 (unpublished): a value that a function allocates is its own
// until the function shares it, by storing, passing, returning,
// capturing or converting a pointer into it; a call keeps it unshared
// only when the callee's summary says so (summary.go). Plain writes
// before that are initialization.

// unshared reports whether addr points into a variable or composite
// literal that fn allocated and has not yet shared when instr runs:
// initialization before publication (fixture okConstructor).
func (c *checker) unshared(fn *ssa.Function, instr ssa.Instruction, addr ssa.Value) bool {
	alloc := c.rootAlloc(addr, nil)
	var esc []ssa.Instruction
	if alloc == nil {
		// s := &T{}, with s captured by a closure: the pointer is read
		// back from s's heap cell at each use.
		alloc, esc = c.cellValue(rootOf(addr, nil))
	} else {
		esc = c.escapesOfMemo(alloc)
	}
	if alloc == nil || alloc.Parent() != fn {
		return false
	}
	for _, e := range esc {
		// A path through the Alloc again reaches a new variable: the
		// variable of a loop body is fresh in each iteration
		// (fixture okLoopInit).
		if c.order.mayPrecede(e, instr) && c.order.reaches(e, instr, alloc) {
			return false
		}
	}
	return true
}

// escapesOf returns the instructions that share alloc, or a pointer
// into it, with code beyond its function: they store, pass, return,
// capture or convert it. Loads from it and stores into it do not, nor
// do calls that pass it to parameters that do not escape (see
// passesNoEscape). For a parameter, the uses that keepsPointer allows
// (sync/atomic calls, methods of sync) do not share it either; for any
// value, a method of a sync/atomic type called on a field of it (a
// fresh node's atomic field set before the node is published, as
// otter's hash map does; fixture okAtomicFieldThenInit). A function of
// sync/atomic on a local's address stays a use that shares it here:
// such locals are rule 8's (private).
func (c *checker) escapesOfMemo(alloc ssa.Value) []ssa.Instruction {
	esc, ok := c.escapes[alloc]
	if !ok {
		esc = c.escapesOf(alloc)
		c.escapes[alloc] = esc
	}
	return esc
}

// cellValue returns the fresh value that v was loaded from a local
// variable's cell, when the variable is assigned only that value, and
// the instructions that share the value: those that share it or any
// load of it, and the closures that capture the variable, which may
// read it (fixture okCapturedInit). Otherwise it returns nil.
func (c *checker) cellValue(v ssa.Value) (freshValue, []ssa.Instruction) {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil, nil
	}
	cell, ok := load.X.(*ssa.Alloc)
	if !ok || cell.Comment == "" {
		return nil, nil
	}
	var val freshValue
	var esc []ssa.Instruction
	for _, r := range *cell.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != cell || val != nil {
				return nil, nil
			}
			switch x := r.Val.(type) {
			case *ssa.Alloc:
				val = x
			case *ssa.Call:
				if !c.isFresh(x) {
					return nil, nil
				}
				val = x
			default:
				return nil, nil
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil, nil
			}
			esc = append(esc, c.escapesOfMemo(r)...)
		case *ssa.MakeClosure:
			esc = append(esc, r)
		case *ssa.DebugRef:
		default:
			return nil, nil
		}
	}
	if val == nil {
		return nil, nil
	}
	for _, e := range c.escapesOfMemo(val) {
		if st, ok := e.(*ssa.Store); !ok || st.Addr != cell {
			esc = append(esc, e) // not the assignment to the variable itself
		}
	}
	return val, esc
}

func (c *checker) escapesOf(alloc ssa.Value) []ssa.Instruction {
	_, isParam := alloc.(*ssa.Parameter)
	var out []ssa.Instruction
	var visit func(v ssa.Value, depth int)
	visit = func(v ssa.Value, depth int) {
		refs := v.Referrers()
		if refs == nil {
			return
		}
		for _, r := range *refs {
			switch r := r.(type) {
			case *ssa.FieldAddr:
				if depth < 8 {
					visit(r, depth+1)
				}
			case *ssa.IndexAddr:
				if depth < 8 {
					visit(r, depth+1)
				}
			case *ssa.Convert, *ssa.ChangeType:
				if depth < 8 && isPointerLike(r.(ssa.Value).Type()) {
					visit(r.(ssa.Value), depth+1)
				} else {
					out = append(out, r)
				}
			case *ssa.Store:
				if r.Val == v {
					out = append(out, r)
				}
			case *ssa.UnOp, *ssa.DebugRef:
				// A load or its source position.
			case ssa.CallInstruction:
				if !c.passesNoEscape(r, v) && !(isParam && keepsPointer(r.Common(), v)) && !(depth > 0 && atomicMethodCall(r, v)) {
					out = append(out, r)
				}
			default:
				out = append(out, r)
			}
		}
	}
	visit(alloc, 0)
	return out
}

// atomicMethodCall reports whether instr calls, in the same goroutine, a
// method of a sync/atomic type with v, a field of a value, as receiver.
func atomicMethodCall(instr ssa.CallInstruction, v ssa.Value) bool {
	call, ok := instr.(*ssa.Call)
	if !ok || !keepsPointer(call.Common(), v) || call.Common().Args[0] != v {
		return false
	}
	fn := syncapi.Callee(call.Common())
	return fn != nil && syncapi.IsAtomicMethod(fn)
}

// isPointerLike reports whether t is a pointer or unsafe.Pointer: a
// conversion to it keeps pointing into the same variable.
func isPointerLike(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		return true
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	}
	return false
}

// An instrOrder answers whether one instruction of a function may run
// before another.
type instrOrder struct {
	fn    *ssa.Function
	reach flow.Reach
}

// mayPrecede reports whether some execution runs e before i.
func (o *instrOrder) mayPrecede(e, i ssa.Instruction) bool {
	if e.Block() == nil || i.Block() == nil {
		return true
	}
	return o.reach.MayPrecede(e, i)
}

// reaches reports whether some path runs e and then i without running
// kill in between.
func (o *instrOrder) reaches(e, i, kill ssa.Instruction) bool {
	be := e.Block()
	if be == nil || i.Block() == nil {
		return true
	}
	seen := make([]bool, len(o.fn.Blocks))
	var scan func(b *ssa.BasicBlock, from int) bool
	scan = func(b *ssa.BasicBlock, from int) bool {
		for _, x := range b.Instrs[from:] {
			switch x {
			case i:
				return true
			case kill:
				return false
			}
		}
		for _, s := range b.Succs {
			if !seen[s.Index] {
				seen[s.Index] = true
				if scan(s, 0) {
					return true
				}
			}
		}
		return false
	}
	return scan(be, flow.IndexOf(e)+1)
}

// A freshValue is a value that each run of its instruction creates
// anew: an *ssa.Alloc, or an *ssa.Call of a function with a fresh
// result (fixture okConstructorCall).
type freshValue interface {
	ssa.Value
	ssa.Instruction
}

// rootAlloc returns the variable that addr points into, through field
// and array element selections, pointer conversions and the free
// variables of closures; or nil.
func (c *checker) rootAlloc(addr ssa.Value, bind func(*ssa.FreeVar) ssa.Value) freshValue {
	switch r := rootOf(addr, bind).(type) {
	case *ssa.Alloc:
		return r
	case *ssa.Call:
		if c.isFresh(r) {
			return r
		}
	}
	return nil
}

// rootOf returns the value that addr points into, through field and
// array element selections, pointer conversions and the free variables
// of closures.
func rootOf(addr ssa.Value, bind func(*ssa.FreeVar) ssa.Value) ssa.Value {
	root := addr
	for range 16 {
		switch a := root.(type) {
		case *ssa.FieldAddr:
			root = a.X
			continue
		case *ssa.IndexAddr:
			if _, ok := a.X.Type().Underlying().(*types.Pointer); ok {
				root = a.X
				continue
			}
		case *ssa.Convert:
			if isPointerLike(a.Type()) && isPointerLike(a.X.Type()) {
				root = a.X
				continue
			}
		case *ssa.ChangeType:
			root = a.X
			continue
		case *ssa.FreeVar:
			if bind != nil {
				if b := bind(a); b != nil {
					root = b
					continue
				}
			}
		}
		break
	}
	return root
}
