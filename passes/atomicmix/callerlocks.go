package atomicmix

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// The locks that every caller of a function holds when it calls it
// ("Caller must hold b.mu"): rules 14 (origin, origin.go) and 16
// (callerlocks, guard.go) count them.

// entryLocks returns, for the functions of the package that only the
// package calls, and only directly, the mutexes held at every call
// (grpc's "Caller must hold b.mu"): the greatest fixpoint of the
// intersection over the calls of the locks held there and at the
// caller's entry. A function called any other way (exported, used as
// a value, a method that an interface call might reach, started with
// go or deferred) holds nothing at entry. The body of a range-over-func
// loop runs during the call of the iterator, so it holds what the
// loop's function holds at that call.
func (c *checker) entryLocks(funcs []*ssa.Function) map[*ssa.Function]lockMap {
	type site struct {
		caller *ssa.Function
		instr  ssa.Instruction
	}
	sites := make(map[*ssa.Function][]site)
	bad := make(map[*ssa.Function]bool)
	badObj := make(map[types.Object]bool)
	invoked := make(map[string]bool)
	target := func(v ssa.Value) *ssa.Function {
		switch v := v.(type) {
		case *ssa.Function:
			if v.Origin() != nil {
				return v.Origin()
			}
			return v
		case *ssa.MakeClosure:
			fn, _ := v.Fn.(*ssa.Function)
			return fn
		}
		return nil
	}
	isYield := func(fn *ssa.Function) bool { return fn != nil && fn.Synthetic == "range-over-func yield" }
	var ops []*ssa.Value
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok {
					common := call.Common()
					if common.IsInvoke() {
						invoked[common.Method.Name()] = true
					} else if t := target(common.Value); t != nil {
						if _, plain := call.(*ssa.Call); plain {
							sites[t] = append(sites[t], site{fn, instr})
						} else {
							bad[t] = true
						}
					}
					for _, a := range common.Args {
						if t := target(a); isYield(t) {
							if _, plain := call.(*ssa.Call); plain {
								sites[t] = append(sites[t], site{fn, instr})
							} else {
								bad[t] = true
							}
						}
					}
				}
				ops = instr.Operands(ops[:0])
				for _, op := range ops {
					if op == nil || *op == nil {
						continue
					}
					f := target(*op)
					if f == nil {
						continue
					}
					if mc, ok := instr.(*ssa.MakeClosure); ok && op == &mc.Fn {
						if f.Synthetic != "" && f.Object() != nil {
							badObj[f.Object()] = true // a method value, x.m
						}
						continue // the closure's own uses are its referrers
					}
					if call, ok := instr.(*ssa.Call); ok && (op == &call.Call.Value || isYield(f)) {
						continue // a site, recorded above
					}
					bad[f] = true
					if f.Object() != nil {
						badObj[f.Object()] = true
					}
				}
			}
		}
	}
	candidate := func(fn *ssa.Function) bool {
		if bad[fn] || len(sites[fn]) == 0 {
			return false
		}
		if isYield(fn) || fn.Parent() != nil {
			return true
		}
		obj, ok := fn.Object().(*types.Func)
		if !ok || obj.Exported() || badObj[obj] || fn.Name() == "init" || fn.Name() == "main" && fn.Signature.Recv() == nil {
			return false
		}
		return fn.Signature.Recv() == nil || !invoked[obj.Name()]
	}
	entry := make(map[*ssa.Function]lockMap)
	top := make(map[*ssa.Function]bool)
	for _, fn := range funcs {
		if candidate(fn) {
			top[fn] = true
		}
	}
	converged := false
	for range 8 {
		changed := false
		for _, fn := range funcs {
			if !top[fn] && entry[fn] == nil {
				continue
			}
			var m lockMap
			first := true
			for _, s := range sites[fn] {
				if top[s.caller] {
					continue // no constraint yet
				}
				held := make(lockMap)
				for _, l := range lockRefs(c.locks.Func(s.caller).HeldAt(s.instr)) {
					held[l.obj] = held[l.obj] || l.shared
				}
				for o, sh := range entry[s.caller] {
					if _, ok := held[o]; !ok {
						held[o] = sh
					}
				}
				if first {
					m, first = held, false
					continue
				}
				for o, sh := range m {
					if hs, ok := held[o]; !ok {
						delete(m, o)
					} else {
						m[o] = sh || hs
					}
				}
			}
			if first {
				continue // every caller is still top
			}
			if top[fn] || len(m) != len(entry[fn]) || sharedChanged(m, entry[fn]) {
				delete(top, fn)
				entry[fn] = m
				changed = true
			}
		}
		if !changed {
			converged = true
			break
		}
	}
	if !converged {
		return nil // the entries may still be too large: know nothing
	}
	for fn := range top {
		// Called only from functions that are themselves never
		// called from outside: unreachable, or recursion that did not
		// settle. Nothing is known.
		delete(top, fn)
		entry[fn] = nil
	}
	return entry
}

func sharedChanged(a, b lockMap) bool {
	for o, sh := range a {
		if b[o] != sh {
			return true
		}
	}
	return false
}
