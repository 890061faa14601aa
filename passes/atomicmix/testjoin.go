package atomicmix

import (
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 18 (testjoin). Tests and examples add up a package-level
// total in tasks that they hand to the code under test, wait on a
// package-level WaitGroup, and check the total (ants' example_test.go:
// pool.Submit(func() { incSumInt(j) }), where incSumInt runs
// atomic.AddInt32(&sum, i) and then wg.Done();
// fixture TestSubmitJoined in atomicmix/testjoin). Who runs the task cannot be
// seen, a pool's worker goroutine, but it need not be: the read is
// ordered after every atomic access when
//
//   - the read is in a test, benchmark or example function that runs
//     alone: the testing package runs them one at a time, and a test
//     that calls t.Parallel waits until the sequential ones are done;
//     so the function must not call t.Parallel, nor be called or used
//     as a value in the package, and the package must call t.Parallel
//     nowhere but on the own parameter of a test function or of a
//     closure it only runs as a subtest (a helper could make any test
//     parallel);
//   - every atomic access of the variable is in the body of a test
//     function that the package neither calls nor uses as a value
//     (which, parallel or not, never overlaps the reader), or is followed on
//     every path of its own function by Done on an unexported
//     package-level WaitGroup, called or deferred
//     (fixture TestDoneFirst, fixture TestLeakedTask);
//   - the reader waits on that group before the read on every path,
//     and on no path adds to it after its last wait
//     (fixture TestAddAfterWait, fixture TestReadsUnwaited);
//   - the group is only ever the receiver of Add, Done and Wait, and
//     every Add is in the body of a test, benchmark or example function
//     (fixture TestAddInGoroutine, fixture TestHandedGroup).
//
// Then the Done after an atomic access is counted by an Add of some
// test function. If that one ran before the reader's Wait returned, the
// counter reached zero only after the Done, so the access comes before
// the read; if it ran later, in a later test or after the read, it
// comes after the read, since an Add comes before the work it counts.
// What the check assumes is that the counting is right, as for rule
// 8: each Done is counted by an Add that comes before the work it
// marks as done (the WaitGroup's own contract). A test that calls a
// test function of another package's tests is not seen.

// testJoined reports whether t, a plain access of a package-level
// variable in a test function, runs after every atomic access of it
// (rule 18).
func (c *checker) testJoined(t touch, s *atomicSummary) bool {
	v := t.loc.Var
	if s == nil || t.path != "" || v == nil || v.IsField() || v.Exported() || !c.runsAlone(t.fn) {
		return false
	}
	for _, a := range s.all {
		if _, spawned := a.instr.(*ssa.Go); spawned {
			return false // go atomic.AddInt32(&n, 1): a goroutine of its own
		}
		if c.isTestEntry(a.fn) {
			continue // in a test function's own goroutine, which never overlaps t's
		}
		joined := func(g *ssa.Global) bool { return c.waitedBefore(g, t.instr) }
		if !slices.ContainsFunc(c.doneAfter(a), joined) {
			return false
		}
	}
	return true
}

// isTestEntry reports whether fn is a test, benchmark or example
// function that the testing package alone calls: the package neither
// calls it nor uses it as a value.
func (c *checker) isTestEntry(fn *ssa.Function) bool {
	if !c.isTestFunc(fn, "Test", "T") && !c.isTestFunc(fn, "Benchmark", "B") && !c.isTestFunc(fn, "Example", "") {
		return false
	}
	return len(c.staticCallers()[fn]) == 0 && !c.funcValues[fn]
}

// runsAlone reports whether fn is a test entry that runs while no
// other test function's body does: it does not call t.Parallel, and no
// code of the package may call it for fn.
func (c *checker) runsAlone(fn *ssa.Function) bool {
	return c.isTestEntry(fn) && !c.callsParallel(fn) && !c.strayParallel()
}

// callsParallel reports whether fn's body calls (*testing.T).Parallel.
func (c *checker) callsParallel(fn *ssa.Function) bool {
	return len(parallelCalls(fn)) > 0
}

// parallelCalls returns fn's calls of (*testing.T).Parallel.
func parallelCalls(fn *ssa.Function) []*ssa.Call {
	var out []*ssa.Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || call.Call.IsInvoke() {
				continue
			}
			if callee := syncapi.Callee(&call.Call); callee != nil && callee.FullName() == "(*testing.T).Parallel" {
				out = append(out, call)
			}
		}
	}
	return out
}

// strayParallel reports whether the package calls t.Parallel where
// the t may be another function's: anywhere but on the own parameter of
// a test entry or of a closure that is only run as a subtest, whose t
// is its own. Computed once per package.
func (c *checker) strayParallel() bool {
	if c.parallel != nil {
		return *c.parallel
	}
	stray := false
	for _, fn := range c.ssa.SrcFuncs {
		for _, call := range parallelCalls(fn) {
			own := len(fn.Params) == 1 && call.Call.Args[0] == fn.Params[0]
			subtest := fn.Parent() != nil && onlyRunBy(fn, func(r syncapi.Runner) bool { return r.Subtest })
			if !own || !c.isTestEntry(fn) && !subtest {
				stray = true
			}
		}
	}
	c.parallel = &stray
	return stray
}

// doneAfter returns the unexported package-level WaitGroups whose Done
// the function of the atomic access a calls after a on every path, or
// defers before it on every path, so that it runs after a when the
// function returns or panics.
func (c *checker) doneAfter(a *access) []*ssa.Global {
	if _, ok := a.instr.(*ssa.Call); !ok {
		return nil // a deferred access runs after the Done deferred with it
	}
	stops := make(map[*ssa.Global]map[ssa.Instruction]bool)
	var out []*ssa.Global
	for _, done := range groupCalls(a.fn, syncapi.WaitGroupDone) {
		g, ok := done.Common().Args[0].(*ssa.Global)
		if !ok || g.Object().Exported() {
			continue
		}
		if _, deferred := done.(*ssa.Defer); deferred && flow.Dominates(done, a.instr) && !slices.Contains(out, g) {
			out = append(out, g)
		}
		if stops[g] == nil {
			stops[g] = make(map[ssa.Instruction]bool)
		}
		stops[g][done] = true
	}
	for g, stop := range stops {
		if !slices.Contains(out, g) && !exitsWithout(a.instr, stop) {
			out = append(out, g)
		}
	}
	return out
}

// waitedBefore reports whether at, in a test entry, runs after a Wait
// on g on every path, with no Add on g after that Wait, and whether
// every Add on g is in a test entry's body.
func (c *checker) waitedBefore(g *ssa.Global, at ssa.Instruction) bool {
	u := c.groupUsesOf(g)
	if !u.plain {
		return false
	}
	fn := at.Parent()
	waits := make(map[ssa.Instruction]bool)
	for _, w := range u.waits {
		if w.Parent() == fn {
			waits[w] = true
		}
	}
	if len(waits) == 0 || runFromEntry(fn, waits)[at] {
		return false
	}
	for _, add := range u.adds {
		if !c.isTestEntry(add.Parent()) || add.Parent() == fn && runAfter(add, waits)[at] {
			return false
		}
	}
	return true
}

// groupUses are the uses of a package-level WaitGroup.
type groupUses struct {
	plain bool              // it is only ever the receiver of Add, Done and Wait
	adds  []*ssa.Call       // its Add calls
	waits []ssa.Instruction // its direct Wait calls
}

// groupMethods are the WaitGroup methods a group of rule 18 may be
// the receiver of.
var groupMethods = map[string]bool{
	syncapi.WaitGroupAdd: true, syncapi.WaitGroupDone: true, syncapi.WaitGroupWait: true,
}

// groupUsesOf returns the uses of g in the package, computed once per
// group.
func (c *checker) groupUsesOf(g *ssa.Global) *groupUses {
	if u, ok := c.groups[g]; ok {
		return u
	}
	if c.groups == nil {
		c.groups = make(map[*ssa.Global]*groupUses)
	}
	u := &groupUses{plain: true}
	c.groups[g] = u
	for _, fn := range c.packageFuncs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				for _, op := range instr.Operands(nil) {
					if *op == g {
						u.use(instr, op)
					}
				}
			}
		}
	}
	return u
}

// use records the use of the group in the operand op of instr.
func (u *groupUses) use(instr ssa.Instruction, op *ssa.Value) {
	call, ok := instr.(ssa.CallInstruction)
	if _, isGo := instr.(*ssa.Go); !ok || isGo || call.Common().IsInvoke() || len(call.Common().Args) == 0 || op != &call.Common().Args[0] {
		u.plain = false // &wg handed on, stored, or wg.Go
		return
	}
	callee := syncapi.Callee(call.Common())
	if callee == nil || !groupMethods[callee.FullName()] {
		u.plain = false
		return
	}
	direct, _ := call.(*ssa.Call)
	switch callee.FullName() {
	case syncapi.WaitGroupAdd:
		if direct == nil {
			u.plain = false // defer wg.Add(1)
			return
		}
		u.adds = append(u.adds, direct)
	case syncapi.WaitGroupWait:
		if direct != nil {
			u.waits = append(u.waits, direct) // a deferred Wait runs at return
		}
	}
}

// packageFuncs returns the package's functions and its package
// initializer.
func (c *checker) packageFuncs() []*ssa.Function {
	funcs := c.ssa.SrcFuncs
	if init := c.ssa.Pkg.Func("init"); init != nil {
		funcs = append(funcs[:len(funcs):len(funcs)], init) // package-level initializers: var hook = bump
	}
	return funcs
}
