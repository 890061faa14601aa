package atomicmix

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
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

// A leftover is a goroutine that a function may leave running when it
// returns.
type leftover struct {
	fn *ssa.Function // what it runs; nil if not known (a function value started)
	// group is the group it is registered with, whose Wait joins it;
	// the zero groupID if none.
	group groupID
}

// A groupID names a WaitGroup or errgroup.Group the way every function
// of the package can: a variable (a package-level one, a local one, or
// a parameter, which a caller maps to its argument), or a field path
// from a value of a type.
type groupID struct {
	root ssa.Value // the variable, or nil
	typ  string    // the type that path starts from
	path string
}

func (g groupID) known() bool { return g.root != nil || g.path != "" }

// An extent is what a function leaves running, and the groups it waits
// on before every return.
type extent struct {
	left  []leftover
	waits map[groupID]bool
}

// unknownExtent is the extent of functions that call one another and
// whose extents did not settle.
var unknownExtent = &extent{left: []leftover{{}}}

// groupWaits are the methods that return once every goroutine of
// their group returned.
var groupWaits = map[string]bool{
	syncapi.WaitGroupWait:                      true,
	"(*golang.org/x/sync/errgroup.Group).Wait": true,
}

// groupSpawners are the spawners that register the goroutine with
// their receiver, whose Wait joins it.
var groupSpawners = map[string]bool{
	"(*sync.WaitGroup).Go":                      true,
	"(*golang.org/x/sync/errgroup.Group).Go":    true,
	"(*golang.org/x/sync/errgroup.Group).TryGo": true,
}

// extentOf returns fn's extent, computed once per function. The
// functions that call one another in a cycle (a strongly connected
// component, found as Tarjan's algorithm does, the calls of extentOf
// being the search) are computed again, from their last extents,
// until none changes; after maxExtentRounds, they leave one goroutine
// that is not known.
func (c *checker) extentOf(fn *ssa.Function) *extent {
	if o := fn.Origin(); o != nil {
		fn = o
	}
	if e, ok := c.extents[fn]; ok {
		return e
	}
	s := &c.scc
	if s.index == nil {
		s.index, s.low, s.onStack, s.partial = make(map[*ssa.Function]int), make(map[*ssa.Function]int), make(map[*ssa.Function]bool), make(map[*ssa.Function]*extent)
		c.extents = make(map[*ssa.Function]*extent)
	}
	if s.onStack[fn] {
		// A call back into the cycle: its extent so far.
		s.cyclic = true
		s.lower(s.index[fn])
		if e := s.partial[fn]; e != nil {
			return e
		}
		return &extent{}
	}
	s.index[fn], s.low[fn] = len(s.index), len(s.index)
	s.stack = append(s.stack, fn)
	s.onStack[fn] = true
	outer := s.cyclic
	s.cyclic = false
	e := c.computeExtent(fn)
	s.partial[fn] = e
	if s.low[fn] == s.index[fn] {
		k := slices.Index(s.stack, fn)
		members := slices.Clone(s.stack[k:])
		s.stack = s.stack[:k]
		if s.cyclic {
			c.settle(members)
		}
		for _, m := range members {
			c.extents[m] = s.partial[m]
			delete(s.onStack, m)
		}
		s.cyclic = false
	}
	s.cyclic = s.cyclic || outer
	s.lower(s.low[fn])
	return s.partial[fn]
}

// maxExtentRounds bounds the rounds over a cycle of functions.
const maxExtentRounds = 4

// settle computes the extents of members, functions that call one
// another, again until none changes.
func (c *checker) settle(members []*ssa.Function) {
	s := &c.scc
	for range maxExtentRounds {
		changed := false
		for _, m := range members {
			delete(c.waits, m) // their waits may have changed too
			e := c.computeExtent(m)
			if !sameExtent(e, s.partial[m]) {
				changed = true
			}
			s.partial[m] = e
		}
		if !changed {
			return
		}
	}
	for _, m := range members {
		s.partial[m] = unknownExtent
	}
}

func sameExtent(a, b *extent) bool {
	if len(a.left) != len(b.left) || len(a.waits) != len(b.waits) {
		return false
	}
	for _, l := range a.left {
		if !slices.Contains(b.left, l) {
			return false
		}
	}
	for g := range a.waits {
		if !b.waits[g] {
			return false
		}
	}
	return true
}

// An sccSearch is the state of the search for cycles of extentOf.
type sccSearch struct {
	index, low map[*ssa.Function]int
	onStack    map[*ssa.Function]bool
	stack      []*ssa.Function
	partial    map[*ssa.Function]*extent // the last extent computed, of functions on the stack
	cyclic     bool                      // a call back into the stack was seen since the top's search began
}

// lower lowers the low link of the function on top of the stack to i.
// While a cycle settles its members are off the stack, which may be
// empty.
func (s *sccSearch) lower(i int) {
	if len(s.stack) == 0 {
		return
	}
	top := s.stack[len(s.stack)-1]
	s.low[top] = min(s.low[top], i)
}

// mayStart reports whether fn may start a goroutine, itself or
// through the functions of the package it calls or makes closures of:
// computed for the whole package at once, from the functions that start
// one up through their callers.
func (c *checker) mayStart(fn *ssa.Function) bool {
	if c.starters == nil {
		c.starters = c.findStarters()
	}
	return c.starters[fn]
}

func (c *checker) findStarters() map[*ssa.Function]bool {
	callers := make(map[*ssa.Function][]*ssa.Function)
	starts := make(map[*ssa.Function]bool)
	var stack []*ssa.Function
	type invoke struct {
		from *ssa.Function
		call *ssa.CallCommon
	}
	var invokes []invoke
	scanned := make(map[*ssa.Function]bool)
	todo := slices.Clone(c.packageFuncs())
	for len(todo) > 0 {
		fn := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if o := fn.Origin(); o != nil {
			fn = o
		}
		if scanned[fn] || !c.ownFunc(fn) {
			continue
		}
		scanned[fn] = true
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.Go:
					starts[fn] = true
				case ssa.CallInstruction:
					common := instr.Common()
					if spawn.IsSpawnerWith(common, nil, c.spawns) {
						starts[fn] = true
					} else if common.IsInvoke() {
						invokes = append(invokes, invoke{fn, common})
					} else if callee := common.StaticCallee(); callee != nil {
						if c.ownFunc(callee) {
							callers[callee] = append(callers[callee], fn)
							todo = append(todo, callee)
						} else if c.importedLeaves(callee) {
							starts[fn] = true
						}
					}
				case *ssa.MakeClosure:
					cl := instr.Fn.(*ssa.Function)
					callers[cl] = append(callers[cl], fn)
					todo = append(todo, cl)
				}
			}
		}
		if starts[fn] {
			stack = append(stack, fn)
		}
	}
	if len(stack) == 0 {
		return starts // nothing starts a goroutine: no need to resolve the interface calls
	}
	for _, inv := range invokes {
		for _, m := range c.implementations(inv.call) {
			if o := m.Origin(); o != nil {
				m = o
			}
			callers[m] = append(callers[m], inv.from)
		}
	}
	for len(stack) > 0 {
		fn := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, caller := range callers[fn] {
			if !starts[caller] {
				starts[caller] = true
				stack = append(stack, caller)
			}
		}
	}
	return starts
}

// importedLeaves reports whether callee, another package's function,
// has a LeavesFact. The testing package's are left out: t.Run and
// b.Run return after their subtest, or let a parallel one go on only
// once the caller's test returns (as rule 8 has it).
func (c *checker) importedLeaves(callee *ssa.Function) bool {
	obj, ok := callee.Object().(*types.Func)
	return ok && obj.Pkg() != c.pass.Pkg && obj.Pkg().Path() != "testing" && c.pass.ImportObjectFact(obj, new(LeavesFact))
}

// handedCode returns what of the package's code a call of callee,
// another package's function that leaves goroutines running, may run
// in them, when it is passed code that cannot be named (a function
// value from elsewhere, or a value that holds one: lib.Start(
// lib.Events{Opened: f})): callee itself, as a goroutine that runs
// another package's code. A closure or function passed to it is taken
// to run during the call, as for the package's own functions (rule 13
// takes a pool's Submit so), unless callee's SpawnsFact says it starts
// it (spawn.Lookup, a site of eventsOf). The receiver of a method is
// left out: the code it holds was set when it was built.
func (c *checker) handedCode(call *ssa.CallCommon, callee *ssa.Function) []leftover {
	args := call.Args
	if callee.Signature.Recv() != nil && len(args) > 0 {
		args = args[1:]
	}
	for _, a := range args {
		switch a.(type) {
		case *ssa.MakeClosure, *ssa.Function:
		default:
			if holdsCode(a.Type(), 0) {
				return []leftover{{fn: callee}}
			}
		}
	}
	return nil
}

// An event is a place in a function from which goroutines may run:
// a start, or a call whose callee leaves some running.
type event struct {
	at   ssa.Instruction
	left []leftover
	// late: they may also start after the function returns (a deferred
	// call, or a closure stored away), so no wait of it joins them.
	late bool
	// closure: the closure or method value made here whose leftovers
	// these are, or nil.
	closure *ssa.Function
}

func (c *checker) computeExtent(fn *ssa.Function) *extent {
	e := &extent{waits: c.mustWait(fn)}
	if !c.mayStart(fn) {
		return e
	}
	seen := make(map[leftover]bool)
	for _, ev := range c.eventsOf(fn) {
		for _, l := range ev.left {
			if !seen[l] && (ev.late || !c.joinedAt(fn, ev.at, l.group)) {
				seen[l] = true
				e.left = append(e.left, l)
			}
		}
	}
	return e
}

// eventsOf returns the places in fn from which goroutines may run.
func (c *checker) eventsOf(fn *ssa.Function) []event {
	sites := make(map[ssa.Instruction]spawn.Site)
	for _, s := range spawn.SitesWith(fn, nil, c.spawns) {
		sites[s.Instr] = s
	}
	var out []event
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Go:
				out = append(out, event{at: instr, left: c.goLeftovers(instr)})
			case ssa.CallInstruction:
				_, deferred := instr.(*ssa.Defer)
				if s, ok := sites[instr]; ok {
					l := leftover{fn: s.Fn}
					if s.Group != nil {
						l.group = c.groupOf(s.Group)
					}
					out = append(out, event{at: instr, left: append([]leftover{l}, c.extentOf(s.Fn).left...), late: deferred})
					continue
				}
				if spawn.IsSpawnerWith(instr.Common(), nil, c.spawns) {
					// A function value started: known only by its group.
					l := leftover{}
					if callee := syncapi.Callee(instr.Common()); callee != nil && groupSpawners[callee.FullName()] {
						l.group = c.groupOf(instr.Common().Args[0])
					}
					out = append(out, event{at: instr, left: []leftover{l}, late: deferred})
					continue
				}
				if left := c.calleeLeftovers(instr); len(left) > 0 {
					out = append(out, event{at: instr, left: left, late: deferred})
				}
			case *ssa.MakeClosure:
				if onlyCalled(instr) {
					continue // its calls are events
				}
				cl := instr.Fn.(*ssa.Function)
				if left := c.extentOf(cl).left; len(left) > 0 {
					for _, ref := range *instr.Referrers() {
						call, ok := ref.(ssa.CallInstruction)
						if !ok || !closureIsArg(call.Common(), instr) {
							// Stored, returned or converted: it may run at any time.
							out = append(out, event{at: instr, left: left, late: true, closure: cl})
							break
						}
						_, deferred := call.(*ssa.Defer)
						out = append(out, event{at: call, left: left, late: deferred, closure: cl})
					}
				}
			}
		}
	}
	return out
}

// goLeftovers returns what the go statement g leaves running: the
// goroutine, and what it leaves running itself.
func (c *checker) goLeftovers(g *ssa.Go) []leftover {
	if g.Call.IsInvoke() {
		// go h.OnTick(): any of the package's methods it may reach, or
		// another package's.
		out := []leftover{{fn: nil}}
		if impls := c.implementations(&g.Call); len(impls) > 0 {
			out = nil
			for _, fn := range impls {
				out = append(out, leftover{fn: fn})
				out = append(out, c.extentOf(fn).left...)
			}
		}
		return out
	}
	callee := g.Call.StaticCallee()
	if callee == nil {
		return []leftover{{}}
	}
	if !c.ownFunc(callee) {
		return []leftover{{fn: callee}} // go atomic.AddInt64(&n, 1), go srv.Serve(l)
	}
	l := leftover{fn: callee, group: c.deferredDoneGroup(callee, g.Common())}
	return append([]leftover{l}, c.extentOf(callee).left...)
}

// calleeLeftovers returns what a call of a function of the package
// leaves running: of its static callee, or of the package's methods
// that an interface call may reach.
func (c *checker) calleeLeftovers(call ssa.CallInstruction) []leftover {
	common := call.Common()
	if common.IsInvoke() {
		var out []leftover
		for _, fn := range c.implementations(common) {
			out = append(out, c.extentOf(fn).left...)
		}
		return out
	}
	callee := common.StaticCallee()
	if callee == nil {
		return nil // a function value
	}
	if !c.ownFunc(callee) {
		if c.importedLeaves(callee) {
			return c.handedCode(common, callee)
		}
		return nil
	}
	left := c.extentOf(callee).left
	out := make([]leftover, len(left))
	for i, l := range left {
		out[i] = leftover{fn: l.fn, group: c.mapGroup(l.group, common)}
	}
	return out
}

// ownFunc reports whether fn is a function of the package with a
// body, or a wrapper that go/ssa made for one (a method value's).
func (c *checker) ownFunc(fn *ssa.Function) bool {
	if o := fn.Origin(); o != nil {
		fn = o
	}
	return len(fn.Blocks) > 0 && (fn.Pkg == c.ssa.Pkg || fn.Pkg == nil && fn.Synthetic != "")
}

// mapGroup maps a group of a callee that is one of its parameters to
// the call's argument.
func (c *checker) mapGroup(g groupID, call *ssa.CallCommon) groupID {
	if fv, ok := g.root.(*ssa.FreeVar); ok {
		// go func() { defer wg.Done() }(): the closure's wg is the
		// variable the go statement's closure binds.
		if mc, ok := call.Value.(*ssa.MakeClosure); ok {
			if i := slices.Index(mc.Fn.(*ssa.Function).FreeVars, fv); i >= 0 && i < len(mc.Bindings) {
				return c.groupOf(mc.Bindings[i])
			}
		}
		return g
	}
	p, ok := g.root.(*ssa.Parameter)
	if !ok {
		return g
	}
	if idx := paramIndex(p); idx >= 0 && idx < len(call.Args) {
		return c.groupOf(call.Args[idx])
	}
	return groupID{}
}

func paramIndex(p *ssa.Parameter) int {
	for i, q := range p.Parent().Params {
		if q == p {
			return i
		}
	}
	return -1
}

// implementations returns the package's methods that the interface
// call may reach, memoized by interface method and type.
func (c *checker) implementations(call *ssa.CallCommon) []*ssa.Function {
	key := implKey{call.Method, call.Value.Type().String()}
	if fns, ok := c.impls[key]; ok {
		return fns
	}
	if c.impls == nil {
		c.impls = make(map[implKey][]*ssa.Function)
	}
	fns := (&testScope{pkg: c.ssa.Pkg}).implementations(call)
	c.impls[key] = fns
	return fns
}

type implKey struct {
	method *types.Func
	iface  string
}

// groupOf names the group v points to. A local variable that holds a
// pointer is looked through (s := &server{}, captured by a closure).
func (c *checker) groupOf(v ssa.Value) groupID {
	k := c.locks.KeyOf(v)
	if k.Path == "" {
		return groupID{root: k.Root}
	}
	t, path := k.Root.Type(), k.Path
	if _, ok := k.Root.(*ssa.Alloc); ok && strings.HasPrefix(path, "*") {
		t, path = t.Underlying().(*types.Pointer).Elem(), path[1:]
	}
	if path == "" {
		return groupID{root: k.Root}
	}
	return groupID{typ: t.String(), path: path}
}

// deferredDoneGroup returns the group whose Done fn, started by the go
// statement call, defers before every return (directly, or in a
// deferred closure that calls it before each of its returns), or the
// zero groupID.
func (c *checker) deferredDoneGroup(fn *ssa.Function, call *ssa.CallCommon) groupID {
	rets := returnsOf(fn)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			d, ok := instr.(*ssa.Defer)
			if !ok || !dominatesAll(d, rets) {
				continue
			}
			var done ssa.CallInstruction
			if isGroupCall(d.Common(), syncapi.WaitGroupDone) {
				done = d
			} else if mc, ok := d.Call.Value.(*ssa.MakeClosure); ok && len(d.Call.Args) == 0 {
				inner := mc.Fn.(*ssa.Function)
				for _, x := range groupCalls(inner, syncapi.WaitGroupDone) {
					if _, direct := x.(*ssa.Call); direct && dominatesAll(x, returnsOf(inner)) {
						done = x
					}
				}
			}
			if done == nil {
				continue
			}
			return c.mapGroup(c.groupOf(done.Common().Args[0]), call)
		}
	}
	return groupID{}
}

func isGroupCall(call *ssa.CallCommon, method string) bool {
	if call.IsInvoke() || len(call.Args) == 0 {
		return false
	}
	callee := syncapi.Callee(call)
	return callee != nil && callee.FullName() == method
}

// returnsOf returns fn's returns, but for the one of its recover
// block, which a panic reaches.
func returnsOf(fn *ssa.Function) []ssa.Instruction {
	var out []ssa.Instruction
	for _, b := range fn.Blocks {
		if b == fn.Recover {
			continue
		}
		if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			out = append(out, r)
		}
	}
	return out
}

func dominatesAll(a ssa.Instruction, bs []ssa.Instruction) bool {
	for _, b := range bs {
		if !flow.Dominates(a, b) {
			return false
		}
	}
	return true
}

// waitPoints returns, by group, fn's instructions after which a return
// waits on the group: a Wait call, a call of a function that waits on
// it before every return, or such a call deferred.
func (c *checker) waitPoints(fn *ssa.Function) map[groupID]map[ssa.Instruction]bool {
	out := make(map[groupID]map[ssa.Instruction]bool)
	add := func(g groupID, instr ssa.Instruction) {
		if !g.known() {
			return
		}
		if out[g] == nil {
			out[g] = make(map[ssa.Instruction]bool)
		}
		out[g][instr] = true
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok || call.Common().IsInvoke() {
				continue
			}
			if _, isGo := instr.(*ssa.Go); isGo {
				continue
			}
			common := call.Common()
			if callee := syncapi.Callee(common); callee != nil && groupWaits[callee.FullName()] && len(common.Args) > 0 {
				add(c.groupOf(common.Args[0]), instr)
				continue
			}
			callee := common.StaticCallee()
			if callee == nil || !c.ownFunc(callee) {
				continue
			}
			for g := range c.extentOf(callee).waits {
				add(c.mapGroup(g, common), instr)
			}
		}
	}
	return out
}

// waitPointsOf returns waitPoints(fn), computed once per function.
func (c *checker) waitPointsOf(fn *ssa.Function) map[groupID]map[ssa.Instruction]bool {
	if points, ok := c.waits[fn]; ok {
		return points
	}
	if c.waits == nil {
		c.waits = make(map[*ssa.Function]map[groupID]map[ssa.Instruction]bool)
	}
	points := c.waitPoints(fn)
	c.waits[fn] = points
	return points
}

// mustWait returns the groups that fn waits on before every return
// that is not an error return.
func (c *checker) mustWait(fn *ssa.Function) map[groupID]bool {
	out := make(map[groupID]bool)
	if len(fn.Blocks) == 0 {
		return out
	}
	for g, stop := range c.waitPointsOf(fn) {
		if !c.returnsWithout(runFromEntry(fn, stop)) {
			out[g] = true
		}
	}
	return out
}

// joinedAt reports whether a goroutine of group g that may run from
// at on has returned when fn returns without an error: a wait on g
// deferred before at, or one on every path from at to a return.
func (c *checker) joinedAt(fn *ssa.Function, at ssa.Instruction, g groupID) bool {
	if !g.known() {
		return false
	}
	stop := c.waitPointsOf(fn)[g]
	if len(stop) == 0 {
		return false
	}
	for p := range stop {
		if _, deferred := p.(*ssa.Defer); deferred && flow.Dominates(p, at) {
			return true
		}
	}
	return !c.returnsWithout(runAfter(at, stop))
}

// returnsWithout reports whether live, the instructions that may run
// before a wait, hold a return that is not an error return.
func (c *checker) returnsWithout(live map[ssa.Instruction]bool) bool {
	for instr := range live {
		if r, ok := instr.(*ssa.Return); ok && !errorReturn(r) {
			return true
		}
	}
	return false
}

// errorReturn reports whether r returns, as its last result, an error
// that the branch r is in tested to be non-nil: if err != nil { return
// err }.
func errorReturn(r *ssa.Return) bool {
	if len(r.Results) == 0 {
		return false
	}
	v := r.Results[len(r.Results)-1]
	if !types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	// A function with deferred calls stores its results in slots that
	// it loads after running them.
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if slot, ok := u.X.(*ssa.Alloc); ok {
			instrs := r.Block().Instrs
			for i := len(instrs) - 1; i >= 0; i-- {
				if st, ok := instrs[i].(*ssa.Store); ok && st.Addr == slot {
					v = st.Val
					break
				}
			}
		}
	}
	b := r.Block()
	for i := 0; b != nil && i < 8; i++ {
		idom := b.Idom()
		if idom == nil {
			return false
		}
		if iff, ok := idom.Instrs[len(idom.Instrs)-1].(*ssa.If); ok {
			if cmp, ok := iff.Cond.(*ssa.BinOp); ok && isNilTest(cmp, v) {
				succ := idom.Succs[0]
				if cmp.Op == token.EQL {
					succ = idom.Succs[1]
				}
				if succ.Dominates(r.Block()) {
					return true
				}
			}
		}
		b = idom
	}
	return false
}

// isNilTest reports whether cmp compares v with nil.
func isNilTest(cmp *ssa.BinOp, v ssa.Value) bool {
	if cmp.Op != token.NEQ && cmp.Op != token.EQL {
		return false
	}
	isNil := func(x ssa.Value) bool {
		k, ok := x.(*ssa.Const)
		return ok && k.IsNil()
	}
	return cmp.X == v && isNil(cmp.Y) || cmp.Y == v && isNil(cmp.X)
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
			if !ok || !isChanCell(cell) {
				continue
			}
			if recvs, ok := c.receivesAfterWait(cell, start, g); ok {
				out = append(out, recvs...)
			}
		}
	}
	return out
}

// isChanCell reports whether a is a local variable of channel type.
func isChanCell(a *ssa.Alloc) bool {
	_, ok := a.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Chan)
	return ok
}

// receivesAfterWait returns the receives from the channel variable
// cell in its function when its one store is of a channel made there,
// its loads are only received from, and the only other uses are the
// bindings of closures that go statements start, none of which can run
// before start, and which only close or send on it after a Wait on g
// (the go statement's group, mapped through the bindings) on every
// path; false otherwise.
func (c *checker) receivesAfterWait(cell *ssa.Alloc, start ssa.Instruction, g groupID) ([]ssa.Instruction, bool) {
	var recvs []ssa.Instruction
	stores, signalers := 0, 0
	for _, ref := range *cell.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if _, made := ref.Val.(*ssa.MakeChan); !made || ref.Addr != cell {
				return nil, false
			}
			stores++
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				return nil, false
			}
			for _, use := range *ref.Referrers() {
				switch use := use.(type) {
				case *ssa.UnOp:
					if use.Op != token.ARROW {
						return nil, false
					}
					recvs = append(recvs, use)
				case *ssa.Select:
					first, ok := selectRecvCase(use, ref)
					if !ok {
						return nil, false
					}
					if first != nil {
						recvs = append(recvs, first)
					}
				default:
					return nil, false
				}
			}
		case *ssa.MakeClosure:
			refs := *ref.Referrers()
			if len(refs) != 1 {
				return nil, false
			}
			gs, ok := refs[0].(*ssa.Go)
			if !ok || gs.Call.Value != ref || gs == start || runAfter(gs, nil)[start] || !c.signalsOnlyAfterWait(gs, ref, cell, g) {
				return nil, false
			}
			signalers++
		default:
			return nil, false
		}
	}
	return recvs, stores == 1 && signalers > 0
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
