package lockchan

import (
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file holds rule 4's exception started-flag (doc.go): a loop
// goroutine that takes the lock once, to set a "running" flag, before
// it reaches its channel operations, does not need the lock held by a
// wait that runs only when the flag is set (robfig/cron v3's Run and
// Schedule, docs/findings.md). When the waiter holds L and sees the flag
// true, either that goroutine set it, and so is past its Lock, or the
// flag was true when the goroutine took L, and then it returns without
// reaching its operation: in neither case does it wait for L before the
// operation the waiter waits on.

// startedFlags returns the boolean fields that the function holding l
// at instr checks, under that same acquisition of l, before it reaches
// instr: instr runs only on the true edge of `if x.f`, f read while the
// Lock call that l records still holds.
func (c *checker) startedFlags(instr ssa.Instruction, l lockset.Lock) []*types.Var {
	if instr == nil || instr.Block() == nil {
		return nil
	}
	fn := instr.Parent()
	locks := c.locks.Func(fn)
	var flags []*types.Var
	for _, b := range fn.Blocks {
		f, load, ok := flagBranch(b)
		if !ok || !heldSince(locks, load, l.Pos) {
			continue
		}
		then := b.Succs[0]
		if len(then.Preds) == 1 && then.Dominates(instr.Block()) && !hasVar(flags, f) {
			flags = append(flags, f)
		}
	}
	return flags
}

// flagBranch returns the field f and its load if b ends in `if x.f`,
// f a boolean field. The builder turns `if !x.f` into the same branch
// with its edges swapped, so Succs[0] is always "f is true".
func flagBranch(b *ssa.BasicBlock) (*types.Var, *ssa.UnOp, bool) {
	if len(b.Instrs) == 0 {
		return nil, nil, false
	}
	br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil, nil, false
	}
	load, ok := br.Cond.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil, nil, false
	}
	f := syncapi.FieldOf(load.X)
	if f == nil || !isBool(f.Type()) {
		return nil, nil, false
	}
	return f, load, true
}

// heldSince reports whether the lock taken by the Lock call at lockPos
// is held just before instr.
func heldSince(locks *lockset.Func, instr ssa.Instruction, lockPos token.Pos) bool {
	for _, h := range locks.HeldAt(instr) {
		if h.Pos == lockPos {
			return true
		}
	}
	return false
}

// setsFlagFirst reports whether the acquisition a, made on the way to
// the operation to in the same function, is only there to set one of
// flags: a is a Lock call not taken again before to (no loop brings it
// back), and in its critical section, on every path to to, the
// function sets the flag to true after it found it false. A Lock
// reached through a call (its critical section is the callee's), a
// flag set without the check or in another critical section, a Lock
// around a loop do not count (fixtures
// badStartFlag…). Were the lock still held at to, the wait there would
// be the deadlock to report, and it is checked on its own.
func (n *lockNeeds) setsFlagFirst(a acquisition, to ssa.Instruction, flags []*types.Var, r *flow.Reach) bool {
	if len(flags) == 0 || to.Block() == nil {
		return false
	}
	fn := a.instr.Parent()
	locks := n.locks.Func(fn)
	lockPos := a.instr.Pos()
	if r.MayPrecede(to, a.instr) {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			store, ok := instr.(*ssa.Store)
			if !ok || !isTrue(store.Val) || !flow.Dominates(store, to) || !heldSince(locks, store, lockPos) {
				continue
			}
			f := syncapi.FieldOf(store.Addr)
			if f == nil || !hasVar(flags, f) {
				continue
			}
			if checkedFalse(fn, locks, store, f, lockPos) {
				return true
			}
		}
	}
	return false
}

// checkedFalse reports whether store runs only on the false edge of
// `if x.f`, f read in the same critical section.
func checkedFalse(fn *ssa.Function, locks *lockset.Func, store *ssa.Store, f *types.Var, lockPos token.Pos) bool {
	for _, b := range fn.Blocks {
		g, load, ok := flagBranch(b)
		if !ok || g != f || !heldSince(locks, load, lockPos) {
			continue
		}
		els := b.Succs[1]
		if len(els.Preds) == 1 && els.Dominates(store.Block()) {
			return true
		}
	}
	return false
}

func isTrue(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil && k.Value.Kind() == constant.Bool && constant.BoolVal(k.Value)
}

func hasVar(vs []*types.Var, v *types.Var) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func isBool(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsBoolean != 0
}
