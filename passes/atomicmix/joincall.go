package atomicmix

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/chanvar"
	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/memloc"
)

// Rule 19 (joincall). A test calls the code under test, which starts
// goroutines and waits for them before it returns (a server's Run that
// starts its event loops and returns once they exited: gnet's Run, evio's
// Serve), and then checks the counters those goroutines updated
// atomically. Rule 13 gives up there, since the test starts goroutines
// through the package's functions that reach the counter; but each of
// them has returned when the call does, so the read is ordered after
// their atomic writes, and a write before the call before them
// (fixtures TestServeJoined and testServeLocal in atomicmix/joincall).
//
// What a function leaves running is its extent: the goroutines that it
// starts, itself or through the package's functions it calls, and does
// not wait for on every path to a return. It is computed once per
// function, from the extents of its callees. A goroutine is waited for
// when it was started with wg.Go or errgroup's Go, or defers Done on a
// WaitGroup (directly or in a deferred closure), and every path from
// its start to a return of the function passes a Wait on that group:
// called, deferred, or inside a callee that waits on it on every path
// (gnet's run, which defers eng.stop, whose errgroup Wait joins the
// loops that eng.start started). Groups are told apart as rule 11
// tells mutexes apart, by the variable or the field path they are
// reached through (s.wg is the field wg of every server). A return of
// a non-nil error in the branch that tested it (if err != nil { return
// err }) need not wait: a start that failed may leave goroutines behind
// (gnet's Run, when a poller cannot be opened after the sub-reactors
// started), and the caller is taken not to rely on a call that failed.
// The goroutines that a joined goroutine leaves running are left
// running by the function too. A closure or method value that the
// function hands to a call runs during that call (as rule 13 assumes),
// also when the callee is another package's (gnet's tests hand their
// dialers to a worker pool's Submit), unless the callee's SpawnsFact
// says it starts it; one that the function stores or returns may run
// at any time, so what it leaves running cannot be joined.

// A LeavesFact says that an exported function may return while
// goroutines that it started, itself or through its callees, still run
// (rule 19): a caller in another package cannot count on their end.
type LeavesFact struct{}

func (*LeavesFact) AFact() {}

func (*LeavesFact) String() string { return "leaves goroutines" }

// exportLeaves exports a LeavesFact for each exported function of the
// package that may leave goroutines running, and that an importer can
// hand code to run in them: a parameter (or the receiver) holds a
// function or an interface, directly or in a struct's field. Other
// leftovers cannot run the importer's code.
func (c *checker) exportLeaves(funcs []*ssa.Function) {
	for _, fn := range funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || !obj.Exported() || fn.Parent() != nil || c.inTestFile(fn) || !takesCode(fn) || !c.mayStart(fn) {
			continue
		}
		if len(c.extentOf(fn).left) > 0 {
			c.pass.ExportObjectFact(obj, new(LeavesFact))
		}
	}
}

// takesCode reports whether a parameter of fn holds a function or an
// interface, directly, through a pointer, or in a struct's field.
func takesCode(fn *ssa.Function) bool {
	for _, p := range fn.Params {
		if holdsCode(p.Type(), 0) {
			return true
		}
	}
	return false
}

func holdsCode(t types.Type, depth int) bool {
	if depth > 3 {
		return false
	}
	if isContext(t) {
		return false // its methods are the context package's
	}
	switch u := t.Underlying().(type) {
	case *types.Signature, *types.Interface:
		return true
	case *types.Pointer:
		return holdsCode(u.Elem(), depth+1)
	case *types.Struct:
		for i := range u.NumFields() {
			if holdsCode(u.Field(i).Type(), depth+1) {
				return true
			}
		}
	}
	return false
}

func isContext(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// joinedInCallee reports whether t, a plain access in a test function
// of a field or of one of its local variables, is ordered with every
// atomic access of the location because every goroutine that the test
// starts through the package's functions, and that reaches one, is
// joined by the function that started it before it returned (rule 19).
func (c *checker) joinedInCallee(t touch, atomics []*access) bool {
	if len(atomics) == 0 || t.fn.Parent() != nil || !c.inTestFile(t.fn) {
		return false
	}
	sc := c.testScope()
	switch {
	case t.loc.Local != nil:
		// Each call of the function has its own variable: it does
		// not matter which goroutine runs it.
		if t.loc.Local.Parent() != t.fn {
			return false
		}
	case t.loc.IsField():
		if sc.inGo[t.fn] {
			return false
		}
	default:
		return false // a package-level variable: every test reaches it
	}
	roots, ok := c.leftBy(t.fn, t.instr)
	if !ok {
		return false
	}
	// Methods of a type that only another test function makes into
	// interface values run on that test's values only.
	top := topLevel(t.fn)
	othersOnly := func(fn *ssa.Function) bool {
		owner := c.testLocalOwner(fn)
		return owner != nil && owner != top
	}
	roots = slices.DeleteFunc(roots, othersOnly)
	started := sc.closureWithout(slices.Clone(roots), othersOnly) // closure reuses its argument as its stack
	// foreign: another package's code runs in a goroutine left
	// running, and may call the package's methods through interfaces;
	// callsBack: the package's code there calls function values, or
	// hands them to another package's.
	foreign, callsBack := false, false
	for _, fn := range roots {
		if fn.Pkg != c.ssa.Pkg {
			foreign = true
		}
	}
	for fn := range started {
		if callsBack {
			break
		}
		callsBack = c.callsBack(fn)
	}
	for _, a := range atomics {
		if _, ok := a.instr.(*ssa.Go); ok {
			return false
		}
		if started[a.fn] || foreign && a.fn.Signature.Recv() != nil || (foreign || callsBack) && c.mayRunAsValue(a.fn) {
			return false
		}
	}
	return true
}

// leftBy returns the goroutines that top, and the closures it makes,
// start themselves or through the package's functions and that may
// still run at at, an instruction of top: all of them, but for a
// goroutine that top itself starts in a group it waits on, on every
// path from the start to at (rule 19's own join, fixture TestOwnJoin:
// go func() { defer wg.Done(); c.Add() }(); wg.Wait(); c.n); false if
// one of them is not known.
func (c *checker) leftBy(top *ssa.Function, at ssa.Instruction) ([]*ssa.Function, bool) {
	var roots []*ssa.Function
	funcs := []*ssa.Function{top}
	for len(funcs) > 0 {
		fn := funcs[len(funcs)-1]
		funcs = funcs[:len(funcs)-1]
		funcs = append(funcs, fn.AnonFuncs...)
		for _, ev := range c.eventsOf(fn) {
			if ev.closure != nil && ev.closure.Parent() != nil {
				continue // a closure of top: walked as top's own code
			}
			for _, l := range ev.left {
				if l.fn == nil {
					return nil, false
				}
				if fn == top && !ev.late && c.waitedBetween(top, ev.at, at, l.group) {
					continue
				}
				roots = append(roots, unwrapped(l.fn)...)
			}
		}
	}
	return roots, true
}

// waitedBetween reports whether every path of fn from start to at
// passes a call (not a deferred one) of Wait on group g, so that a
// goroutine of g started at start has returned at at.
func (c *checker) waitedBetween(fn *ssa.Function, start, at ssa.Instruction, g groupID) bool {
	if !g.known() || at == nil || at.Parent() != fn {
		return false
	}
	stop := make(map[ssa.Instruction]bool)
	for p := range c.waitPointsOf(fn)[g] {
		if _, deferred := p.(*ssa.Defer); !deferred {
			stop[p] = true
		}
	}
	for _, r := range c.forwardedWaits(fn, start, g) {
		stop[r] = true
	}
	return len(stop) > 0 && !runAfter(start, stop)[at]
}

// forwardedWaits returns the receives in fn that return only after a
// Wait on group g: from a channel variable that fn makes and that only
// goroutines fn starts close or send on, each after such a Wait on
// every path (go func() { wg.Wait(); close(done) }(); <-done; fixture
// TestOwnJoinForwarded; in a select, the case's block when only that
// case enters it, TestForwardedSelect). The goroutine that waits must
// not start before start may run: its Wait could then return before
// start's Add (fixture TestForwardedWaiterFirst).
func (c *checker) forwardedWaits(fn *ssa.Function, start ssa.Instruction, g groupID) []ssa.Instruction {
	var out []ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			cell, ok := instr.(*ssa.Alloc)
			if !ok {
				continue
			}
			if recvs, ok := c.receivesAfterWait(cell, start, g); ok {
				out = append(out, recvs...)
			}
		}
	}
	return out
}

// receivesAfterWait returns the receives from the channel variable
// cell in its function when cell is one the function makes for its
// own goroutines (chanvar), none of them started where it could run
// before start, and each closing or sending on it only after a Wait on
// g (the go statement's group, mapped through the bindings) on every
// path; false otherwise.
func (c *checker) receivesAfterWait(cell *ssa.Alloc, start ssa.Instruction, g groupID) ([]ssa.Instruction, bool) {
	v, ok := chanvar.Of(cell)
	if !ok {
		return nil, false
	}
	var recvs []ssa.Instruction
	for _, load := range v.Loads {
		for _, use := range *load.Referrers() {
			switch use := use.(type) {
			case *ssa.UnOp:
				recvs = append(recvs, use)
			case *ssa.Select:
				first, ok := selectRecvCase(use, load)
				if !ok {
					return nil, false
				}
				if first != nil {
					recvs = append(recvs, first)
				}
			}
		}
	}
	for _, mc := range v.Closures {
		for _, ref := range *mc.Referrers() {
			gs := ref.(*ssa.Go) // chanvar: only go statements use it
			if gs == start || runAfter(gs, nil)[start] || !c.signalsOnlyAfterWait(gs, mc, cell, g) {
				return nil, false
			}
		}
	}
	return recvs, true
}

// selectRecvCase returns the first instruction of the case of sel that
// receives from ch, when only that case's edge enters its block (select
// { case <-done: case <-time.After(d): t.Fatal() }, whose timeout case
// does not return): that instruction runs only after the receive. It
// returns nil, true when ch is received from but the block is shared,
// and false when sel sends on ch.
func selectRecvCase(sel *ssa.Select, ch ssa.Value) (ssa.Instruction, bool) {
	var first ssa.Instruction
	for i, st := range sel.States {
		if st.Chan != ch {
			continue
		}
		if st.Dir != types.RecvOnly {
			return nil, false
		}
		if from, to := flow.SelectEdge(sel, i); to != nil && len(to.Preds) == 1 && to.Preds[0] == from && len(to.Instrs) > 0 {
			first = to.Instrs[0]
		}
	}
	return first, true
}

// signalsOnlyAfterWait reports whether the closure that gs starts uses
// its binding of cell only to load the channel and close it or send on
// it, each after a Wait on g, not deferred.
func (c *checker) signalsOnlyAfterWait(gs *ssa.Go, mc *ssa.MakeClosure, cell *ssa.Alloc, g groupID) bool {
	cl := mc.Fn.(*ssa.Function)
	var waits []ssa.Instruction
	for cg, points := range c.waitPointsOf(cl) {
		if c.mapGroup(cg, gs.Common()) != g {
			continue
		}
		for p := range points {
			if _, deferred := p.(*ssa.Defer); !deferred {
				waits = append(waits, p)
			}
		}
	}
	after := func(u ssa.Instruction) bool {
		return slices.ContainsFunc(waits, func(w ssa.Instruction) bool { return flow.Dominates(w, u) })
	}
	for i, b := range mc.Bindings {
		if b != ssa.Value(cell) {
			continue
		}
		for _, ref := range *cl.FreeVars[i].Referrers() {
			load, ok := ref.(*ssa.UnOp)
			if !ok || load.Op != token.MUL {
				return false
			}
			for _, use := range *load.Referrers() {
				switch use := use.(type) {
				case *ssa.Send:
					if use.Chan != load || !after(use) {
						return false
					}
				case *ssa.Call:
					if bi, ok := use.Call.Value.(*ssa.Builtin); !ok || bi.Name() != "close" || !after(use) {
						return false
					}
				default:
					return false
				}
			}
		}
	}
	return true
}

// unwrapped returns fn, or the functions that fn calls when it is a
// wrapper that go/ssa made (a method value's), which has no package.
func unwrapped(fn *ssa.Function) []*ssa.Function {
	if fn.Pkg != nil || fn.Synthetic == "" {
		return []*ssa.Function{fn}
	}
	var out []*ssa.Function
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(ssa.CallInstruction); ok {
				if callee := call.Common().StaticCallee(); callee != nil {
					out = append(out, callee)
				}
			}
		}
	}
	return out
}

// callsBack reports whether fn may run code it does not name: it calls
// a function value, or hands one to another package's function (which
// the package's code cannot follow).
func (c *checker) callsBack(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok || call.Common().IsInvoke() {
				continue
			}
			switch callee := call.Common().Value.(type) {
			case *ssa.Builtin, *ssa.MakeClosure:
			case *ssa.Function:
				if !c.ownFunc(callee) && passesFunc(call.Common()) {
					return true
				}
			default:
				return true
			}
		}
	}
	return false
}

// passesFunc reports whether one of call's arguments is a function.
func passesFunc(call *ssa.CallCommon) bool {
	for _, a := range call.Args {
		if _, ok := a.Type().Underlying().(*types.Signature); ok {
			return true
		}
	}
	return false
}

// mayRunAsValue reports whether fn may be called through a function
// value: a closure, or a function or method the package uses as one.
func (c *checker) mayRunAsValue(fn *ssa.Function) bool {
	if fn.Parent() != nil {
		return true
	}
	c.staticCallers()
	if c.funcValues[fn] {
		return true
	}
	for v := range c.funcValues {
		if v.Object() != nil && v.Object() == fn.Object() {
			return true // a method value
		}
	}
	return false
}

// testLocalOwner returns, for a method of a type declared in a _test.go
// file (or a closure in one), the top-level function whose code alone
// makes the type's values into interface values, itself or as a field
// embedded in another type's values; nil if there is none or several.
// Another test's goroutines call such methods only on that function's
// values: rule 13's view, that a test shows its own concurrency.
func (c *checker) testLocalOwner(fn *ssa.Function) *ssa.Function {
	top := topLevel(fn)
	recv := top.Signature.Recv()
	if recv == nil {
		return nil
	}
	named := memloc.Owner(recv.Type())
	if named == nil || !strings.HasSuffix(c.pass.Fset.Position(named.Pos()).Filename, "_test.go") {
		return nil
	}
	if c.convertedIn == nil {
		c.convertedIn = c.conversionSites()
	}
	return c.convertedIn[named]
}

// conversionSites maps the named types of the package to the one
// top-level function that makes their values (or values that embed
// them) into interface values; nil for a type that several do.
func (c *checker) conversionSites() map[*types.TypeName]*ssa.Function {
	out := make(map[*types.TypeName]*ssa.Function)
	seen := make(map[*types.TypeName]bool)
	var note func(t types.Type, top *ssa.Function, depth int)
	note = func(t types.Type, top *ssa.Function, depth int) {
		named := memloc.Owner(t)
		if named == nil || depth > 4 {
			return
		}
		if !seen[named] {
			seen[named] = true
			out[named] = top
		} else if out[named] != top {
			out[named] = nil
		}
		if st, ok := named.Type().Underlying().(*types.Struct); ok {
			for i := range st.NumFields() {
				if f := st.Field(i); f.Embedded() {
					note(f.Type(), top, depth+1)
				}
			}
		}
	}
	for _, fn := range c.ssa.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mi, ok := instr.(*ssa.MakeInterface); ok {
					note(mi.X.Type(), topLevel(fn), 0)
				}
			}
		}
	}
	return out
}
