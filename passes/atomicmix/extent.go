package atomicmix

import (
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 19's summaries: what goroutines a function of the package may
// leave running when it returns (its extent), computed once per
// function from its callees', cycles settled by rounds.

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
