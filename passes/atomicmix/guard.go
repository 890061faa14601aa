package atomicmix

import (
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/memloc"
)

// Rules 11 (guard) and 16 (callerlocks). A plain access races with no
// atomic one when a mutex orders them all.
// A mutex held exclusively excludes every holder of it, in either mode;
// one held for reading excludes only its exclusive holders. So a plain
// read is safe when it holds a mutex that every write holds exclusively
// (the sync.Once pattern: atomic load on the fast path, plain read under
// the lock on the slow path, fixture Once.doSlow in atomicmix/basic), or holds exclusively a
// mutex that every write holds at all; and a plain write is safe when
// it holds exclusively a mutex that every access holds at all (counters
// bumped atomically by readers that share a read lock and reset under
// the write lock, as nats-server's OCSP cache does: fixture
// okResetUnderWriteLock). A plain read under the read lock, while the
// readers' atomic adds also hold only the read lock, still races
// (badReadUnderReadLock).
//
// The locks an access holds include those held at every call of its
// function, for unexported functions that only the package calls
// directly (entryLocks, origin.go): a "...Locked" helper that stores
// atomically for lock-free readers is called with the lock held
// (fixture okLockedHelper). Accesses of other values of the type than
// an enclosure's do not count (nats-server reads its OCSP cache's
// snapshots without the lock: fixture okResetSnapshotsUnlocked).
// Writes in other packages are not known; see the doc.

// A guard is what the package's accesses of a location hold in common.
type guard struct {
	exclWrites lockMap // held exclusively at every write, atomic or plain
	anyWrites  lockMap // held at every write
	anyAll     lockMap // held at every access
}

// guards returns, for each location, the locks that its accesses hold
// in common; entry, if not nil, adds the locks that every caller of an
// access's function holds.
func (c *checker) guards(ts []touch, entry map[*ssa.Function]lockMap) map[memloc.Loc]*guard {
	m := make(map[memloc.Loc]*guard)
	add := func(l memloc.Loc, held lockMap, write bool) {
		g := m[l]
		if g == nil {
			g = &guard{}
			m[l] = g
		}
		g.anyAll = intersect(g.anyAll, held, false)
		if write {
			g.anyWrites = intersect(g.anyWrites, held, false)
			g.exclWrites = intersect(g.exclWrites, held, true)
		}
	}
	for _, a := range c.atomics {
		add(a.loc, heldMap(a.held, entry[a.fn]), a.write)
	}
	for _, t := range ts {
		if e := c.encl[t.loc]; e != nil && !inside(t, e, nil) {
			continue // another value of the type: it cannot race (enclosure.go)
		}
		add(t.loc, heldMap(t.held, entry[t.fn]), t.write)
	}
	return m
}

// heldMap returns the mutexes of held and entry, each mapped to
// whether it is held only for reading.
func heldMap(held []lockRef, entry lockMap) lockMap {
	m := make(lockMap, len(held)+len(entry))
	for _, h := range held {
		if sh, ok := m[h.obj]; !ok || sh {
			m[h.obj] = h.shared
		}
	}
	for o, sh := range entry {
		if _, ok := m[o]; !ok {
			m[o] = sh
		}
	}
	return m
}

// intersect returns the mutexes of acc (nil: not yet constrained) that
// held also holds, exclusively if excl is set; a mutex held for
// reading in either stays so.
func intersect(acc, held lockMap, excl bool) lockMap {
	out := make(lockMap)
	if acc == nil {
		for o, sh := range held {
			if !excl || !sh {
				out[o] = sh
			}
		}
		return out
	}
	for o, sh := range acc {
		if hs, ok := held[o]; ok && (!excl || !hs) {
			out[o] = sh || hs
		}
	}
	return out
}

// protects reports whether the locks held by the plain access t order
// it with every access of its location that could race with it.
func (g *guard) protects(t touch, held []lockRef) bool {
	return g.protectsHeld(t, heldMap(held, nil))
}

func (g *guard) protectsHeld(t touch, held lockMap) bool {
	if g == nil {
		return false
	}
	for o, shared := range held {
		if t.write {
			if _, ok := g.anyAll[o]; ok && !shared {
				return true
			}
			continue
		}
		if _, ok := g.exclWrites[o]; ok {
			return true
		}
		if _, ok := g.anyWrites[o]; ok && !shared {
			return true
		}
	}
	return false
}

// A lockRule answers the lock rule for the package's candidates: rule
// 11 counts the locks that each access holds itself, rule 16 also
// those that every caller of its function holds. Both judge the same
// touches with guards; the callers' locks are computed only for a
// candidate that rule 11 and the rules between did not clear.
type lockRule struct {
	touched     []touch               // the touches judged, excused ones left out
	own         map[memloc.Loc]*guard // rule 11
	callerHeld  map[*ssa.Function]lockMap
	withCallers map[memloc.Loc]*guard // rule 16, built on first use
}

// guardsOwn reports whether the locks t holds order it with every
// access of its location that could race with it (rule 11).
func (r *lockRule) guardsOwn(t touch) bool {
	return r.own[t.loc].protects(t, t.held)
}

// guardsWithCallers reports whether they do once the locks held by
// the callers of each access's function are counted (rule 16).
func (r *lockRule) guardsWithCallers(c *checker, t touch) bool {
	if r.withCallers == nil {
		r.callerHeld = c.entryLocks(c.ssa.SrcFuncs)
		if r.callerHeld == nil {
			r.callerHeld = make(map[*ssa.Function]lockMap) // no fixpoint: nothing known
		}
		r.withCallers = c.guards(r.touched, r.callerHeld)
	}
	return r.withCallers[t.loc].protectsHeld(t, heldMap(t.held, r.callerHeld[t.fn]))
}
