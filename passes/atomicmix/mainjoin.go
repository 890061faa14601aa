package atomicmix

import (
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 10 (mainjoin). A command's main often sets its counters, starts its workers, waits
// for them, and then
// prints the totals they added up atomically in package-level
// variables (grpc's stress client: "Total calls made"). The read is
// ordered after every atomic add when every function that makes one
// can only run inside those workers, and main waits for each worker
// after it started it: the worker defers Done on a WaitGroup whose
// Wait main calls in between (fixture main in atomicmix/mainjoin).
// The rule needs the whole program's callers of those functions, so it
// is for package main, whose functions no other package calls, and a
// function only counts as called where the package calls it
// statically: one that is used as a value, and every method (an
// interface may call it), may run anywhere (the reads of hooked,
// viaMethod and leaked in the fixture).

// mainJoined reports whether t, a plain access in main.main of a
// package-level variable, runs after every atomic access of it.
func (c *checker) mainJoined(t touch, atomics []*access) bool {
	if t.loc.Var == nil || t.loc.IsField() || !isMainMain(t.fn) || len(atomics) == 0 {
		return false
	}
	callers := c.staticCallers()
	for _, a := range atomics {
		sites, ok := c.workerSites(a.fn, t.fn, callers)
		if !ok {
			return false
		}
		for _, g := range sites {
			if !startsAfter(g, t.instr) && (g.site.Closure == nil || !c.joinedBefore(g, t.instr)) {
				return false
			}
		}
	}
	return true
}

func isMainMain(fn *ssa.Function) bool {
	return fn.Name() == "main" && fn.Parent() == nil && fn.Signature.Recv() == nil &&
		fn.Pkg != nil && fn.Pkg.Pkg.Name() == "main"
}

// staticCallers maps the functions of the package to their static
// calls (calls, deferred calls and go statements), built on first use.
// A function missing from the map has no static call, or is also used
// as a value, so that its callers are unknown: those are kept in
// c.funcValues. The same walk collects in c.invoked the names of the
// methods called through interfaces.
func (c *checker) staticCallers() map[*ssa.Function][]ssa.CallInstruction {
	if c.callers != nil {
		return c.callers
	}
	m := make(map[*ssa.Function][]ssa.CallInstruction)
	escaped := make(map[*ssa.Function]bool)
	invoked := make(map[string]bool)
	for _, fn := range c.packageFuncs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok && call.Common().IsInvoke() {
					invoked[call.Common().Method.Name()] = true
				}
				for _, op := range instr.Operands(nil) {
					callee := calleeOperand(*op)
					if callee == nil {
						continue
					}
					if call, ok := instr.(ssa.CallInstruction); ok && op == &call.Common().Value && !call.Common().IsInvoke() {
						m[callee] = append(m[callee], call)
						continue
					}
					if mc, ok := instr.(*ssa.MakeClosure); ok && op == &mc.Fn {
						if !onlyCalled(mc) {
							escaped[callee] = true
						}
						continue
					}
					escaped[callee] = true
				}
			}
		}
	}
	for fn := range escaped {
		delete(m, fn)
	}
	c.callers, c.funcValues, c.invoked = m, escaped, invoked
	return m
}

// calleeOperand returns the function that v names: a function, or a
// closure of one.
func calleeOperand(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		return v.Fn.(*ssa.Function)
	}
	return nil
}

// onlyCalled reports whether every use of the closure mc is a call,
// deferred call or go statement of it.
func onlyCalled(mc *ssa.MakeClosure) bool {
	for _, r := range *mc.Referrers() {
		call, ok := r.(ssa.CallInstruction)
		if !ok || call.Common().Value != mc || closureIsArg(call.Common(), mc) {
			return false
		}
	}
	return true
}

// workerSites returns the go statements of main that start the
// goroutines in which fn can run, following fn's static callers up;
// false if fn may also run elsewhere: in main's own goroutine, in a
// goroutine that another function starts, or when called from where
// the package cannot see (methods, exported or escaping functions).
func (c *checker) workerSites(fn, main *ssa.Function, callers map[*ssa.Function][]ssa.CallInstruction) ([]*goSite, bool) {
	var sites []*goSite
	seen := make(map[*ssa.Function]bool)
	var up func(fn *ssa.Function, depth int) bool
	up = func(fn *ssa.Function, depth int) bool {
		if seen[fn] {
			return true
		}
		seen[fn] = true
		calls, known := callers[fn]
		if !known || len(calls) == 0 || fn == main || fn.Signature.Recv() != nil || depth > 16 {
			return false
		}
		for _, call := range calls {
			from := call.Parent()
			if g, ok := call.(*ssa.Go); ok {
				if from != main {
					return false
				}
				site, ok := goSiteOf(g)
				if !ok {
					return false
				}
				sites = append(sites, site)
				continue
			}
			if !up(from, depth+1) {
				return false
			}
		}
		return true
	}
	return sites, up(fn, 0)
}

// goSiteOf returns the goroutine that the go statement g starts: a
// closure, or a named function (which joinedBefore does not follow: its
// Done is on a parameter).
func goSiteOf(g *ssa.Go) (*goSite, bool) {
	for _, s := range spawn.SitesOf(g.Parent(), nil) {
		if s.Instr == g {
			return &goSite{site: s}, true
		}
	}
	if fn, ok := g.Call.Value.(*ssa.Function); ok && !g.Call.IsInvoke() {
		return &goSite{site: spawn.Site{Instr: g, Fn: fn, Pos: g.Pos()}}, true
	}
	return nil, false
}

// startsAfter reports whether the go statement of g cannot have run
// when at runs: at is not reachable from it, so at happens before the
// goroutine starts (go-workflows' samples/scale/starter sets its
// counter, then starts the workers that count it down).
func startsAfter(g *goSite, at ssa.Instruction) bool {
	return g.site.Instr.Parent() == at.Parent() && !runAfter(g.site.Instr, nil)[at]
}

// joinedBefore reports whether the goroutine g has returned when at
// runs: g defers Done on a WaitGroup, and every path from its go
// statement to at calls the group's Wait.
func (c *checker) joinedBefore(g *goSite, at ssa.Instruction) bool {
	key, ok := c.deferredDoneKey(g.site.Fn)
	if !ok {
		return false
	}
	stop := make(map[ssa.Instruction]bool)
	for _, call := range groupCalls(g.site.Instr.Parent(), syncapi.WaitGroupWait) {
		if _, direct := call.(*ssa.Call); direct && c.locks.KeyOf(call.Common().Args[0]) == key {
			stop[call] = true
		}
	}
	return len(stop) > 0 && !runAfter(g.site.Instr, stop)[at]
}
