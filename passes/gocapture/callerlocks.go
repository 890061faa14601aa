package gocapture

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
)

// The locks that every caller of a starting function holds.
//
// grpc's cachedRequestMetadataLocked, "called with mu locked", starts
// go c.startFetch() and then reads c.token, which startFetch writes
// under c.mu: the read holds c.mu, taken by the caller (rule
// "locked"). A function that the package alone calls, and only by
// direct calls, holds at entry the locks that each call holds on the
// arguments it hands it, named by its own parameters.

// maxCallerDepth bounds the callers followed up: a caller's own entry
// locks count, to this depth.
const maxCallerDepth = 2

// A callIndex lists the package's direct calls of its functions, and
// the functions reached otherwise (a value, go, defer, an interface's
// method), whose callers are not all known.
type callIndex struct {
	sites   map[*ssa.Function][]*ssa.Call
	escapes map[*ssa.Function]bool
	invoked map[string]bool // the names of the methods called through interfaces
}

// callIndexOf indexes the calls of funcs, once per package.
func (c *checker) callIndexOf() *callIndex {
	if c.calls != nil {
		return c.calls
	}
	ix := &callIndex{sites: map[*ssa.Function][]*ssa.Call{}, escapes: map[*ssa.Function]bool{}, invoked: map[string]bool{}}
	var ops []*ssa.Value
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok && call.Common().IsInvoke() {
					ix.invoked[call.Common().Method.Name()] = true
				}
				call, direct := instr.(*ssa.Call)
				ops = instr.Operands(ops[:0])
				for _, op := range ops {
					if op == nil {
						continue
					}
					f, ok := (*op).(*ssa.Function)
					if !ok {
						continue
					}
					if direct && op == &call.Call.Value {
						ix.sites[f] = append(ix.sites[f], call)
						continue
					}
					ix.escapes[f] = true
				}
			}
		}
	}
	c.calls = ix
	return ix
}

// entryHeld returns the locks that every call of fn holds on what it
// hands fn, named by fn's parameters, or nothing if fn may be called
// otherwise: exported, used as a value, or a method an interface call
// of the package may reach.
func (c *checker) entryHeld(fn *ssa.Function, depth int) lockset.Set {
	if depth > maxCallerDepth || fn.Parent() != nil || fn.Synthetic != "" {
		return nil
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Exported() {
		return nil
	}
	ix := c.callIndexOf()
	if ix.escapes[fn] || fn.Signature.Recv() != nil && ix.invoked[obj.Name()] || len(ix.sites[fn]) == 0 {
		return nil
	}
	var out lockset.Set
	for k, call := range ix.sites[fn] {
		caller := call.Parent()
		held := c.heldAt(caller, call)
		if caller != fn {
			held = append(held[:len(held):len(held)], c.entryHeld(caller, depth+1)...)
		}
		var named lockset.Set
		for _, l := range held {
			if key, ok := paramKey(fn, call.Call.Args, l.Key); ok {
				l.Key = key
				named = append(named, l)
			}
		}
		if k == 0 {
			out = named
			continue
		}
		var common lockset.Set
		for _, l := range out {
			if m, ok := named.Get(l.Key); ok {
				l.Shared = l.Shared || m.Shared
				common = append(common, l)
			}
		}
		out = common
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

// paramKey names the caller's lock key k by fn's parameter that the
// call hands k's root as (c.mu in the caller is fn's c.mu).
func paramKey(fn *ssa.Function, args []ssa.Value, k lockset.Key) (lockset.Key, bool) {
	for i, a := range args {
		if a == k.Root && i < len(fn.Params) {
			return lockset.Key{Root: fn.Params[i], Path: k.Path}, true
		}
	}
	return lockset.Key{}, false
}
