// Package memloc names the memory locations that two accesses can
// share, as far as one package's SSA can tell: a struct field (all
// values of its struct type), a package-level variable, or a local
// variable that closures capture. Passes that pair accesses (atomic
// with plain, write in a goroutine with read outside) compare Locs.
package memloc

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A Loc is a memory location. Exactly one of Var and Local is set.
type Loc struct {
	Var   *types.Var // a struct field (its generic origin) or a package-level variable
	Local *ssa.Alloc // a local variable, shared through its address or closures
}

// IsField reports whether l is a struct field.
func (l Loc) IsField() bool { return l.Var != nil && l.Var.IsField() }

// maxDepth bounds the walk through conversions and phis.
const maxDepth = 8

// A Binder returns the value a closure's free variable is bound to, or
// nil if it is not known (lockset.Result.Binding is one).
type Binder func(*ssa.FreeVar) ssa.Value

// Of returns the location that the pointer addr points to: &x.f is the
// field f, &v a package-level or local variable. It looks through
// conversions between pointer types (including the unsafe.Pointer
// round trip that atomic.LoadPointer calls need), free variables bound
// by a known closure, phis whose edges agree, and indexing of arrays
// (an element of an array field is the field). It reports false for
// pointers it cannot trace: parameters, call results, slice elements.
func Of(addr ssa.Value, bind Binder) (Loc, bool) {
	return of(addr, bind, 0, nil)
}

func of(addr ssa.Value, bind Binder, depth int, phis map[*ssa.Phi]bool) (Loc, bool) {
	if depth > maxDepth {
		return Loc{}, false
	}
	switch a := addr.(type) {
	case *ssa.FieldAddr:
		if f := Field(a.X.Type(), a.Field); f != nil {
			return Loc{Var: f}, true
		}
	case *ssa.Global:
		if v, ok := a.Object().(*types.Var); ok {
			return Loc{Var: v}, true
		}
	case *ssa.Alloc:
		// Temporaries (composite literals, new) are reached only
		// through their address: they are values, not variables.
		if a.Comment != "" && !synthetic[a.Comment] {
			return Loc{Local: a}, true
		}
	case *ssa.FreeVar:
		if bind != nil {
			if b := bind(a); b != nil {
				return of(b, bind, depth+1, phis)
			}
		}
	case *ssa.IndexAddr:
		// An element of an array (not a slice) lives in the array.
		if p, ok := a.X.Type().Underlying().(*types.Pointer); ok {
			if _, ok := p.Elem().Underlying().(*types.Array); ok {
				return of(a.X, bind, depth+1, phis)
			}
		}
	case *ssa.ChangeType:
		return of(a.X, bind, depth+1, phis)
	case *ssa.Convert:
		// (*unsafe.Pointer)(unsafe.Pointer(&x.p)): follow the round trip.
		if inner, ok := a.X.(*ssa.Convert); ok && isUnsafePointer(a.X.Type()) {
			return of(inner.X, bind, depth+1, phis)
		}
	case *ssa.Phi:
		return ofPhi(a, bind, depth, phis)
	}
	return Loc{}, false
}

// ofPhi returns the location all edges of phi point to, ignoring edges
// that lead back to phi itself (a loop that keeps the pointer).
func ofPhi(phi *ssa.Phi, bind Binder, depth int, phis map[*ssa.Phi]bool) (Loc, bool) {
	if phis[phi] {
		return Loc{}, false
	}
	if phis == nil {
		phis = make(map[*ssa.Phi]bool)
	}
	phis[phi] = true
	defer delete(phis, phi)
	var loc Loc
	found := false
	for _, e := range phi.Edges {
		if e == phi {
			continue
		}
		l, ok := of(e, bind, depth+1, phis)
		if !ok || found && l != loc {
			return Loc{}, false
		}
		loc, found = l, true
	}
	return loc, found
}

// Field returns the generic origin of the i-th field of the struct
// that t (a struct or a pointer to one) denotes, or nil.
func Field(t types.Type, i int) *types.Var {
	t = t.Underlying()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	if s, ok := t.(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i).Origin()
	}
	return nil
}

// Owner returns the declared type whose field the FieldAddr or Field
// v selects (its generic origin), or nil for an unnamed struct type.
func Owner(t types.Type) *types.TypeName {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Origin().Obj()
	}
	return nil
}

// synthetic holds the comments go/ssa gives to Allocs that are not
// variables of the source.
var synthetic = map[string]bool{
	"complit": true, "slicelit": true, "makeslice": true, "new": true,
	"varargs": true, "rangeindex": true,
}

func isUnsafePointer(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.UnsafePointer
}
