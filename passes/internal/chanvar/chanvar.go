// Package chanvar recognizes a channel variable that a function makes
// for its own goroutines: assigned once, a channel made there, and
// otherwise only loaded to be received from, or captured by closures
// that go statements start. lockchan takes a wait on such a channel as
// a wait for goroutines the function started; atomicmix takes a
// receive from it, when those goroutines signal only after a Wait, as
// a join.
package chanvar

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// A Var holds the uses of such a variable.
type Var struct {
	// Loads are the loads of the variable, each used only to receive:
	// by a receive expression or by a select (which may also send on
	// it: callers that care check the select's states).
	Loads []*ssa.UnOp
	// Closures capture the variable, and only go statements use them.
	Closures []*ssa.MakeClosure
}

// Of returns the uses of alloc when it is such a variable, with at
// least one closure that captures it.
func Of(alloc *ssa.Alloc) (Var, bool) {
	var v Var
	made := false
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if _, ok := ref.Val.(*ssa.MakeChan); !ok || made || ref.Addr != alloc {
				return Var{}, false
			}
			made = true
		case *ssa.UnOp:
			if ref.Op != token.MUL || !onlyReceived(ref) {
				return Var{}, false
			}
			v.Loads = append(v.Loads, ref)
		case *ssa.MakeClosure:
			if !OnlyStarted(ref) {
				return Var{}, false
			}
			v.Closures = append(v.Closures, ref)
		case *ssa.DebugRef:
		default:
			return Var{}, false
		}
	}
	return v, made && len(v.Closures) > 0
}

// onlyReceived reports whether every use of the loaded channel is a
// receive expression or a select.
func onlyReceived(load *ssa.UnOp) bool {
	for _, use := range *load.Referrers() {
		switch use := use.(type) {
		case *ssa.UnOp:
			if use.Op != token.ARROW {
				return false
			}
		case *ssa.Select:
		default:
			return false
		}
	}
	return true
}

// OnlyStarted reports whether the closure is used only by go
// statements, as the function they start.
func OnlyStarted(mc *ssa.MakeClosure) bool {
	refs := *mc.Referrers()
	if len(refs) == 0 {
		return false
	}
	for _, ref := range refs {
		g, ok := ref.(*ssa.Go)
		if !ok || g.Call.Value != mc {
			return false
		}
	}
	return true
}
