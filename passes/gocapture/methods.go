package gocapture

import (
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
)

// Calls of the package's functions as accesses.
//
// c.inc(), where inc is a method of the package on a pointer receiver
// that does c.n++, writes c.n: a goroutine that calls it and a starter
// that reads c.n after the go statement race (issue 11). A function of
// the package handed the address of a captured variable, or of memory
// behind it, accesses it as its body does through that parameter,
// holding the locks held at the call and those it takes itself (the
// latter named by the call's arguments: c.mu in the method is the
// caller's c.mu). The access is placed at the call, as a closure's of
// rule "inline" is. Calls of other packages' functions stay unknown:
// their bodies are not built, and their locks may guard what they do.

// maxCallDepth bounds the calls entered from a captured variable:
// deeper accesses are not followed.
const maxCallDepth = 2

// calleeAccesses appends the accesses that call, a call of a function
// of the package handed addr, makes through the parameter that addr is
// passed as. An access that the callee makes in a closure or a deeper
// call of its own is left out: the locks held between the two are not
// followed.
func calleeAccesses(call *ssa.Call, addr ssa.Value, path []string, r reach, out *[]access) {
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Blocks == nil || callee.Synthetic != "" || r.calls >= maxCallDepth ||
		call.Parent() == nil || callee.Pkg != call.Parent().Pkg || len(callee.Params) != len(call.Call.Args) {
		return
	}
	for i, arg := range call.Call.Args {
		if arg != addr {
			continue
		}
		var inner []access
		addrAccesses(callee.Params[i], nil, reach{calls: r.calls + 1}, &inner)
		for _, a := range inner {
			if a.in != nil {
				continue
			}
			a.in, a.inFn, a.inArgs = a.instr, callee, call.Call.Args
			a.instr, a.pos = call, call.Pos()
			a.path = append(append([]string(nil), path...), a.path...)
			if len(a.path) > maxPathDepth {
				a.path = a.path[:maxPathDepth:maxPathDepth]
			}
			*out = append(*out, a)
		}
	}
}

// rebaseArgs names a lock key of fn, whose root may be one of its
// parameters, by the argument of args passed as that parameter.
func (c *checker) rebaseArgs(fn *ssa.Function, args []ssa.Value, k lockset.Key) lockset.Key {
	p, ok := k.Root.(*ssa.Parameter)
	if !ok || p.Parent() != fn {
		return k
	}
	for i, q := range fn.Params {
		if q == p && i < len(args) {
			rk := c.locks.KeyOf(args[i])
			rk.Path += k.Path
			return rk
		}
	}
	return k
}
