package atomicmix

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rules 7 (private) and 8 (joined). A variable that a function allocates can only race if another
// goroutine can reach it. This file classifies how each such variable
// (an *ssa.Alloc) is shared: not at all (a single-goroutine test that
// mixes atomic and plain accesses of a local), with goroutines that the
// allocating function starts and may join, or in ways the check cannot
// follow (stored, returned, passed to a function).

// A sharing says how the goroutines other than its allocating
// function's can reach a variable. Unless escaped, sites lists every
// goroutine that can.
type sharing struct {
	escaped bool      // reachable by code the check cannot follow
	sites   []*goSite // goroutines started by the allocating function that reach it

	// anchors maps a closure that the allocating function calls
	// synchronously to the calls; a deferred call has no anchor and
	// puts the closure in unanchored.
	anchors    map[*ssa.Function][]ssa.Instruction
	unanchored map[*ssa.Function]bool
	gofuncs    map[*ssa.Function]bool // closures that run as goroutines
}

// private reports whether no goroutine but the allocating function's
// can access the variable (fixture okSingleGoroutine).
func (s *sharing) private() bool { return !s.escaped && len(s.sites) == 0 }

// A goSite is a goroutine that the allocating function starts with a
// closure that reaches the variable.
type goSite struct {
	site   spawn.Site
	runner bool              // the call returns only after the goroutines it started
	tree   bool              // a subtest runner: it also waits for the subtests the closure runs
	uses   []ssa.Instruction // the instructions of the goroutine's body that use the variable
	live   map[ssa.Instruction]bool
}

// The testing runners (syncapi.RunnerOf) that run their closure in
// goroutines and return after them are joins: b.RunParallel, and t.Run
// and b.Run, which return after the subtest and the subtests it runs,
// or as soon as the subtest calls t.Parallel; a parallel subtest then
// waits until its parent test's function has returned, so it cannot
// overlap what the test's goroutine does after t.Run either (the race
// detector agrees: fixture okParallelSubtest). A helper that calls
// t.Run from another goroutine is not considered; f.Fuzz is not a join
// here.

// sharingOf returns how alloc is shared, computed once per variable.
func (c *checker) sharingOf(alloc freshValue) *sharing {
	if s, ok := c.shared[alloc]; ok {
		return s
	}
	s := &sharing{
		anchors:    make(map[*ssa.Function][]ssa.Instruction),
		unanchored: make(map[*ssa.Function]bool),
		gofuncs:    make(map[*ssa.Function]bool),
	}
	w := &shareWalker{c: c, s: s, parent: alloc.Parent()}
	w.visit(alloc, shareCtx{fn: alloc.Parent()}, 0)
	c.shared[alloc] = s
	return s
}

// A shareWalker follows the uses of a pointer into a variable.
type shareWalker struct {
	c      *checker
	s      *sharing
	parent *ssa.Function // the allocating function
}

// A shareCtx is where the uses being followed run.
type shareCtx struct {
	fn     *ssa.Function
	gor    *goSite         // the goroutine they run in, or nil for the allocating function's
	anchor ssa.Instruction // for a closure called synchronously: the call in the allocating function
	record bool            // record the uses in gor.uses
}

// visit classifies the uses of v, a pointer into the variable, in
// ctx.fn. Loads, stores into it and sync/atomic calls on it keep it
// where it is; a pointer stored, passed or returned escapes.
func (w *shareWalker) visit(v ssa.Value, ctx shareCtx, depth int) {
	if w.s.escaped {
		return
	}
	if depth > 16 {
		w.s.escaped = true
		return
	}
	refs := v.Referrers()
	if refs == nil {
		return
	}
	for _, r := range *refs {
		if ctx.record {
			ctx.gor.uses = append(ctx.gor.uses, r)
		}
		switch r := r.(type) {
		case *ssa.FieldAddr, *ssa.IndexAddr, *ssa.ChangeType:
			w.visit(r.(ssa.Value), ctx, depth+1)
		case *ssa.Convert:
			if isPointerLike(r.Type()) {
				w.visit(r, ctx, depth+1)
			} else {
				w.s.escaped = true
			}
		case *ssa.UnOp, *ssa.DebugRef:
			// A load, or a source position.
		case *ssa.Store:
			if r.Val == v {
				w.s.escaped = true
			}
		case *ssa.MakeClosure:
			w.closure(r, v, ctx, depth)
		case *ssa.Go:
			w.s.escaped = true // another goroutine calls with it
		case ssa.CallInstruction:
			if !keepsPointer(r.Common(), v) && !w.c.passesNoEscape(r, v) {
				w.s.escaped = true
			}
		default:
			// Phis, interfaces, slices, returns, comparisons.
			w.s.escaped = true
		}
	}
}

// keepsPointer reports whether call uses the pointer v without keeping
// it or handing it to another goroutine: as the address of a sync/atomic
// function, or as the receiver of a method of package sync or
// sync/atomic (a local mutex or typed atomic).
func keepsPointer(call *ssa.CallCommon, v ssa.Value) bool {
	if _, ok := call.Value.(*ssa.Builtin); ok || call.IsInvoke() {
		return false
	}
	n := 0
	for _, a := range call.Args {
		if a == v {
			n++
		}
	}
	if n != 1 {
		return false
	}
	if op, ok := syncapi.AtomicAccessOf(call); ok && op.Addr == v {
		return true
	}
	fn := syncapi.Callee(call)
	if fn == nil || fn.Pkg() == nil || call.Args[0] != v {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	switch fn.Pkg().Path() {
	case "sync", "sync/atomic":
		return !spawn.IsSpawner(call, nil)
	}
	return false
}

// closure classifies a closure that captures v: called synchronously,
// its uses are followed in its body; started as a goroutine by the
// allocating function, it is a site; anything else escapes.
func (w *shareWalker) closure(mc *ssa.MakeClosure, v ssa.Value, ctx shareCtx, depth int) {
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok {
		w.s.escaped = true
		return
	}
	for i, b := range mc.Bindings {
		if b != v || i >= len(fn.FreeVars) {
			continue
		}
		fv := fn.FreeVars[i]
		for _, r := range *mc.Referrers() {
			call, ok := r.(ssa.CallInstruction)
			if !ok {
				w.s.escaped = true
				return
			}
			w.closureUse(call, mc, fn, fv, ctx, depth)
		}
	}
}

// closureUse classifies one use of the closure mc, whose free variable
// fv is the variable, by the call instruction that uses it.
func (w *shareWalker) closureUse(call ssa.CallInstruction, mc *ssa.MakeClosure, fn *ssa.Function, fv *ssa.FreeVar, ctx shareCtx, depth int) {
	common := call.Common()
	_, isGo := call.(*ssa.Go)
	if common.Value == mc && !isGo && !closureIsArg(common, mc) {
		// Called here, in this goroutine.
		inner := ctx
		inner.fn = fn
		switch {
		case ctx.gor != nil:
			// In a goroutine's body the call is the use.
			if ctx.record {
				ctx.gor.uses = append(ctx.gor.uses, call)
			}
			inner.record = false
		case ctx.fn == w.parent:
			inner.anchor = call
			if _, deferred := call.(*ssa.Defer); deferred {
				inner.anchor = nil // it runs when the function returns
			}
		}
		if ctx.gor == nil {
			if inner.anchor != nil {
				w.s.anchors[fn] = append(w.s.anchors[fn], inner.anchor)
			} else {
				w.s.unanchored[fn] = true
			}
		}
		w.visit(fv, inner, depth+1)
		return
	}
	// A subtest of a subtest: the outer runner's call waits for it
	// (fixture okSubtests).
	if ctx.gor != nil && ctx.gor.tree && ctx.fn == ctx.gor.site.Fn && isSubtestCall(call, mc) {
		w.s.gofuncs[fn] = true
		w.visit(fv, shareCtx{fn: fn, gor: ctx.gor}, depth+1)
		return
	}
	// A goroutine that a joined goroutine starts after adding to the
	// WaitGroup that joins both (fixture okNestedAdd).
	if ctx.gor != nil && !ctx.gor.runner && ctx.fn == ctx.gor.site.Fn && w.c.nestedJoined(call, mc, fn, ctx.gor) {
		w.s.gofuncs[fn] = true
		w.visit(fv, shareCtx{fn: fn, gor: ctx.gor}, depth+1)
		return
	}
	// Started as goroutines: only by the allocating function itself,
	// so that its joins can be found.
	if ctx.fn != w.parent || ctx.gor != nil {
		w.s.escaped = true
		return
	}
	g := w.siteOf(call, mc, fn)
	if g == nil {
		w.s.escaped = true
		return
	}
	w.s.sites = append(w.s.sites, g)
	w.s.gofuncs[fn] = true
	w.visit(fv, shareCtx{fn: fn, gor: g, record: true}, depth+1)
}

// addMethods name the methods that count a goroutine in before it starts.
var addMethods = map[string]bool{syncapi.WaitGroupAdd: true}

// nestedJoined reports whether the closure inner, which the go statement
// call of the goroutine g's body starts, is joined by whatever joins g:
// g's only Done calls are deferred, on one WaitGroup; g calls Add on it
// before the go statement on every path; and inner defers Done on it.
// The counter then cannot reach zero between the Add and inner's Done,
// since g's own Done is still pending, so a Wait that returns after g's
// Done returns after inner's too (client-go's synctrack lazy_test). A
// nested goroutine without that Add stays shared (fixture badNested),
// and so does one counted on another group (badNestedOtherGroup).
func (c *checker) nestedJoined(call ssa.CallInstruction, mc *ssa.MakeClosure, inner *ssa.Function, g *goSite) bool {
	goInstr, ok := call.(*ssa.Go)
	if !ok || goInstr.Call.Value != mc || goInstr.Call.IsInvoke() {
		return false
	}
	outer, ok := c.deferredDoneKey(g.site.Fn)
	if !ok {
		return false
	}
	if k, ok := c.deferredDoneKey(inner); !ok || k != outer {
		return false
	}
	for _, b := range g.site.Fn.Blocks {
		for i, instr := range b.Instrs {
			add, ok := instr.(*ssa.Call)
			if !ok || add.Call.IsInvoke() || len(add.Call.Args) == 0 {
				continue
			}
			fn := syncapi.Callee(&add.Call)
			if fn == nil || !addMethods[fn.FullName()] || c.locks.KeyOf(add.Call.Args[0]) != outer {
				continue
			}
			gb := goInstr.Block()
			if b == gb && i < indexIn(gb, goInstr) || b != gb && b.Dominates(gb) {
				return true
			}
		}
	}
	return false
}

// deferredDoneKey returns the WaitGroup of fn's Done calls when there
// are some, all deferred and on one group.
func (c *checker) deferredDoneKey(fn *ssa.Function) (lockset.Key, bool) {
	var key lockset.Key
	dones := groupCalls(fn, syncapi.WaitGroupDone)
	for i, call := range dones {
		k := c.locks.KeyOf(call.Common().Args[0])
		if _, deferred := call.(*ssa.Defer); !deferred || i > 0 && k != key {
			return lockset.Key{}, false
		}
		key = k
	}
	return key, len(dones) > 0
}

// groupCalls returns the static calls of fn (direct or deferred) of the
// WaitGroup method named method (syncapi.WaitGroupDone or WaitGroupWait).
func groupCalls(fn *ssa.Function, method string) []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok || call.Common().IsInvoke() || len(call.Common().Args) == 0 {
				continue
			}
			if callee := syncapi.Callee(call.Common()); callee != nil && callee.FullName() == method {
				out = append(out, call)
			}
		}
	}
	return out
}

// closureIsArg reports whether mc is also passed as an argument.
func closureIsArg(call *ssa.CallCommon, mc *ssa.MakeClosure) bool {
	for _, a := range call.Args {
		if a == mc {
			return true
		}
	}
	return false
}

// siteOf returns the goroutine that call starts with the closure mc: a
// go statement, a spawner (wg.Go), or a runner (b.RunParallel); or nil.
func (w *shareWalker) siteOf(call ssa.CallInstruction, mc *ssa.MakeClosure, fn *ssa.Function) *goSite {
	for _, s := range spawn.SitesOf(w.parent, nil) {
		if s.Instr == call && s.Closure == mc {
			return &goSite{site: s}
		}
	}
	c, ok := call.(*ssa.Call)
	if !ok {
		return nil
	}
	if r, arg, ok := syncapi.RunnerOf(&c.Call); ok && arg == mc && (r.Subtest || r.Parallel) {
		return &goSite{site: spawn.Site{Instr: c, Closure: mc, Fn: fn, Pos: c.Pos()}, runner: true, tree: r.Subtest}
	}
	return nil
}

// isSubtestCall reports whether call runs the closure mc as a subtest.
func isSubtestCall(call ssa.CallInstruction, mc *ssa.MakeClosure) bool {
	c, ok := call.(*ssa.Call)
	if !ok {
		return false
	}
	r, arg, ok := syncapi.RunnerOf(&c.Call)
	return ok && r.Subtest && arg == mc
}

// privateVar reports whether the plain access t is of a variable (or
// of a value its function allocated) that no other goroutine can reach
// (rule 7, fixture okSingleGoroutine).
func (c *checker) privateVar(t touch) bool {
	alloc := c.rootAlloc(t.addr, c.bind)
	return alloc != nil && alloc.Parent() != nil && c.sharingOf(alloc).private()
}

// joinedVar reports whether t reads or writes a whole local variable
// after the join of every goroutine that reaches it (rule 8, fixture
// okAfterWait). Fields are not given the join rule: they stand for all
// values of their struct type (fixture badMainPlain).
func (c *checker) joinedVar(t touch) bool {
	alloc := c.rootAlloc(t.addr, c.bind)
	if alloc == nil || alloc.Parent() == nil {
		return false
	}
	s := c.sharingOf(alloc)
	if s.escaped || t.loc.Local != alloc || t.path != "" {
		return false
	}
	var at []ssa.Instruction
	switch {
	case t.fn == alloc.Parent():
		at = []ssa.Instruction{t.instr}
	case s.gofuncs[t.fn] || s.unanchored[t.fn]:
		return false
	default:
		at = s.anchors[t.fn]
		if len(at) == 0 {
			return false
		}
	}
	for _, g := range s.sites {
		live := c.liveAfter(alloc, g)
		for _, i := range at {
			if live[i] {
				return false
			}
		}
	}
	return true
}

// liveAfter returns the instructions of the allocating function that
// may run while the goroutine g may still use the variable: those
// reachable from its start without passing a wait that joins it, or a
// new definition of the variable (a loop body's fresh variable).
func (c *checker) liveAfter(alloc freshValue, g *goSite) map[ssa.Instruction]bool {
	if g.live != nil {
		return g.live
	}
	g.live = make(map[ssa.Instruction]bool)
	if g.runner {
		return g.live // its goroutines returned when the call does
	}
	stop := c.joins(alloc.Parent(), g)
	stop[alloc] = true
	g.live = runAfter(g.site.Instr, stop)
	return g.live
}

// runAfter returns the instructions of start's function that may run
// after start without running one of stop first.
func runAfter(start ssa.Instruction, stop map[ssa.Instruction]bool) map[ssa.Instruction]bool {
	b := start.Block()
	return runFrom(b, indexIn(b, start)+1, stop)
}

// runFromEntry returns the instructions of fn that may run, from its
// start, without running one of stop first.
func runFromEntry(fn *ssa.Function, stop map[ssa.Instruction]bool) map[ssa.Instruction]bool {
	return runFrom(fn.Blocks[0], 0, stop)
}

// runFrom returns the instructions that may run from instruction from
// of block b on without running one of stop first.
func runFrom(b *ssa.BasicBlock, from int, stop map[ssa.Instruction]bool) map[ssa.Instruction]bool {
	live := make(map[ssa.Instruction]bool)
	seen := make([]bool, len(b.Parent().Blocks))
	var scan func(b *ssa.BasicBlock, from int)
	scan = func(b *ssa.BasicBlock, from int) {
		for _, instr := range b.Instrs[from:] {
			if stop[instr] {
				return
			}
			live[instr] = true
		}
		for _, s := range b.Succs {
			if !seen[s.Index] {
				seen[s.Index] = true
				scan(s, 0)
			}
		}
	}
	scan(b, from)
	return live
}

// exitsWithout reports whether start's function may return or panic
// after start without running one of stop first.
func exitsWithout(start ssa.Instruction, stop map[ssa.Instruction]bool) bool {
	for instr := range runAfter(start, stop) {
		switch instr.(type) {
		case *ssa.Return, *ssa.Panic:
			return true
		}
	}
	return false
}

// indexIn returns the index of instr in b.
func indexIn(b *ssa.BasicBlock, instr ssa.Instruction) int {
	for i, x := range b.Instrs {
		if x == instr {
			return i
		}
	}
	panic("internal error: instruction not in its block")
}

// joins returns the waits in parent that return only after the
// goroutine g has made its last use of the variable: Wait on the group
// of a spawner (wg.Go), or on a WaitGroup whose Done the goroutine calls
// after every use (deferred, or later on every path).
func (c *checker) joins(parent *ssa.Function, g *goSite) map[ssa.Instruction]bool {
	var keys []lockset.Key
	if g.site.Group != nil {
		keys = append(keys, c.locks.KeyOf(g.site.Group))
	} else if _, ok := g.site.Instr.(*ssa.Go); ok {
		keys = c.doneKeys(g)
	}
	out := make(map[ssa.Instruction]bool)
	if len(keys) == 0 {
		return out
	}
	for _, call := range groupCalls(parent, syncapi.WaitGroupWait) {
		if _, direct := call.(*ssa.Call); !direct {
			continue // a deferred Wait runs at return, after every access
		}
		k := c.locks.KeyOf(call.Common().Args[0])
		for _, want := range keys {
			if k == want {
				out[call] = true
			}
		}
	}
	return out
}

// doneKeys returns the WaitGroups, named in the starting function's
// terms, whose Done the goroutine g calls after its last use of the
// variable. A group passed as an argument of the go statement is named
// by the argument (fixture okWaitArg).
func (c *checker) doneKeys(g *goSite) []lockset.Key {
	fn := g.site.Fn
	order := &instrOrder{fn: fn}
	var keys []lockset.Key
	for _, call := range groupCalls(fn, syncapi.WaitGroupDone) {
		if _, deferred := call.(*ssa.Defer); !deferred && usedAfter(order, call, g.uses) {
			continue
		}
		k := c.locks.KeyOf(call.Common().Args[0])
		if p, ok := k.Root.(*ssa.Parameter); ok {
			k, ok = argKey(c.locks, g, p, k.Path)
			if !ok {
				continue
			}
		}
		keys = append(keys, k)
	}
	return keys
}

// usedAfter reports whether one of uses may run after instr.
func usedAfter(order *instrOrder, instr ssa.Instruction, uses []ssa.Instruction) bool {
	for _, u := range uses {
		if u == instr || order.mayPrecede(instr, u) {
			return true
		}
	}
	return false
}

// argKey names the parameter p of the goroutine's function by the
// argument the go statement passes for it.
func argKey(locks *lockset.Result, g *goSite, p *ssa.Parameter, path string) (lockset.Key, bool) {
	for i, q := range g.site.Fn.Params {
		if q == p && i < len(g.site.Instr.Common().Args) {
			k := locks.KeyOf(g.site.Instr.Common().Args[i])
			k.Path += path
			return k, true
		}
	}
	return lockset.Key{}, false
}
