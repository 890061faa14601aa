package lockchan

import (
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// t.Run blocks on a channel until its subtest returns, so a test that
// holds a lock around t.Run was reported as blocking under it. But the
// wait is a fork-join, as synchronous as calling the subtest's
// function: it can only deadlock if the subtest takes a lock the
// caller holds (nats-server's raft tests hold the node's lock around
// table-driven subtests that call its ...Locked helpers). A call of a
// subtest runner is reported only when its closure, or a function of
// the package it calls, acquires a held mutex, by the same key or the
// same struct field (fixtures okSubtestUnderLock, badSubtestLocks). A
// parallel subtest waits for the parent test's function to return, by
// when a deferred Unlock has run.

// subtestLockFree reports whether call runs a subtest closure that
// acquires none of the held mutexes.
func (c *checker) subtestLockFree(call *ssa.CallCommon, held lockset.Set) bool {
	_, mc, ok := syncapi.RunnerOf(call)
	if !ok || mc == nil {
		return false
	}
	seen := make(map[*ssa.Function]bool)
	stack := []*ssa.Function{mc.Fn.(*ssa.Function)}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[f] || len(seen) > 64 {
			if len(seen) > 64 {
				return false // too much to look at: keep the report
			}
			continue
		}
		seen[f] = true
		stack = append(stack, f.AnonFuncs...)
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				if lc, ok := syncapi.LockCallOf(ci.Common()); ok {
					if lc.Effect == syncapi.Acquire && c.holdsSame(held, lc.Mutex) {
						return false
					}
					continue
				}
				if callee := staticCallee(ci.Common()); callee != nil && callee.Pkg != nil && callee.Pkg.Pkg == c.pass.Pkg {
					stack = append(stack, callee)
				}
			}
		}
	}
	return true
}

// holdsSame reports whether held has the mutex m, by key or by the
// struct field that holds it.
func (c *checker) holdsSame(held lockset.Set, m ssa.Value) bool {
	if held.Has(c.locks.KeyOf(m)) {
		return true
	}
	field := syncapi.FieldOf(m)
	for _, l := range held {
		if field != nil && l.Field == field {
			return true
		}
	}
	return false
}
