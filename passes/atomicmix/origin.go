package atomicmix

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 14 (origin). A field stands for that field of every value of its
// struct type, so a plain read of b.n is reported as soon as some
// other *bucket has n updated atomically. grpc's outlier detection
// (callcounter.go) keeps two buckets per counter: the active one,
// published through an atomic.Pointer[bucket] and counted into with
// atomic.AddUint32, and the inactive one, held in the plain pointer
// field inactiveBucket and read plainly. swap zeroes the inactive
// bucket, publishes it with activeBucket.Swap and at once overwrites
// inactiveBucket with a new bucket; objects flow from the plain field
// to the atomic one, never back, and are read plainly only before they
// are published.
//
// The rule classifies the pointer p of an access p.f (or a copy *p) by
// where the function got it: a load of a pointer field G (p := x.G), a
// Load or Swap of an atomic.Pointer, a fresh allocation, or unknown
// (a parameter, a global, a call result). A plain access whose pointer
// is loaded from G is not reported when:
//
//  1. G is a slot for new objects only: every store into G in the
//     package stores a value that its function allocated (a composite
//     literal, new, or a constructor with a fresh result) and shares
//     with no one else, once per allocation; G's address is never
//     taken; no copy of a struct holding G is made; and G, f and G's
//     struct type are unexported, so that no other package stores
//     into G or copies it (reflect and unsafe are not considered).
//     An object o stored into x.G is then reachable only through x.G
//     (and the storing function's own pointer, see 2), and it never
//     enters x.G again once overwritten.
//  2. Every atomic access of f has its pointer from another origin
//     than G: an atomic.Pointer, another plain field, or an
//     allocation that is not stored into G. So an atomic access
//     reaches o only after some function loaded o from x.G and handed
//     it on (stored, passed, returned, captured it: a handoff).
//  3. Every handoff of a value loaded from x.G is followed, on every
//     path to the function's return, by a store into x.G (the same
//     SSA value x), with only sync/atomic calls in between: the window
//     [handoff, overwrite], during which o is both published and
//     still in x.G, calls no code that could read x.G.
//  4. Exclusion: some mutex M (named by its field or package-level
//     variable, as the mutex exception does) is held exclusively at
//     every instruction of every such window, and held at every
//     instruction from the plain access's load of x.G to the access,
//     a stretch that calls nothing but sync/atomic functions. Locks
//     held by every caller count (entryLocks): grpc's readers document
//     "Caller must hold b.mu". When G has no handoff at all, its
//     objects are never published and no lock is needed.
//
// Why 4 is needed: conditions 1 to 3 alone are not enough, even when
// x.G itself is race-free. A reader can load o from x.G, pass a
// message to the swapping goroutine (which publishes o and overwrites
// x.G, ordered after the load), and then read o.f while a third
// goroutine adds to it through the atomic pointer: the plain read is
// ordered after the load but not before the publication (fixture
// balancerStale.staleRead; the race detector agrees). The same happens
// within one goroutine when the reader calls the swap between its load
// and its read (balancerAfter.tick), hence the no-calls stretch.
//
// Soundness, with 4: let P be a suppressed plain access of o.f, L_P its
// load of o from x.G, and A an atomic access of o.f. By 2, A's pointer
// came through a handoff H of o by some function W, which loaded o
// from x.G, and by 3 W overwrites x.G at S after H with only
// sync/atomic calls between. By 4, [L_P, P] and [H, S] both lie in
// critical sections of M. If they are different critical sections,
// either P's happens before W's, so P happens before H and hence
// before A (A's pointer was obtained, through the atomic pointer or a
// chain of further handoffs, from what H published); or W's happens
// before P's, so S happens before L_P, and L_P cannot read o: by 1, no
// store after S puts o back into x.G. If they are the same critical
// section (one goroutine holds M through both), the windows cannot
// overlap, since neither calls anything but sync/atomic: P runs
// before H or after S, and the same two cases apply in program order.
// An atomic access in W's own window happens after H in W and so
// after P when P precedes H.
//
// Not considered: mutexes are named by field, so two values of the
// mutex's struct type count as one mutex, as in the mutex exception;
// a panic between a handoff and its overwrite that some caller
// recovers from leaves o published and in x.G; a function that
// unlocks its caller's mutex inside a callee; a handoff made before an
// overwrite (grpc's TestSwap, which keeps a pointer to the old
// inactive bucket across swap and then publishes it) is not proved,
// nor is a swap called without the mutex (grpc's TestSwap and
// TestClear), so the test variant of that package keeps its reports.

// An originKind says where the pointer of an access came from.
type originKind int

const (
	originUnknown   originKind = iota // a parameter, global, call result, ...
	originField                       // a load of a pointer field
	originAtomicPtr                   // atomic.Pointer's Load or Swap
	originFresh                       // an allocation of the function
)

// An origin is where the pointer of an access came from.
type origin struct {
	kind  originKind
	field *types.Var // the pointer field G, for originField
	base  ssa.Value  // x in x.G, for originField
	load  *ssa.UnOp  // the load of x.G, for originField
	fresh ssa.Value  // the allocation, for originFresh
}

// originOf classifies the pointer that addr, &p.f (through nested
// fields and array elements) or p itself, is based on.
func (c *checker) originOf(addr ssa.Value) origin {
	p := rootOf(addr, nil)
	switch p := p.(type) {
	case *ssa.UnOp:
		if fa, ok := p.X.(*ssa.FieldAddr); ok && p.Op == token.MUL {
			if g := memloc.Field(fa.X.Type(), fa.Field); g != nil {
				return origin{kind: originField, field: g, base: fa.X, load: p}
			}
		}
	case *ssa.Call:
		if isAtomicPointerGet(&p.Call) {
			return origin{kind: originAtomicPtr}
		}
	}
	if c.isFresh(p) {
		return origin{kind: originFresh, fresh: p}
	}
	return origin{}
}

// isAtomicPointerGet reports whether call is (*atomic.Pointer[T]).Load
// or Swap, whose result is the pointer the atomic held.
func isAtomicPointerGet(call *ssa.CallCommon) bool {
	fn := syncapi.Callee(call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync/atomic" || call.IsInvoke() {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil || memloc.Owner(sig.Recv().Type()) == nil || memloc.Owner(sig.Recv().Type()).Name() != "Pointer" {
		return false
	}
	return fn.Name() == "Load" || fn.Name() == "Swap"
}

// originRules holds what the origin rule computed for a package.
type originRules struct {
	funcs []*ssa.Function
	slots map[*types.Var]*slot
	entry map[*ssa.Function]lockMap // locks held at every call; absent: none
}

// A lockMap is a set of mutexes, each mapped to whether it may be held
// only as a read lock.
type lockMap map[types.Object]bool

// A slot is what conditions 1 and 3 found for a pointer field G.
type slot struct {
	ok     bool
	noLock bool               // no handoff: condition 4 needs no lock
	locks  lockMap            // held exclusively in every handoff window
	stored map[ssa.Value]bool // the allocations stored into G
}

// originSafe reports whether the origin rule shows that the plain
// access t cannot race with the atomic accesses of its field.
func (c *checker) originSafe(t touch, sum *atomicSummary) bool {
	if !t.loc.IsField() || t.loc.Var.Exported() {
		return false
	}
	o := c.originOf(t.addr)
	if o.kind != originField || o.load.Parent() != t.fn {
		return false
	}
	// An access outside the test files is judged against the package
	// without them: that is the code that ships, and a race that needs a
	// test's own handling of the slot (grpc's TestSwap calls swap
	// without the balancer's lock) is the test's, which the test-file
	// rule judges where the test shows its goroutines (testscope.go).
	inTest := c.inTestFile(t.fn)
	r := c.originSets[b2i(inTest)]
	if r == nil {
		var funcs []*ssa.Function
		for _, fn := range c.ssa.SrcFuncs {
			if inTest || !c.inTestFile(topLevel(fn)) {
				funcs = append(funcs, fn)
			}
		}
		r = &originRules{funcs: funcs, slots: make(map[*types.Var]*slot)}
		r.entry = c.entryLocks(r.funcs)
		c.originSets[b2i(inTest)] = r
	}
	s := c.slotOf(r, o.field)
	if !s.ok || !c.atomicsApart(sum, o.field, s, inTest) {
		return false
	}
	// Condition 4 on the reader's side.
	window, ok := c.window(t.fn, o.load, t.instr)
	if !ok {
		return false
	}
	if s.noLock {
		return true
	}
	for m := range s.locks {
		held := true
		for _, i := range window {
			if _, ok := c.heldAt(r, t.fn, i)[m]; !ok {
				held = false
				break
			}
		}
		if held {
			return true
		}
	}
	return false
}

// atomicsApart checks condition 2: no atomic access of the location
// (sum, nil if only imported packages access it atomically) has its
// pointer from G, from an unknown origin, or from an allocation that
// is stored into G.
func (c *checker) atomicsApart(sum *atomicSummary, g *types.Var, s *slot, inTest bool) bool {
	if sum == nil {
		return true
	}
	for _, a := range sum.all {
		if !inTest && c.inTestFile(topLevel(a.fn)) {
			continue
		}
		o := c.originOf(a.addr)
		switch o.kind {
		case originAtomicPtr:
		case originField:
			if o.field == g {
				return false
			}
		case originFresh:
			if s.stored[o.fresh] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// heldAt returns the mutexes held just before instr: those its
// function holds there, and those every caller holds.
func (c *checker) heldAt(r *originRules, fn *ssa.Function, instr ssa.Instruction) lockMap {
	m := make(lockMap)
	for _, l := range lockRefs(c.locks.Func(fn).HeldAt(instr)) {
		m[l.obj] = m[l.obj] || l.shared
	}
	for o, sh := range r.entry[fn] {
		if _, ok := m[o]; !ok {
			m[o] = sh
		}
	}
	return m
}

// window returns the instructions from the load of x.G to the plain
// access, both included, on the paths between them, when they call
// nothing but sync/atomic functions.
func (c *checker) window(fn *ssa.Function, from, to ssa.Instruction) ([]ssa.Instruction, bool) {
	fwd := make(map[ssa.Instruction]bool)
	walkForward(fn, from, func(i ssa.Instruction) bool {
		fwd[i] = true
		return i != to
	})
	out := []ssa.Instruction{from, to}
	ok := true
	walkBackward(fn, to, from, func(i ssa.Instruction) {
		if fwd[i] {
			out = append(out, i)
			if !harmlessCall(i) {
				ok = false
			}
		}
	})
	return out, ok
}

// harmlessCall reports whether instr is not a call, or a call that
// runs no code of the package: a builtin or a sync/atomic function.
func harmlessCall(instr ssa.Instruction) bool {
	call, ok := instr.(ssa.CallInstruction)
	if !ok {
		return true
	}
	if _, ok := call.(*ssa.Call); !ok {
		return false
	}
	if _, ok := call.Common().Value.(*ssa.Builtin); ok {
		return true
	}
	fn := syncapi.Callee(call.Common())
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic" && !call.Common().IsInvoke()
}

// walkForward calls visit for the instructions after from, in the order
// of a depth-first walk, not going past an instruction for which visit
// returns false, nor past from again.
func walkForward(fn *ssa.Function, from ssa.Instruction, visit func(ssa.Instruction) bool) (exits bool) {
	seen := make([]bool, len(fn.Blocks))
	var scan func(b *ssa.BasicBlock, start int)
	scan = func(b *ssa.BasicBlock, start int) {
		for _, i := range b.Instrs[start:] {
			if i == from || !visit(i) {
				return
			}
		}
		if len(b.Succs) == 0 {
			exits = true
		}
		for _, s := range b.Succs {
			if !seen[s.Index] {
				seen[s.Index] = true
				scan(s, 0)
			}
		}
	}
	scan(from.Block(), indexIn(from.Block(), from)+1)
	return exits
}

// walkBackward calls visit for the instructions before to, walking
// predecessors, not going past stop.
func walkBackward(fn *ssa.Function, to, stop ssa.Instruction, visit func(ssa.Instruction)) {
	seen := make([]bool, len(fn.Blocks))
	var scan func(b *ssa.BasicBlock, end int)
	scan = func(b *ssa.BasicBlock, end int) {
		for k := end - 1; k >= 0; k-- {
			i := b.Instrs[k]
			if i == stop || i == to {
				return
			}
			visit(i)
		}
		for _, p := range b.Preds {
			if !seen[p.Index] {
				seen[p.Index] = true
				scan(p, len(p.Instrs))
			}
		}
	}
	scan(to.Block(), indexIn(to.Block(), to))
}

// slotOf checks conditions 1 and 3 for the pointer field g, and
// collects the mutexes of condition 4 held in its handoff windows.
func (c *checker) slotOf(r *originRules, g *types.Var) *slot {
	if s, ok := r.slots[g]; ok {
		return s
	}
	s := &slot{stored: make(map[ssa.Value]bool)}
	r.slots[g] = s
	s.ok = c.checkSlot(r, g, s)
	return s
}

func (c *checker) checkSlot(rules *originRules, g *types.Var, s *slot) bool {
	if g.Exported() || g.Pkg() != c.pass.Pkg {
		return false
	}
	if _, ok := g.Type().Underlying().(*types.Pointer); !ok {
		return false
	}
	// No copy of a struct that holds G.
	for _, a := range c.plains {
		if composite(a.typ) && !a.unused { // a discarded load keeps no copy
			for _, f := range c.containedFields(a.typ) {
				if f.field == g {
					return false
				}
			}
		}
	}
	handoffs := 0
	for _, fn := range rules.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok || memloc.Field(fa.X.Type(), fa.Field) != g {
					continue
				}
				if owner := memloc.Owner(fa.X.Type()); owner == nil || owner.Exported() {
					return false
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef:
					case *ssa.Store:
						if r.Addr != fa || !c.freshStore(fn, r) {
							return false
						}
						s.stored[r.Val] = true
					case *ssa.UnOp:
						if r.Op != token.MUL {
							return false
						}
						for _, h := range c.handoffs(r, 0) {
							handoffs++
							if !c.overwritten(rules, fn, h, fa.X, g, s) {
								return false
							}
						}
					default:
						return false // G's address is taken
					}
				}
			}
		}
	}
	s.noLock = handoffs == 0
	return !s.noLock && len(s.locks) > 0 || s.noLock
}

// freshStore reports whether store puts into G a value that its
// function allocated, shares only by this store, and stores once per
// allocation (not in a loop around it).
func (c *checker) freshStore(fn *ssa.Function, store *ssa.Store) bool {
	v, ok := store.Val.(freshValue)
	if !ok || !c.isFresh(v) {
		return false
	}
	esc := c.escapesOf(v)
	if len(esc) != 1 || esc[0] != store {
		return false
	}
	order := &instrOrder{fn: fn}
	return !order.reaches(store, store, v)
}

// handoffs returns the instructions that hand on v, a pointer loaded
// from G or into the object it points to: they store, pass, return,
// capture or convert it. Loads, stores into the object, comparisons,
// sync/atomic calls on its fields and calls of functions that do not
// keep it are not handoffs.
func (c *checker) handoffs(v ssa.Value, depth int) []ssa.Instruction {
	var out []ssa.Instruction
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.FieldAddr:
			if depth < 8 {
				out = append(out, c.handoffs(r, depth+1)...)
			} else {
				out = append(out, r)
			}
		case *ssa.IndexAddr:
			if depth < 8 {
				out = append(out, c.handoffs(r, depth+1)...)
			} else {
				out = append(out, r)
			}
		case *ssa.UnOp, *ssa.DebugRef:
		case *ssa.BinOp:
			if r.Op != token.EQL && r.Op != token.NEQ {
				out = append(out, r)
			}
		case *ssa.Store:
			if r.Val == v {
				out = append(out, r)
			}
		case ssa.CallInstruction:
			if op, ok := syncapi.AtomicAccessOf(r.Common()); ok && op.Addr == v && countArgs(r.Common(), v) == 1 {
				continue
			}
			if !c.passesNoEscape(r, v) {
				out = append(out, r)
			}
		default:
			out = append(out, r)
		}
	}
	return out
}

func countArgs(call *ssa.CallCommon, v ssa.Value) int {
	n := 0
	for _, a := range call.Args {
		if a == v {
			n++
		}
	}
	return n
}

// overwritten checks condition 3 for the handoff h in fn of a value
// loaded from x.G: every path from h to the function's end stores into
// x.G, calling only sync/atomic functions (h itself included) before.
// It narrows s.locks to the mutexes held exclusively throughout.
func (c *checker) overwritten(r *originRules, fn *ssa.Function, h ssa.Instruction, x ssa.Value, g *types.Var, s *slot) bool {
	if h.Block() == nil || !harmlessCall(h) {
		return false
	}
	window := []ssa.Instruction{h}
	ok := true
	exits := walkForward(fn, h, func(i ssa.Instruction) bool {
		window = append(window, i)
		if st, isStore := i.(*ssa.Store); isStore {
			if fa, isFA := st.Addr.(*ssa.FieldAddr); isFA && fa.X == x && memloc.Field(fa.X.Type(), fa.Field) == g {
				return false // overwritten: this path ends here
			}
		}
		if _, ret := i.(*ssa.Return); ret {
			ok = false
		}
		if !harmlessCall(i) {
			ok = false
		}
		return ok
	})
	if !ok || exits {
		return false
	}
	// Condition 4 on the writer's side: the mutexes held exclusively
	// at every instruction of the window.
	var locks lockMap
	for _, i := range window {
		held := c.heldAt(r, fn, i)
		if locks == nil {
			locks = make(lockMap)
			for o, sh := range held {
				if !sh {
					locks[o] = false
				}
			}
			continue
		}
		for o := range locks {
			if sh, ok := held[o]; !ok || sh {
				delete(locks, o)
			}
		}
	}
	if s.locks == nil {
		s.locks = locks
	} else {
		for o := range s.locks {
			if _, ok := locks[o]; !ok {
				delete(s.locks, o)
			}
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
