package gocapture

import (
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// What orders or excludes two accesses of different goroutines: a
// common lock, a hand-off through a channel or a mutex, a bracket of
// WaitGroup calls, a pool's end.

// protected reports whether a, in x, and b, in y, hold a common lock
// (fixture okMutexCounter). Two read locks do not exclude each other.
func (c *checker) protected(x *side, a access, y *side, b access) bool {
	ha, hb := c.locksOf(x, a), c.locksOf(y, b)
	for _, l := range ha {
		if m, ok := hb.Get(l.Key); ok && !(l.Shared && m.Shared) {
			return true
		}
	}
	return false
}

// locksOf returns the locks held at the access a of side x: at a
// closure's access that x makes at once (rule "inline"), those held at
// the call and those held in the closure; as the starter names them,
// for a function started by go f(&n) (params.go).
func (c *checker) locksOf(x *side, a access) lockset.Set {
	held := c.heldAt(x.fn, a.instr)
	if len(x.entry) > 0 {
		held = append(held[:len(held):len(held)], x.entry...)
	}
	if extra := c.helperHeld(a.instr, x.g.index[a.instr]); len(extra) > 0 {
		held = append(held[:len(held):len(held)], extra...)
	}
	if a.in != nil {
		inner := c.heldAt(a.inFn, a.in)
		held = append(held[:len(held):len(held)], inner...)
		for i := len(held) - len(inner); i < len(held) && a.inArgs != nil; i++ {
			held[i].Key = c.rebaseArgs(a.inFn, a.inArgs, held[i].Key)
		}
	}
	if x.rebase != nil {
		out := make(lockset.Set, len(held))
		for i, l := range held {
			l.Key = x.rebase(l.Key)
			out[i] = l
		}
		held = out
	}
	return held
}

// heldAt returns the locks that fn holds just before instr, computed
// once per instruction: a goroutine's access is compared with those of
// every goroutine that may run with it.
func (c *checker) heldAt(fn *ssa.Function, instr ssa.Instruction) lockset.Set {
	held, ok := c.held[instr]
	if !ok {
		held = c.locks.Func(fn).HeldAt(instr)
		c.held[instr] = held
	}
	return held
}

// handoff reports whether side x, after its access a, performs an
// operation that may happen before one that side y performs before
// its access b: the access a is then ordered before b (rule 14,
// fixture okHandoff, where the starter writes and then sends, and the
// goroutine receives and then reads). Calls of other functions count
// unless rule 10 is off. A release for which releasesTo is false
// orders nothing before y's access.
func (c *checker) handoff(x *side, a access, y *side, b access, releasesTo func(r event) bool) bool {
	stops := stopJoin
	if enabled("helper") {
		stops |= stopHelper
	}
	// A call that makes an access of a closure (rule "inline") may
	// synchronize after it, or before it.
	for _, r := range x.events {
		if !r.deferred && r.instr != a.instr && !x.g.after(a.instr, r.instr) {
			continue
		}
		if releasesTo != nil && !releasesTo(r) {
			continue
		}
		for _, q := range y.events {
			if !q.deferred && (q.instr == b.instr || y.g.acquiredBefore(q, b.instr)) && stops&stopOf(r, q) != 0 && orders(r, q) {
				return true
			}
		}
	}
	return false
}

// bracketed reports whether the access a of the goroutine x, started
// at sx, and the access b of the goroutine y, started at sy, may be
// ordered one way or the other (rule 15): one releases after its
// access and the other acquires before its own. For two instances of
// one body and one access, the access must lie between an operation
// that may acquire and one that may release (a lock before and an
// unlock after, a receive before and a send after): a write that
// every synchronizing operation of the body precedes, or follows, is
// ordered with nothing in the other instance (fixture badWorkersAfterGet).
// A WaitGroup's Done releases only to its Wait, which a goroutine that
// the WaitGroup still counts cannot pass: it would wait for itself.
func (c *checker) bracketed(x *side, a access, sx *spawn.Site, y *side, b access, sy *spawn.Site) bool {
	return c.handoff(x, a, y, b, func(r event) bool { return !c.countedAt(r, y, b, sy) }) ||
		c.handoff(y, b, x, a, func(r event) bool { return !c.countedAt(r, x, a, sx) })
}

// countedAt reports whether r is a WaitGroup's Done (or Add) and the
// goroutine y, started at sy, is counted by that WaitGroup at its
// access b: y calls its Done (or was started by its Go) and no Done of
// y's may run before b. A Wait on it that y made before b would then
// wait for y itself, so r cannot have let y through to b (fixture
// badWorkersAfterGet); y's own Wait after its Done is a barrier, and
// it may (fixture okBarrier).
func (c *checker) countedAt(r event, y *side, b access, sy *spawn.Site) bool {
	if r.unknown || r.class != syncapi.GroupDone {
		return false
	}
	if sy.Group != nil && c.locks.KeyOf(sy.Group) == r.key {
		return true // wg.Go: counted until the goroutine returns
	}
	counted := false
	for _, e := range y.events {
		if e.unknown || e.class != syncapi.GroupDone || e.key != r.key || !isWaitGroupDone(e.instr) {
			continue
		}
		if !e.deferred && (e.instr == b.instr || y.g.after(e.instr, b.instr)) {
			return false // y may have called Done before b
		}
		counted = true
	}
	return counted
}

// isWaitGroupDone reports whether instr calls (*sync.WaitGroup).Done,
// as a goroutine does to say it is finished (Add, of the same class,
// may also count one in).
func isWaitGroupDone(instr ssa.Instruction) bool {
	call, ok := instr.(ssa.CallInstruction)
	if !ok {
		return false
	}
	fn := syncapi.Callee(call.Common())
	return fn != nil && fn.FullName() == syncapi.WaitGroupDone
}

// acquiredBefore reports whether the acquire event q may be followed by
// the instruction b on a path where q has waited. For a select, that is
// a path through the case of q: a read in another case (a ticker's, in
// a loop that returns on the stop case) is not ordered by a send on the
// stop channel (fixture badSelectOtherCase). A select whose cases
// cannot be told apart counts as a wait, as before.
func (g *cfg) acquiredBefore(q event, b ssa.Instruction) bool {
	if sel, ok := q.instr.(*ssa.Select); ok && q.sel >= 0 {
		if cb := selectCase(sel, q.sel); cb != nil {
			return g.fromBlock(cb, b)
		}
	}
	return g.after(q.instr, b)
}

// fromBlock reports whether to may execute once block b is entered.
func (g *cfg) fromBlock(b *ssa.BasicBlock, to ssa.Instruction) bool {
	return to.Block() == b || g.after(b.Instrs[len(b.Instrs)-1], to)
}

// poolEnd returns the releases that the end of a goroutine started by
// a spawner outside the table (a pool's Submit, a package's Go helper)
// may make: the pool may count its tasks, as conc's pool.Go and
// workerpool's StopWait do, so a later call handed the spawner's
// receiver or another of its arguments, or, for a task queued to a
// pool, a call of a function of the spawner's package
// (ants.ReleaseTimeout), may wait for the goroutine (rule "helper";
// fixtures okPoolWait, okPackageRelease). A spawner that starts its
// own goroutine (containerd's eventq.New) is no pool: the calls of its
// package are the queue's Send and Shutdown, which wait for nothing the
// goroutine does after them (fixture badDiscardAfterShutdown).
func (c *checker) poolEnd(s spawn.Site) []event {
	if s.Via == nil {
		return nil
	}
	call, ok := s.Instr.(*ssa.Call)
	if l := c.lifted[s.Closure]; l != nil {
		call, ok = l.site.Instr.(*ssa.Call)
	}
	if !ok {
		return nil
	}
	var end []event
	if s.Queued {
		end = append(end, event{instr: call, unknown: true, sel: -1, pool: s.Via.Pkg()})
	}
	for _, a := range call.Call.Args {
		if _, isClosure := a.(*ssa.MakeClosure); !isClosure && argMayCarrySync(a) {
			end = append(end, event{instr: call, unknown: true, key: c.locks.KeyOf(a), sel: -1})
		}
	}
	return end
}
