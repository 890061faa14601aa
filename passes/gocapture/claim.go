package gocapture

import (
	"go/constant"
	"go/token"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Claims under a lock.
//
// Goroutines of one loop often race to claim a one-shot right, and
// only the winner touches the shared variable:
//
//	func (t *T) claim() bool {
//		t.mu.Lock()
//		defer t.mu.Unlock()
//		if t.done {
//			return false
//		}
//		t.done = true
//		return true
//	}
//
//	for range n {
//		go func() {
//			if t.claim() {
//				count++ // one goroutine at most
//			}
//		}()
//	}
//
// A claim is a test-and-set: holding a mutex exclusively, the callee
// loads a location, branches on the loaded value, and stores a new
// value there before it returns true, all in one critical section.
// Callers that call it on the same object with the same arguments are
// then serialized by the mutex, and a second caller sees the first
// one's store. The rule trusts that the store makes the test fail for
// the later callers, which holds for a flag (done = true), a latch
// and a throttle whose clock does not move while the goroutines run
// (client-go's throttledLogger.attemptToLog under a fake clock: fixture
// okThrottledLogger). It is not taken for what the rule cannot tell
// from a counting semaphore (n < max; n++): a store of a value computed
// from the loaded one is no claim (fixture badClaimCounter). The
// trust is a limitation (doc.go): a throttle with a real clock whose
// interval elapses while the goroutines run admits a second winner,
// and so does a claim that another goroutine re-arms before the
// winner's access. The race detector agrees with the fixtures: the
// negatives are race-free under go test -race, and each positive
// races.
//
// The rule does not weaken the usual ones where they matter: the guard
// must be the bool result of a call of a function of the package (not
// err != nil, fixture badErrFanOut, nor a getter that reads under the
// lock and stores nothing, fixture badLockedGetter), the callee's test
// and its store must lie in one critical section (fixtures
// badCheckThenAct, badClaimRelock), a store of the very bool that
// passed the test sets nothing (fixture badClaimKeepsTest), and every
// argument of the call, the receiver
// included, must be the same in all the goroutines: a value the
// starter computed before its loop, a global, a constant (fixture
// badClaimPerGoroutine claims distinct objects, and every goroutine
// wins). Both accesses of a pair must be guarded so (fixture
// badClaimUnguardedRead).

// A guard is a claim call whose win an access of a goroutine requires.
type guard struct {
	callee *ssa.Function
	result int           // the index of the bool result among the callee's results
	args   []lockset.Key // the call's arguments, the receiver first, as the starter sees them
}

// guardOf returns the claim call that the access a, in the goroutine
// started at s, runs only after winning, if any, with its arguments
// resolved to values of the starter that are the same for all the
// goroutines that s and the starter's loops start.
func (c *checker) guardOf(parent *side, s spawn.Site, a access) (guard, bool) {
	fn := s.Fn
	for _, b := range fn.Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		call, result, win, ok := claimCond(iff)
		if !ok {
			continue
		}
		// The access runs only if control took the winning edge: the
		// edge's target has no other predecessor and dominates it.
		t := b.Succs[win]
		if len(t.Preds) != 1 || !t.Dominates(a.instr.Block()) {
			continue
		}
		callee := call.Call.StaticCallee()
		if callee == nil || !c.isClaim(callee, result) {
			continue
		}
		g := guard{callee: callee, result: result}
		invariant := true
		for _, arg := range call.Call.Args {
			k, ok := c.invariantKey(parent, s, arg)
			if !ok {
				invariant = false
				break
			}
			g.args = append(g.args, k)
		}
		if invariant {
			return g, true
		}
	}
	return guard{}, false
}

// bothClaimed reports whether the access a of the goroutine started at
// s and the access b of the one started at t run only after winning
// the same claim, which at most one of them wins.
func (c *checker) bothClaimed(parent *side, s spawn.Site, a access, t spawn.Site, b access) bool {
	ga, ok := c.guardOf(parent, s, a)
	if !ok {
		return false
	}
	gb, ok := c.guardOf(parent, t, b)
	return ok && sameGuard(ga, gb)
}

// sameGuard reports whether the claims x and y are calls of the same
// function on the same arguments, of which at most one call wins.
func sameGuard(x, y guard) bool {
	if x.callee != y.callee || x.result != y.result || len(x.args) != len(y.args) {
		return false
	}
	for i := range x.args {
		if x.args[i] != y.args[i] {
			return false
		}
	}
	return true
}

// claimCond reports whether the condition of iff is a bool result of a
// call, or its negation, and which successor runs when the result is
// true.
func claimCond(iff *ssa.If) (call *ssa.Call, result, win int, ok bool) {
	cond := iff.Cond
	for {
		not, ok := cond.(*ssa.UnOp)
		if !ok || not.Op != token.NOT {
			break
		}
		cond = not.X
		win = 1 - win
	}
	switch v := cond.(type) {
	case *ssa.Call:
		return v, 0, win, true
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok {
			return call, v.Index, win, true
		}
	}
	return nil, 0, 0, false
}

// invariantKey returns the identity of v, a value of the goroutine
// started at s, as a value of the starter that is the same for every
// goroutine the starter starts there: a global, a constant, a
// parameter of the starter, or a value it computed outside the loops
// that contain s (a Go 1.22 loop variable is computed inside). A value
// the goroutine computes itself is not known to be the same.
func (c *checker) invariantKey(parent *side, s spawn.Site, v ssa.Value) (lockset.Key, bool) {
	k := c.locks.KeyOf(v)
	if fv, ok := k.Root.(*ssa.FreeVar); ok && fv.Parent() == s.Fn {
		// A free variable that the package's bindings did not resolve
		// (the closure is made more than once): resolve it at s.
		for i, x := range s.Fn.FreeVars {
			if x == fv && i < len(s.Closure.Bindings) {
				if s.Closure.Bindings[i] == nil {
					// A loop body's variable, new on each call of
					// the body (lift.go).
					return k, false
				}
				rk := c.locks.KeyOf(s.Closure.Bindings[i])
				rk.Path += k.Path
				k = rk
			}
		}
	}
	switch r := k.Root.(type) {
	case *ssa.Global, *ssa.Const, *ssa.Function:
		return k, true
	case *ssa.Parameter:
		return k, r.Parent() == parent.fn
	case *ssa.FreeVar:
		return k, r.Parent() == parent.fn
	case ssa.Instruction:
		if r.Parent() != parent.fn {
			return k, false
		}
		g := parent.g
		sb := s.Instr.Block().Index
		inLoop := func(b *ssa.BasicBlock) bool {
			return g.cyc[b.Index] && g.scc[b.Index] == g.scc[sb]
		}
		if inLoop(r.Block()) {
			return k, false
		}
		// A variable declared before the loop but assigned in it holds
		// a new value for each goroutine (fixture badClaimReassigned).
		if a, ok := r.(*ssa.Alloc); ok && strings.HasPrefix(k.Path, "*") {
			for _, ref := range *a.Referrers() {
				if st, ok := ref.(*ssa.Store); ok && st.Addr == a && inLoop(st.Block()) {
					return k, false
				}
			}
		}
		return k, true
	}
	return k, false
}

// isClaim reports whether result of fn is a claim's verdict: fn
// returns true there only after a test-and-set under a mutex, and
// returns false otherwise. The answer is cached.
func (c *checker) isClaim(fn *ssa.Function, result int) bool {
	key := claimKey{fn, result}
	if v, ok := c.claims[key]; ok {
		return v
	}
	v := c.computeClaim(fn, result)
	c.claims[key] = v
	return v
}

type claimKey struct {
	fn     *ssa.Function
	result int
}

func (c *checker) computeClaim(fn *ssa.Function, result int) bool {
	lf := c.locks.Func(fn)
	if lf == nil || fn.Signature.Results().Len() <= result {
		return false
	}
	var stores []*ssa.Store
	var rets []*ssa.Return
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.Store:
				stores = append(stores, x)
			case *ssa.Return:
				rets = append(rets, x)
			}
		}
	}
	// The points where fn decides on a true verdict: a return of the
	// constant, or, in a function with defers, the store of it to the
	// result's slot, which the returns load after rundefers.
	var wins []ssa.Instruction
	verdict := func(at ssa.Instruction, v ssa.Value) bool {
		switch boolConst(v) {
		case constFalse:
		case constTrue:
			wins = append(wins, at)
		default:
			return false // a computed verdict: a getter, not a claim
		}
		return true
	}
	slots := make(map[*ssa.Alloc]bool)
	for _, r := range rets {
		if result >= len(r.Results) {
			return false
		}
		v := r.Results[result]
		if ld, ok := v.(*ssa.UnOp); ok && ld.Op == token.MUL {
			if slot, ok := ld.X.(*ssa.Alloc); ok && !slot.Heap {
				slots[slot] = true
				continue
			}
		}
		if !verdict(r, v) {
			return false
		}
	}
	for _, st := range stores {
		if slot, ok := st.Addr.(*ssa.Alloc); ok && slots[slot] && !verdict(st, st.Val) {
			return false
		}
	}
	for _, w := range wins {
		claimed := false
		for _, st := range stores {
			if flow.Dominates(st, w) && c.testAndSet(fn, lf, st) {
				claimed = true
				break
			}
		}
		if !claimed {
			return false
		}
	}
	return len(wins) > 0
}

type boolValue int

const (
	notConst boolValue = iota
	constFalse
	constTrue
)

func boolConst(v ssa.Value) boolValue {
	k, ok := v.(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Bool {
		return notConst
	}
	if constant.BoolVal(k.Value) {
		return constTrue
	}
	return constFalse
}

// testAndSet reports whether the store st, in fn, sets a location that
// fn tested in the same critical section: holding a mutex exclusively,
// fn loaded the location, and an if on a value computed from the load
// decides whether st runs; the mutex is not released between the load
// and st; and st does not store a value computed from the location's
// old one (n++ under n < max admits several winners: fixture
// badClaimCounter).
func (c *checker) testAndSet(fn *ssa.Function, lf *lockset.Func, st *ssa.Store) bool {
	loc := c.locks.KeyOf(st.Addr)
	if a, ok := loc.Root.(*ssa.Alloc); ok && !a.Heap {
		return false // a local of fn, such as a result's slot: not shared
	}
	held := lf.HeldAt(st)
	var reach flow.Reach
	loadsLoc := func(v ssa.Value) bool {
		ld, ok := v.(*ssa.UnOp)
		return ok && ld.Op == token.MUL && c.locks.KeyOf(ld.X) == loc
	}
	if dependsOn(st.Val, loadsLoc) {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ld, ok := instr.(*ssa.UnOp)
			if !ok || !loadsLoc(ld) || !flow.Dominates(ld, st) {
				continue
			}
			for _, l := range lf.HeldAt(ld) {
				m, ok := held.Get(l.Key)
				if !ok || l.Shared || m.Shared || m.Pos != l.Pos {
					continue
				}
				if releasedBetween(fn, c.locks, &reach, l.Key, ld, st) {
					continue
				}
				if testedBetween(ld, st) && !keepsTest(ld, st) {
					return true
				}
			}
		}
	}
	return false
}

// testedBetween reports whether an if whose condition is computed from
// the load ld decides whether st runs: it follows ld and dominates st.
func testedBetween(ld *ssa.UnOp, st *ssa.Store) bool {
	fromLoad := func(v ssa.Value) bool { return v == ld }
	for _, b := range ld.Parent().Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || b == st.Block() || !b.Dominates(st.Block()) || !flow.Dominates(ld, iff) {
			continue
		}
		if dependsOn(iff.Cond, fromLoad) {
			return true
		}
	}
	return false
}

// keepsTest reports whether st stores the very value that let it run,
// where that is evident: the test is the loaded bool itself, or its
// negation, and st stores a constant. Such a store (if t.done { t.done
// = true }) sets nothing that stops the next caller (fixture
// badClaimKeepsTest). Other tests, such as a clock's, are trusted.
func keepsTest(ld *ssa.UnOp, st *ssa.Store) bool {
	want := boolConst(st.Val)
	if want == notConst {
		return false
	}
	for _, b := range ld.Parent().Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || b == st.Block() || !b.Dominates(st.Block()) {
			continue
		}
		cond, neg := iff.Cond, false
		for {
			not, ok := cond.(*ssa.UnOp)
			if !ok || not.Op != token.NOT {
				break
			}
			cond, neg = not.X, !neg
		}
		if cond != ld {
			continue
		}
		for i, succ := range b.Succs {
			if len(succ.Preds) == 1 && succ.Dominates(st.Block()) {
				// On this edge the condition is i == 0, and the
				// loaded value is that, negated neg times.
				loaded := (i == 0) != neg
				return loaded == (want == constTrue)
			}
		}
	}
	return false
}

// releasedBetween reports whether fn may release the mutex k after ld
// and before st: the test and the set would then lie in two critical
// sections, and two callers may both pass the test (fixture
// badCheckThenAct).
func releasedBetween(fn *ssa.Function, locks *lockset.Result, reach *flow.Reach, k lockset.Key, ld, st ssa.Instruction) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			lc, ok := syncapi.LockCallOf(call.Common())
			if !ok || lc.Effect != syncapi.Release || locks.KeyOf(lc.Mutex) != k {
				continue
			}
			if reach.MayPrecede(ld, call) && reach.MayPrecede(call, st) {
				return true
			}
		}
	}
	return false
}

// maxDepends bounds the values dependsOn visits.
const maxDepends = 256

// dependsOn reports whether v is computed, within its function, from a
// value for which is reports true: through operands of instructions,
// including the arguments of calls and the addresses of loads. Past
// the bound it answers true, which makes no claim.
func dependsOn(v ssa.Value, is func(ssa.Value) bool) bool {
	seen := make(map[ssa.Value]bool)
	stack := []ssa.Value{v}
	var ops []*ssa.Value
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == nil || seen[x] {
			continue
		}
		if len(seen) >= maxDepends {
			return true
		}
		seen[x] = true
		if is(x) {
			return true
		}
		instr, ok := x.(ssa.Instruction)
		if !ok {
			continue
		}
		for _, op := range instr.Operands(ops[:0]) {
			if *op != nil {
				stack = append(stack, *op)
			}
		}
	}
	return false
}
