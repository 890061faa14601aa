package lockchan

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file follows the callbacks a package supplies to code that runs
// them in the goroutine that would unblock a wait (model rule 4). Two
// cases:
//
//   - In one package, a call through a function-typed parameter (or a
//     free variable bound to one) calls the functions the package passes
//     for that parameter. It takes a lock when every one of them does;
//     lockNeeds follows such calls like static ones.
//   - Across packages, the package that runs the callback cannot see
//     it. Its BlocksFact says instead which of its exported functions'
//     parameters the goroutine that unblocks the operation calls first
//     (watch.Monitor's fn, for W.Close's wait on done); the package that
//     calls Monitor and then Close judges whether the function it passed
//     takes the lock it holds.

// funcParam returns the parameter that v, the function value a call
// calls, comes from: a parameter, or a free variable bound to one, or
// a variable assigned once from one (a parameter that a closure
// captures lives in such a variable); nil if it is anything else.
func (x *chanIndex) funcParam(v ssa.Value) *ssa.Parameter {
	for range maxChanDepth {
		switch w := unconvert(v).(type) {
		case *ssa.Parameter:
			return w
		case *ssa.FreeVar:
			v = x.bindings(w)
		case *ssa.UnOp:
			if w.Op != token.MUL {
				return nil
			}
			v = w.X
		case *ssa.Alloc:
			v = assignedOnce(w)
		default:
			return nil
		}
		if v == nil {
			return nil
		}
	}
	return nil
}

// fromOutside reports whether v, a function value that a call calls,
// comes from outside the package: a parameter for which the package's
// callers do not all pass its own functions (a callback of an exported
// function), or a function-typed field that is exported or that the
// package sets from a parameter (a handler set with c.OnError(fn)),
// followed through free variables and variables assigned once. A
// function received from a channel or kept in a container is not
// claimed to be: the package's own closures travel that way too
// (prometheus's WL.run calls the functions sent on w.actorc).
func (x *chanIndex) fromOutside(v ssa.Value) bool {
	return x.outside(v, 0)
}

// outside is fromOutside to a depth. A variable or φ-node is from
// outside if one of the values it may hold is (var h Handler; if set
// { h = c.onError }, centrifuge-go's handleError).
func (x *chanIndex) outside(v ssa.Value, depth int) bool {
	if depth > maxChanDepth || v == nil {
		return false
	}
	if f := callbackFunc(v); f != nil {
		return !x.ownFunc(f)
	}
	switch w := unconvert(v).(type) {
	case *ssa.Parameter:
		return true
	case *ssa.FreeVar:
		return x.outside(x.bindings(w), depth+1)
	case *ssa.UnOp:
		if w.Op != token.MUL {
			return false
		}
		if field := syncapi.FieldOf(w.X); field != nil {
			return field.Exported() || x.paramStored[field]
		}
		return x.outside(w.X, depth+1)
	case *ssa.Phi:
		for _, e := range w.Edges {
			if x.outside(e, depth+1) {
				return true
			}
		}
	case *ssa.Alloc:
		for _, r := range *w.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == ssa.Value(w) && x.outside(st.Val, depth+1) {
				return true
			}
		}
	}
	return false
}

// isFunc reports whether t is a function type.
func isFunc(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

// callbackParam returns the parameter of an exported function through
// which the package receives the function that p holds: p itself if
// its function is exported, else the one whose value every call of p's
// function passes for p (go w.loop(fn) in Monitor(fn)); nil if there
// is none.
func (x *chanIndex) callbackParam(p *ssa.Parameter, depth int) *ssa.Parameter {
	if r, ok := x.cbParamMemo[p]; ok {
		return r
	}
	x.cbParamMemo[p] = nil // a cycle through p finds nothing
	r := x.findCallbackParam(p, depth)
	x.cbParamMemo[p] = r
	return r
}

// findCallbackParam is callbackParam without the memo. A result found
// at the depth limit is remembered for shallower walks too: that can
// only lose a callback, never invent one.
func (x *chanIndex) findCallbackParam(p *ssa.Parameter, depth int) *ssa.Parameter {
	fn := p.Parent()
	if x.exportedFunc(fn) && fn.Object() != nil {
		return p
	}
	sites := x.callers[fn]
	if depth > maxContainDepth || x.addrTaken[fn] || len(sites) == 0 {
		return nil
	}
	i := paramIndex(p)
	var root *ssa.Parameter
	for _, site := range sites {
		args := site.Common().Args
		if i < 0 || i >= len(args) {
			return nil
		}
		q := x.funcParam(args[i])
		if q == nil {
			return nil
		}
		r := x.callbackParam(q, depth+1)
		if r == nil || root != nil && r != root {
			return nil
		}
		root = r
	}
	return root
}

// funcsPassedTo appends to out the functions the package passes for the
// function-typed parameter p at the call sites of its function,
// followed through parameters of the package's functions. It reports
// false if some value passed is not such a function (one the package
// does not see) or p's function has no call site in the package.
func (x *chanIndex) funcsPassedTo(p *ssa.Parameter, depth int, out *[]*ssa.Function) bool {
	r, ok := x.passedMemo[p]
	if !ok {
		x.passedMemo[p] = passedFuncs{} // a cycle through p finds nothing
		r = x.findFuncsPassedTo(p, depth)
		x.passedMemo[p] = r
	}
	*out = append(*out, r.fns...)
	return r.complete
}

// passedFuncs is a memo of funcsPassedTo.
type passedFuncs struct {
	fns      []*ssa.Function
	complete bool
}

// findFuncsPassedTo is funcsPassedTo without the memo (see
// findCallbackParam on depth).
func (x *chanIndex) findFuncsPassedTo(p *ssa.Parameter, depth int) passedFuncs {
	fn := p.Parent()
	sites := x.callers[fn]
	if depth > maxContainDepth || x.addrTaken[fn] || len(sites) == 0 {
		return passedFuncs{}
	}
	i := paramIndex(p)
	var out []*ssa.Function
	for _, site := range sites {
		args := site.Common().Args
		if i < 0 || i >= len(args) {
			return passedFuncs{}
		}
		if f := callbackFunc(args[i]); f != nil {
			out = append(out, f)
			continue
		}
		q := x.funcParam(args[i])
		if q == nil || !x.funcsPassedTo(q, depth+1, &out) {
			return passedFuncs{}
		}
	}
	return passedFuncs{fns: out, complete: true}
}

// callbackFunc returns the function that v, a function value passed as
// an argument, calls: a declared function, a function literal, or the
// method of a method value (d.onEvent); nil for anything else.
func callbackFunc(v ssa.Value) *ssa.Function {
	if f := storedFunc(v); f != nil {
		return f
	}
	mc, ok := unconvert(v).(*ssa.MakeClosure)
	if !ok {
		return nil
	}
	wrapper := mc.Fn.(*ssa.Function)
	obj, ok := wrapper.Object().(*types.Func)
	if !ok || !strings.HasPrefix(wrapper.Synthetic, "bound method wrapper") {
		return nil
	}
	if recv := obj.Type().(*types.Signature).Recv(); recv == nil || types.IsInterface(recv.Type()) {
		return nil
	}
	return wrapper.Prog.FuncValue(obj)
}

// indexCallbackCalls finds the calls through function-typed parameters:
// those that run a callback of an exported function's parameter are
// recorded as acquisitions of that parameter's class (so that needs
// can tell whether a goroutine runs it before an operation), and those
// whose callees the package knows as call sites of the callees (so that
// their locks reach the caller). It returns the functions that changed.
func (n *lockNeeds) indexCallbackCalls() []*ssa.Function {
	var changed []*ssa.Function
	seen := make(map[*ssa.Parameter]bool)
	for _, ci := range n.chans.calls {
		site, ok := callInstr(ci)
		if !ok || ci.Common().IsInvoke() || ci.Common().StaticCallee() != nil {
			continue
		}
		p := n.chans.funcParam(ci.Common().Value)
		if p == nil {
			continue
		}
		if root := n.chans.callbackParam(p, 0); root != nil {
			if !seen[root] {
				seen[root] = true
				n.callbackParams = append(n.callbackParams, root)
			}
			if n.add(site.Parent(), lockClass{root: root}, acquisition{instr: site, exclusive: true}) {
				changed = append(changed, site.Parent())
			}
		}
		var fns []*ssa.Function
		if n.chans.funcsPassedTo(p, 0, &fns) {
			n.paramCallees[site] = fns
			for _, f := range fns {
				n.paramCallers[f] = append(n.paramCallers[f], site)
			}
		}
	}
	return append(changed, n.indexOpaqueCalls()...)
}

// opaqueCalls is the class of the calls of function values that come
// from outside the package (fromOutside): a goroutine that makes one
// before an operation runs code from outside the package first (a
// stall's message says so).
var opaqueCalls = lockClass{path: "(a function from outside the package)"}

// indexOpaqueCalls records the calls through function values that come
// from outside the package (not a function-typed field it stores its
// functions in, not a parameter it passes its own functions for, see
// fromOutside) as acquisitions of opaqueCalls. It returns the
// functions that changed.
func (n *lockNeeds) indexOpaqueCalls() []*ssa.Function {
	var changed []*ssa.Function
	for _, ci := range n.chans.calls {
		site, ok := callInstr(ci)
		call := ci.Common()
		if !ok || call.IsInvoke() || call.StaticCallee() != nil || n.paramCallees[site] != nil {
			continue
		}
		if _, builtin := call.Value.(*ssa.Builtin); builtin || isCancelFunc(call.Value.Type()) || len(n.chans.callees(call)) > 0 || !n.chans.fromOutside(call.Value) {
			continue
		}
		if n.add(site.Parent(), opaqueCalls, acquisition{instr: site, exclusive: true}) {
			changed = append(changed, site.Parent())
		}
	}
	return changed
}

// throughParam returns the acquisition of cls at site, a call through a
// parameter, if every function it may call takes cls: exclusive if they
// all take it exclusively, as deep as the deepest of them.
func (n *lockNeeds) throughParam(site ssa.Instruction, cls lockClass) (acquisition, bool) {
	a := acquisition{instr: site, exclusive: true}
	for _, f := range n.paramCallees[site] {
		acqs := n.acquires[f][cls]
		if len(acqs) == 0 {
			return acquisition{}, false
		}
		depth, exclusive := maxDepth+1, false
		for _, b := range acqs {
			depth = min(depth, b.depth)
			exclusive = exclusive || b.exclusive
		}
		a.depth = max(a.depth, depth+1)
		a.exclusive = a.exclusive && exclusive
	}
	return a, a.depth <= maxDepth
}

// takes returns where fn may take cls (for writing, if heldShared).
func (n *lockNeeds) takes(fn *ssa.Function, cls lockClass, heldShared bool) (token.Pos, bool) {
	for _, a := range n.acquires[fn][cls] {
		if a.exclusive || !heldShared {
			return a.instr.Pos(), true
		}
	}
	return token.NoPos, false
}

// unblockers returns, for a BlocksFact, the operations that can unblock
// op and the callbacks each one's goroutine runs before it; nil unless
// they are all known, op's channel is not buffered, and each runs one.
func (c *checker) unblockers(op syncapi.BlockingOp) []Unblocker {
	if len(c.needs.callbackParams) == 0 || op.Instr == nil {
		return nil
	}
	sites, open, buffered := c.counterparts(op)
	if open || buffered || len(sites) == 0 {
		return nil
	}
	var out []Unblocker
	for _, s := range sites {
		var runs []Callback
		for _, p := range c.needs.callbackParams {
			if _, ok := c.needs.needs(s.instr, lockClass{root: p}, false); ok {
				runs = append(runs, Callback{Func: fullName(p.Parent()), Param: paramIndex(p) + 1})
			}
		}
		if len(runs) == 0 {
			return nil
		}
		sort.Slice(runs, func(i, j int) bool {
			if runs[i].Func != runs[j].Func {
				return runs[i].Func < runs[j].Func
			}
			return runs[i].Param < runs[j].Param
		})
		out = append(out, Unblocker{Posn: report.Where(c.pass.Pkg.Path(), c.pass.Fset.Position(s.pos)), Runs: runs})
	}
	return out
}

// fullName names fn as types.Func.FullName does; callbacks are matched
// across packages by it.
func fullName(fn *ssa.Function) string {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	if obj, ok := fn.Object().(*types.Func); ok {
		return obj.FullName()
	}
	return fn.String()
}

// A callbackNeed is a callback the package passed to another package
// that runs it before an operation that can unblock a wait, and where
// it takes the held lock.
type callbackNeed struct {
	fn        *ssa.Function
	lockAt    token.Pos
	passedAt  token.Pos
	registrar string // the function it was passed to, as the call names it
}

// judgeCallbacks decides the tier of a call, blocking while held is
// held, through b: an operation in another package whose unblocking
// operations run callbacks (b.unblockers). It is a deadlock if, for
// some held lock, each unblocking operation runs a callback that the
// package passed for the value the call waits on, and every function
// the package passed there takes the lock.
func (c *checker) judgeCallbacks(b *blocker, held lockset.Set) verdict {
	side := sideOf(opKinds[b.op])
	tie := receiverTie(b.via)
	if tie == nil {
		return verdict{why: "its " + side + "s run callbacks, but which ones is not known for this value", side: side}
	}
	for _, l := range held {
		cls := classOfHeld(l)
		if !cls.known() {
			continue
		}
		var needs []callbackNeed
		for _, u := range b.unblockers {
			n, ok := c.callbackNeeds(u, tie, cls, l.Shared)
			if !ok {
				needs = nil
				break
			}
			needs = append(needs, n)
		}
		if needs != nil {
			return verdict{deadlock: true, lock: l, callbacks: needs, side: side}
		}
	}
	return verdict{why: "its " + side + "s run callbacks that do not all take " + c.lockNames(held), side: side}
}

// callbackNeeds reports whether the goroutine of u runs a callback that
// needs cls: one of u's callbacks that the package passes for the value
// tie, and where it takes cls. Every function passed for it there must
// take cls.
func (c *checker) callbackNeeds(u Unblocker, tie any, cls lockClass, heldShared bool) (callbackNeed, bool) {
next:
	for _, cb := range u.Runs {
		var need callbackNeed
		found := false
		for _, reg := range c.registrations(cb.Func) {
			if !hasTie(reg, tie) {
				continue
			}
			args := reg.Common().Args
			if cb.Param < 1 || cb.Param > len(args) {
				continue next
			}
			fn := callbackFunc(args[cb.Param-1])
			if fn == nil {
				continue next
			}
			pos, ok := c.needs.takes(fn, cls, heldShared)
			if !ok {
				continue next
			}
			if !found {
				need = callbackNeed{fn: fn, lockAt: pos, passedAt: reg.Pos(), registrar: c.calleeCode(reg.Common())}
				found = true
			}
		}
		if found {
			return need, true
		}
	}
	return callbackNeed{}, false
}

// registrations returns the package's calls of the function of another
// package named full (types.Func.FullName).
func (c *checker) registrations(full string) []ssa.CallInstruction {
	if c.regs == nil {
		c.regs = make(map[string][]ssa.CallInstruction)
		for _, call := range c.chans.calls {
			if callee := staticCallee(call.Common()); callee != nil && !c.chans.ownFunc(callee) {
				if obj, ok := callee.Object().(*types.Func); ok {
					c.regs[obj.FullName()] = append(c.regs[obj.FullName()], call)
				}
			}
		}
	}
	return c.regs[full]
}

// A tie is what identifies, in the caller's package, the value whose
// goroutine runs a callback: the struct field it is kept in (every
// value of the type, as locks are compared), or the call that returned
// it. receiverTie returns the tie of the receiver of call, a method
// call; nil if it has none.
func receiverTie(call *ssa.CallCommon) any {
	if call == nil || !isMethodCall(call) || len(call.Args) == 0 {
		return nil
	}
	return tieOf(call.Args[0])
}

// isMethodCall reports whether call statically calls a method (whose
// receiver is its first argument).
func isMethodCall(call *ssa.CallCommon) bool {
	fn := call.StaticCallee()
	return fn != nil && fn.Signature.Recv() != nil
}

func tieOf(v ssa.Value) any {
	v = unconvert(v)
	if f := syncapi.LoadedField(v); f != nil {
		return f
	}
	if f := syncapi.FieldOf(v); f != nil {
		return f // &d.s, a struct value's pointer method
	}
	if call, ok := v.(*ssa.Call); ok {
		return call
	}
	return nil
}

// hasTie reports whether reg, a call that hands another package a
// callback, is tied to tie: its receiver is, or its result is, or it
// stores its result in the field tie.
func hasTie(reg ssa.CallInstruction, tie any) bool {
	if isMethodCall(reg.Common()) && len(reg.Common().Args) > 0 && tieOf(reg.Common().Args[0]) == tie {
		return true
	}
	call, ok := reg.(*ssa.Call)
	if !ok {
		return false
	}
	if any(call) == tie {
		return true
	}
	for _, r := range *call.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Val == ssa.Value(call) {
			if f := syncapi.FieldOf(st.Addr); f != nil && any(f) == tie {
				return true
			}
		}
	}
	return false
}

// callbackMessage says who the callbacks of a deadlock are.
func (c *checker) callbackMessage(v verdict, lock string) string {
	n := v.callbacks[0]
	if len(v.callbacks) == 1 {
		return fmt.Sprintf("its only %s runs %s passed to %s, which takes %s first", v.side, callbackName(c.pass.Pkg, n.fn), n.registrar, lock)
	}
	return fmt.Sprintf("every %s runs a callback passed to %s that takes %s first", v.side, n.registrar, lock)
}

// callbackName names a callback for a message: `(*D).onEvent`, or the
// function literal in newD.
func callbackName(pkg *types.Package, fn *ssa.Function) string {
	if fn.Parent() != nil {
		return "the " + funcName(pkg, fn)
	}
	return report.Code(funcName(pkg, fn))
}
