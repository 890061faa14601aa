package gocapture

import (
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Locks taken and released by the package's helpers.
//
// func (s *S) lock() { s.mu.Lock() } returns holding s.mu, and
// s.lock(); count++; s.unlock() holds it at count++ (issue 11), which
// the lock sets of passes/internal/lockset, built from direct Lock and
// Unlock calls, do not see. A function of the package that holds, at
// every return, a lock that it took itself on one of its parameters or
// a global, and does not unlock by a deferred call, acquires it for its
// caller; one that unlocks such a lock that it did not take releases
// it. The effects are applied in order, to the accesses after them in
// the block, and carried to the blocks after it by a forward
// must-dataflow, as passes/internal/lockset carries direct locks: a
// lock is held at a block's entry if it is held at the end of every
// block before it (s.lock(); if ok { count++ }; s.unlock()).

// A lockEffect is a call, at index idx of its block, that acquires or
// releases a lock for its caller.
type lockEffect struct {
	idx     int
	lock    lockset.Lock
	acquire bool
}

// helperHeld returns the locks that the package's helpers called before
// instr, at index at of its block, acquired and did not release, on
// every path to it.
func (c *checker) helperHeld(instr ssa.Instruction, at int) lockset.Set {
	b := instr.Block()
	if b == nil {
		return nil
	}
	var held lockset.Set
	if entry := c.helperEntries(b.Parent()); entry != nil {
		held = entry[b.Index]
	}
	return applyEffects(held, c.effectsOf(b), at)
}

// effectsOf returns the lock effects of the calls of block b, computed
// once.
func (c *checker) effectsOf(b *ssa.BasicBlock) []lockEffect {
	effects, ok := c.effects[b]
	if !ok {
		effects = c.blockEffects(b)
		c.effects[b] = effects
	}
	return effects
}

// applyEffects returns held after the effects before index at of their
// block. It does not modify held.
func applyEffects(held lockset.Set, effects []lockEffect, at int) lockset.Set {
	for _, e := range effects {
		if e.idx >= at {
			break
		}
		if e.acquire {
			held = append(held.Without(e.lock.Key), e.lock)
		} else {
			held = held.Without(e.lock.Key)
		}
	}
	return held
}

// helperEntries returns, by block index, the locks that helpers
// acquired and nothing released on every path to the entry of each
// block of fn, or nil if no call of fn has a lock effect, the common
// case. It is a forward must-dataflow (join = intersection) from the
// entry and the recover block, which start with none, computed once
// per function; a lock that a helper takes on one branch only is not
// held after the branches meet (fixture badHelperLockOnePath).
func (c *checker) helperEntries(fn *ssa.Function) []lockset.Set {
	if entry, ok := c.entries[fn]; ok {
		return entry
	}
	c.entries[fn] = nil
	effects := false
	for _, b := range fn.Blocks {
		effects = effects || len(c.effectsOf(b)) > 0
	}
	if !effects {
		return nil
	}
	entry := make([]lockset.Set, len(fn.Blocks))
	reached := make([]bool, len(fn.Blocks))
	queued := make([]bool, len(fn.Blocks))
	var work []*ssa.BasicBlock
	push := func(b *ssa.BasicBlock) {
		if !queued[b.Index] {
			queued[b.Index] = true
			work = append(work, b)
		}
	}
	reached[0] = true
	push(fn.Blocks[0])
	if fn.Recover != nil {
		reached[fn.Recover.Index] = true
		push(fn.Recover)
	}
	// Sets only shrink once a block is reached, so this ends.
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b.Index] = false
		held := applyEffects(entry[b.Index], c.effectsOf(b), len(b.Instrs))
		for _, s := range b.Succs {
			switch {
			case !reached[s.Index]:
				reached[s.Index] = true
				entry[s.Index] = held
				push(s)
			default:
				if next := entry[s.Index].Intersect(held); !next.Equal(entry[s.Index]) {
					entry[s.Index] = next
					push(s)
				}
			}
		}
	}
	c.entries[fn] = entry
	return entry
}

// blockEffects returns the lock effects of the calls of block b, in
// order: the helpers' acquires and releases, named by the call's
// arguments, and the direct unlocks that release what a helper took.
func (c *checker) blockEffects(b *ssa.BasicBlock) []lockEffect {
	var out []lockEffect
	for i, instr := range b.Instrs {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		if lc, ok := syncapi.LockCallOf(call.Common()); ok {
			if lc.Effect == syncapi.Release {
				out = append(out, lockEffect{idx: i, lock: lockset.Lock{Key: c.locks.KeyOf(lc.Mutex)}})
			}
			continue
		}
		callee := call.Call.StaticCallee()
		if callee == nil || callee.Pkg != b.Parent().Pkg || callee.Blocks == nil {
			continue
		}
		acq, rel := c.helperSummary(callee)
		for _, l := range acq {
			l.Key = c.rebaseArgs(callee, call.Call.Args, l.Key)
			out = append(out, lockEffect{idx: i, lock: l, acquire: true})
		}
		for _, k := range rel {
			out = append(out, lockEffect{idx: i, lock: lockset.Lock{Key: c.rebaseArgs(callee, call.Call.Args, k)}})
		}
	}
	return out
}

// A helperSummary is what a function does to its caller's locks.
type helperSummary struct {
	acquires []lockset.Lock
	releases []lockset.Key
}

// helperSummary returns the locks fn holds at every return that it took
// on a parameter or a global, and does not unlock by a deferred call;
// and the locks on a parameter or a global that it unlocks without
// having taken them. It is computed once per function.
func (c *checker) helperSummary(fn *ssa.Function) ([]lockset.Lock, []lockset.Key) {
	if s, ok := c.helpers[fn]; ok {
		return s.acquires, s.releases
	}
	var s helperSummary
	if lf := c.locks.Func(fn); lf != nil {
		s.acquires = c.heldAtReturns(fn, lf)
		for _, instr := range lf.Releases {
			if call, ok := instr.(*ssa.Call); ok {
				if lc, ok := syncapi.LockCallOf(call.Common()); ok {
					if k := c.locks.KeyOf(lc.Mutex); outerKey(fn, k) {
						s.releases = append(s.releases, k)
					}
				}
			}
		}
	}
	c.helpers[fn] = s
	return s.acquires, s.releases
}

// heldAtReturns returns the locks on a parameter or a global that fn
// holds at all its returns and does not unlock by a deferred call.
func (c *checker) heldAtReturns(fn *ssa.Function, lf *lockset.Func) lockset.Set {
	var held lockset.Set
	first := true
	deferred := make(map[lockset.Key]bool)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch x := instr.(type) {
			case *ssa.Defer:
				if lc, ok := syncapi.LockCallOf(x.Common()); ok && lc.Effect == syncapi.Release {
					deferred[c.locks.KeyOf(lc.Mutex)] = true
				}
			case *ssa.Return:
				at := lf.HeldAt(x)
				if first {
					held, first = at, false
					continue
				}
				held = held.Intersect(at)
			}
		}
	}
	var out lockset.Set
	for _, l := range held {
		if !deferred[l.Key] && outerKey(fn, l.Key) {
			out = append(out, l)
		}
	}
	return out
}

// outerKey reports whether the lock key k of fn names a mutex that its
// caller can name: one reached from a parameter, or a global.
func outerKey(fn *ssa.Function, k lockset.Key) bool {
	switch r := k.Root.(type) {
	case *ssa.Parameter:
		return r.Parent() == fn
	case *ssa.Global:
		return true
	}
	return false
}
