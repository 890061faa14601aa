package gocapture

import (
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// Goroutines started in the body of a range-over-func loop.
//
// go/ssa builds the body of "for x := range seq" over an iterator
// function as a closure (a yield function) that it hands to the
// iterator, which calls it once per element in the same goroutine. A
// goroutine started in the body captures the body's free variables,
// which are the enclosing function's variables, and the enclosing
// function reads them after the loop (issue 13: the same loop over a
// slice was reported, the one over slices.Values was not). The body's
// own checkFunc sees what it does after the go statement in one call;
// the enclosing function sees its go statements lifted to it: started
// at the call of the iterator, again on each call of the body, with
// the body's free variables bound to the variables they capture.

// A lift is a go statement of a loop body, lifted to the function that
// holds the loop.
type lift struct {
	site  spawn.Site       // the go statement, in the body
	yield *ssa.MakeClosure // the body's closure, made by the enclosing function
	again bool             // the body may be called again after it (callsAgain)
	body  *starter         // the body as a starter, for the waits in it
	// regions caches the body's walks from the go statement.
	regions map[regionKey]*region
}

// liftedSites returns the go statements of fn's range-over-func loop
// bodies as sites of fn, and records their lifts in c.lifted. A body's
// variable that the goroutine captures and that is not one of fn's
// (the loop variable, which each call of the body declares anew) is
// bound to nil: it is the body's, and its checkFunc judges it. Loops
// nested in a loop body are not lifted further (doc.go, Limitations).
func (c *checker) liftedSites(fn *ssa.Function) []spawn.Site {
	var out []spawn.Site
	for _, body := range fn.AnonFuncs {
		mc, call := lockset.YieldCall(body)
		if mc == nil {
			continue
		}
		live := flow.Live(body)
		for _, s := range spawn.SitesWith(body, c.extra, c.spawns) {
			if enabled("constant") && !live[s.Instr.Block().Index] {
				continue // rule 7: the body's checkFunc traces it
			}
			bindings := make([]ssa.Value, len(s.Closure.Bindings))
			for i, b := range s.Closure.Bindings {
				if fv, ok := b.(*ssa.FreeVar); ok && fv.Parent() == body {
					for j, x := range body.FreeVars {
						if x == fv && j < len(mc.Bindings) {
							bindings[i] = mc.Bindings[j]
						}
					}
				}
			}
			// A closure of no function's code: it stands for s's
			// closure, with the bindings as fn sees them.
			closure := &ssa.MakeClosure{Fn: s.Fn, Bindings: bindings}
			lifted := s
			lifted.Instr, lifted.Closure = call, closure
			out = append(out, lifted)
			c.lifted[closure] = &lift{site: s, yield: mc, again: callsAgain(body, s.Instr)}
		}
	}
	return out
}

// callsAgain reports whether the iterator may call the loop body again
// after its go statement at: a return of the body that at may reach
// returns a value other than false (a break returns false, which
// stops the iterator).
func callsAgain(body *ssa.Function, at ssa.Instruction) bool {
	var reach flow.Reach
	from := reach.FromSuccs(at.Block())
	for _, b := range body.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || b != at.Block() && !from[b.Index] {
			continue
		}
		if len(ret.Results) != 1 {
			return true
		}
		if c, ok := ret.Results[0].(*ssa.Const); !ok || c.Value == nil || constant.BoolVal(c.Value) {
			return true
		}
	}
	return false
}

// joinedInBody reports whether the loop body that started the lifted
// goroutine s waits, on every path from the go statement to its
// return, for one of the releases that follow the goroutine's
// accesses: the goroutine is then joined before the next call of the
// body and before the loop ends, and the lift adds nothing. The
// exception that stops the walk is traced at the goroutine's writes.
func (st *starter) joinedInBody(l *lift, grp *group) bool {
	if l.body == nil {
		l.body = st.c.newStarter(l.site.Instr.Parent(), nil)
		l.regions = make(map[regionKey]*region)
	}
	walk := func(stops stopKind) *region {
		return l.body.region(l.site, nil, grp.releases, stops, l.regions)
	}
	var ret ssa.Instruction
	for _, b := range l.body.parent.fn.Blocks {
		last := b.Instrs[len(b.Instrs)-1]
		if _, ok := last.(*ssa.Return); !ok {
			continue
		}
		if walk(enabledStops()).has(last) {
			return false
		}
		if ret == nil && l.body.parent.g.after(l.site.Instr, last) {
			ret = last
		}
	}
	if ret != nil && trace.On() {
		e := st.c.excuse(perStart, &candidate{walk: walk, at: ret})
		for _, a := range grp.accs {
			if a.write {
				st.c.trace(a.pos, e)
			}
		}
	}
	return true
}

// varSite returns the site of g, a go statement of fn, if it starts a
// closure held in a variable: "go walk(k)", where walk is assigned one
// closure, in fn or in a function that captures it, as a self-recursive
// walker is (var walk func(*node); walk = func(n *node) { ...; go
// walk(k) }). The closure's bindings are given as fn sees them: its own
// values, if fn made the closure, or its free variables bound to them
// (in the walker itself, its own free variables); a binding fn cannot
// reach is nil.
func (c *checker) varSite(fn *ssa.Function, g *ssa.Go) (spawn.Site, bool) {
	mc := c.heldClosure(g.Call.Value)
	if mc == nil {
		return spawn.Site{}, false
	}
	bindings := make([]ssa.Value, len(mc.Bindings))
	for i, x := range mc.Bindings {
		if mc.Parent() == fn {
			bindings[i] = x
			continue
		}
		for _, fv := range fn.FreeVars {
			if c.locks.Binding(fv) == x {
				bindings[i] = fv
			}
		}
	}
	closure := &ssa.MakeClosure{Fn: mc.Fn, Bindings: bindings}
	return spawn.Site{Instr: g, Closure: closure, Fn: mc.Fn.(*ssa.Function), Pos: g.Pos()}, true
}

// heldClosure returns the closure that v, the function a go statement
// calls, holds: v is loaded from a variable (or a free variable bound
// to one) that is assigned exactly one closure and never otherwise
// written or handed on. Otherwise it returns nil.
func (c *checker) heldClosure(v ssa.Value) *ssa.MakeClosure {
	ld, ok := v.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return nil
	}
	addr := ld.X
	for i := 0; i < 8; i++ {
		fv, ok := addr.(*ssa.FreeVar)
		if !ok {
			break
		}
		if addr = c.locks.Binding(fv); addr == nil {
			return nil
		}
	}
	alloc, ok := addr.(*ssa.Alloc)
	if !ok {
		return nil
	}
	stored, ok := storesTo(alloc, 0)
	if !ok || len(stored) != 1 {
		return nil
	}
	mc, _ := stored[0].(*ssa.MakeClosure)
	if mc == nil {
		return nil
	}
	if _, ok := mc.Fn.(*ssa.Function); !ok {
		return nil
	}
	return mc
}

// laterCallRaces records the races between the accesses accs of the
// goroutine that the lifted site s started, and the accesses that a
// later call of the loop body makes to the enclosing function's
// variable v: the next call runs the whole body while the goroutine
// may still run (for x := range seq { total += x; go func() {
// use(total) }() }; fixture badLaterCall). Races with the accesses
// after the go statement in the same call are the body's own.
func (st *starter) laterCallRaces(l *lift, s spawn.Site, v ssa.Value, name string, gor *side, accs []access) {
	body := l.body.parent.fn
	for j, fv := range body.FreeVars {
		if j >= len(l.yield.Bindings) || l.yield.Bindings[j] != v {
			continue
		}
		for _, pa := range l.body.parentAccesses(fv) {
			for _, ga := range accs {
				if race, ok := l.body.parentRace(gor, s, name, ga, pa); ok {
					st.add(race)
				}
			}
		}
	}
}
