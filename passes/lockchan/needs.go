package lockchan

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file answers: does the goroutine that would unblock a channel
// operation need the lock that is held? Locks are compared across
// functions by class: the struct field that holds the mutex (every
// value of the type), or the package variable or captured local it is.

// A lockClass names a mutex across functions.
type lockClass struct {
	field *types.Var // the struct field holding the mutex, or nil
	root  ssa.Value  // else the package variable or local variable it is reached from
	path  string     // selectors below root
}

// known reports whether the class names a mutex other functions can name too.
func (l lockClass) known() bool { return l.field != nil || l.root != nil }

// classOfHeld returns the class of a held lock.
func classOfHeld(l lockset.Lock) lockClass {
	return classOf(l.Field, l.Key)
}

func classOf(field *types.Var, key lockset.Key) lockClass {
	if field != nil {
		return lockClass{field: field}
	}
	switch key.Root.(type) {
	case *ssa.Global, *ssa.Alloc:
		return lockClass{root: key.Root, path: key.Path}
	}
	return lockClass{}
}

// An acquisition is where a function may take a lock: the Lock call,
// or the call of a function that may take it.
type acquisition struct {
	instr     ssa.Instruction
	exclusive bool // Lock, not RLock
	depth     int  // calls from the function to the Lock call
}

// lockNeeds knows which locks each function of the package may take.
type lockNeeds struct {
	locks *lockset.Result
	chans *chanIndex
	// acquires maps a function to the classes it may take directly
	// or through static calls, at most maxDepth calls deep, with one
	// acquisition per class and mode: the shallowest.
	acquires map[*ssa.Function]map[lockClass][]acquisition
	reach    map[*ssa.Function]*flow.Reach
	// callbackParams are the function-typed parameters of exported
	// functions that the package calls (callbacks it is given); a call
	// of one is an acquisition of the class {root: parameter}, so that
	// needs tells whether a goroutine runs it before an operation.
	callbackParams []*ssa.Parameter
	// paramCallees maps a call through a parameter to the functions
	// the package passes for it; paramCallers is the reverse.
	paramCallees map[ssa.Instruction][]*ssa.Function
	paramCallers map[*ssa.Function][]ssa.Instruction
	// loopRoots memoizes loopRoot (own-goroutine, owngoroutine.go);
	// invoked holds the names of the methods called through interfaces.
	loopRoots map[*ssa.Function]*ssa.Go
	invoked   map[string]bool
}

func newLockNeeds(locks *lockset.Result, chans *chanIndex) *lockNeeds {
	n := &lockNeeds{
		locks:        locks,
		chans:        chans,
		acquires:     make(map[*ssa.Function]map[lockClass][]acquisition),
		reach:        make(map[*ssa.Function]*flow.Reach),
		paramCallees: make(map[ssa.Instruction][]*ssa.Function),
		paramCallers: make(map[*ssa.Function][]ssa.Instruction),
		loopRoots:    make(map[*ssa.Function]*ssa.Go),
	}
	n.summarize()
	return n
}

// summarize computes acquires: direct Lock calls and calls of
// callbacks first, then callers of functions that acquire, by a
// worklist over static call sites and calls through parameters.
func (n *lockNeeds) summarize() {
	var work []*ssa.Function
	for _, ci := range n.chans.calls {
		call, ok := ci.(*ssa.Call)
		if !ok {
			continue
		}
		lc, ok := syncapi.LockCallOf(call.Common())
		if !ok || lc.Effect != syncapi.Acquire {
			continue
		}
		cls := classOf(lockset.FieldOf(lc.Mutex), n.locks.KeyOf(lc.Mutex))
		if fn := call.Parent(); cls.known() && n.add(fn, cls, acquisition{instr: call, exclusive: !lc.Shared}) {
			work = append(work, fn)
		}
	}
	work = append(work, n.indexCallbackCalls()...)
	for len(work) > 0 {
		fn := work[0]
		work = work[1:]
		// A call through a parameter takes a lock when every function
		// the package passes for it does (fixture callback/local).
		for _, site := range n.paramCallers[fn] {
			for cls := range n.acquires[fn] {
				if a, ok := n.throughParam(site, cls); ok && n.add(site.Parent(), cls, a) {
					work = append(work, site.Parent())
				}
			}
		}
		for _, call := range n.chans.callers[fn] {
			site, ok := callInstr(call)
			if !ok {
				continue // go and defer statements do not take the lock before what follows them
			}
			caller := site.Parent()
			changed := false
			for cls, acqs := range n.acquires[fn] {
				for _, a := range acqs {
					if a.depth+1 <= maxDepth && n.add(caller, cls, acquisition{instr: site, exclusive: a.exclusive, depth: a.depth + 1}) {
						changed = true
					}
				}
			}
			if changed {
				work = append(work, caller)
			}
		}
	}
}

// callInstr returns the call site if it runs its callee in the
// caller's goroutine: a call, or a defer statement (whose call runs at
// the function's return, see runsAt); a go statement does not.
func callInstr(call ssa.CallInstruction) (ssa.Instruction, bool) {
	switch call := call.(type) {
	case *ssa.Call:
		return call, true
	case *ssa.Defer:
		return call, true
	}
	return nil, false
}

// runsAt returns the instructions at which instr takes effect: a
// deferred call at each of its function's RunDefers, anything else
// where it is.
func runsAt(instr ssa.Instruction) []ssa.Instruction {
	if _, ok := instr.(*ssa.Defer); !ok {
		return []ssa.Instruction{instr}
	}
	return flow.RunDefers(instr.Parent())
}

// add records a, unless an acquisition of the same instruction and
// mode is known; it reports whether anything changed.
func (n *lockNeeds) add(fn *ssa.Function, cls lockClass, a acquisition) bool {
	m := n.acquires[fn]
	if m == nil {
		m = make(map[lockClass][]acquisition)
		n.acquires[fn] = m
	}
	for i, b := range m[cls] {
		if b.instr == a.instr && b.exclusive == a.exclusive {
			if a.depth < b.depth {
				m[cls][i] = a
				return true
			}
			return false
		}
	}
	m[cls] = append(m[cls], a)
	return true
}

// needs returns where the goroutine that runs instr may take the lock
// class cls before it reaches instr: in instr's function on a path to
// it (around a loop too), or in a function of the package that calls
// instr's function, up to maxDepth calls up. If only a read lock is
// held, only an exclusive acquisition needs it.
func (n *lockNeeds) needs(instr ssa.Instruction, cls lockClass, heldShared bool) (token.Pos, bool) {
	return n.needsOf(instr, &needQuery{cls: cls, heldShared: heldShared})
}

// needsOf is needs for the query q: for the counterpart of a wait, it
// also passes over the acquisitions that only set one of q's started
// flags (started-flag, started.go) and those of the waiter's own
// goroutine (own-goroutine, owngoroutine.go), and records in q which it
// passed over.
func (n *lockNeeds) needsOf(instr ssa.Instruction, q *needQuery) (token.Pos, bool) {
	return n.needsFrom(instr, q, 0, make(map[*ssa.Function]bool))
}

// A needQuery is what needsFrom looks for, and what it passed over.
type needQuery struct {
	cls        lockClass
	heldShared bool
	flags      []*types.Var // started flags the wait checks under the lock
	started    bool         // an acquisition was passed over by started-flag
	// waiter is where the wait holds held (its function or the call
	// through which it waits), for own-goroutine; or nil.
	waiter ssa.Instruction
	held   lockset.Lock
	own    bool // an acquisition was passed over by own-goroutine
}

func (n *lockNeeds) needsFrom(instr ssa.Instruction, q *needQuery, depth int, seen map[*ssa.Function]bool) (token.Pos, bool) {
	fn := instr.Parent()
	if seen[fn] {
		return token.NoPos, false
	}
	seen[fn] = true
	r := n.reach[fn]
	if r == nil {
		r = new(flow.Reach)
		n.reach[fn] = r
	}
	for _, a := range n.acquires[fn][q.cls] {
		if q.heldShared && !a.exclusive {
			continue
		}
		for _, from := range runsAt(a.instr) {
			for _, to := range runsAt(instr) {
				if from.Block() == nil || to.Block() == nil || !r.MayPrecede(from, to) || freshEachTime(from, to, q.cls) {
					continue
				}
				if n.setsFlagFirst(a, to, q.flags, r) {
					q.started = true
					continue
				}
				if n.ownGoroutine(fn, a, q) {
					q.own = true
					continue
				}
				return a.instr.Pos(), true
			}
		}
	}
	if depth >= maxDepth || n.chans.exportedFunc(fn) {
		return token.NoPos, false
	}
	for _, call := range n.chans.callers[fn] {
		site, ok := callInstr(call)
		if !ok {
			continue
		}
		if pos, ok := n.needsFrom(site, q, depth+1, seen); ok {
			return pos, true
		}
	}
	return token.NoPos, false
}

// freshEachTime reports whether every path from the acquisition from to
// the operation to passes through the declaration of the mutex itself:
// a local variable declared in a loop body is a new mutex each time
// around, so taking it in one iteration does not hold up the next
// (sync's TestCondSignalStealing: var m Mutex inside the loop).
func freshEachTime(from, to ssa.Instruction, cls lockClass) bool {
	alloc, ok := cls.root.(*ssa.Alloc)
	if !ok || alloc.Parent() != from.Parent() || alloc.Block() == nil {
		return false
	}
	return !reachesAvoiding(from, to, alloc.Block())
}

// reachesAvoiding reports whether to may run after from without
// passing through the block avoid.
func reachesAvoiding(from, to ssa.Instruction, avoid *ssa.BasicBlock) bool {
	if from.Block() == to.Block() && flow.IndexOf(from) < flow.IndexOf(to) {
		return true
	}
	seen := make(map[*ssa.BasicBlock]bool)
	stack := append([]*ssa.BasicBlock(nil), from.Block().Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == avoid || seen[b] {
			continue
		}
		if b == to.Block() {
			return true
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	return false
}
