package lockchan

import (
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file extends buffered-ranged to a channel kept in an element of
// a slice (concurrent-map's snapshot: each goroutine stores
// make(chan T, len(shard.items)) in chans[index] under the shard's read
// lock, then sends once per item of shard.items on chans[index];
// docs/findings.md).
//
// The send loads the channel back from the element, so the exception
// needs the element to still hold the channel the function made when
// the send loads it, and no other sender on it:
//
//   - the store s[i] = make(...) and the load s[i] at the send use the
//     same index value and slices loaded from one variable or field
//     path, and the store dominates the send;
//   - between the two the function stores no other channel or slice of
//     that type, and makes no synchronizing operation but the send
//     itself and one (*sync.WaitGroup).Done outside a loop: another
//     goroutine's store into the element can only come in between,
//     without a data race, if it is ordered after a release of this
//     goroutine and before a later acquire, which needs two such
//     operations (a send with room in its buffer only releases);
//   - the send is the package's only send on that class of channels,
//     which goes nowhere the package does not see (wherever else the
//     channel went, its sends would be in the class): each goroutine
//     sends only on the channel it made.
//
// With no call but len, cap and that Done between the make, the store
// and the sends, the lock held at the send is held at the make too: the
// collection is counted and ranged over under the same lock.

// slotChannel returns the channel that op, a send on s[i], sends on:
// the make that the function stored in s[i] before, as above; or nil.
func (c *checker) slotChannel(op syncapi.BlockingOp) (*ssa.MakeChan, *ssa.Store) {
	ld, ok := op.Chan.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return nil, nil
	}
	at, ok := ld.X.(*ssa.IndexAddr)
	if !ok {
		return nil, nil
	}
	fn := op.Instr.Parent()
	var store *ssa.Store
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			st, ok := instr.(*ssa.Store)
			if !ok {
				continue
			}
			p, ok := st.Addr.(*ssa.IndexAddr)
			if !ok || !sameIndex(p.Index, at.Index) || !samePath(p.X, at.X, new([]ssa.Instruction)) {
				continue
			}
			if store != nil {
				return nil, nil // stored twice: which one reaches the send is a question of paths
			}
			store = st
		}
	}
	if store == nil || !flow.Dominates(store, op.Instr) {
		return nil, nil
	}
	mk, ok := store.Val.(*ssa.MakeChan)
	if !ok || mk.Parent() != fn || !c.keptUntil(store, op.Instr) || !c.onlySend(op) {
		return nil, nil
	}
	return mk, store
}

// keptUntil reports whether nothing that runs after store and before
// op may change the element store wrote without a data race: no other
// store of the channel's or the slice's type, no synchronizing
// operation but op itself (a send) and at most one WaitGroup.Done that
// runs once.
func (c *checker) keptUntil(store *ssa.Store, op ssa.Instruction) bool {
	fn := op.Parent()
	var r flow.Reach
	elem := store.Val.Type()
	slice := store.Addr.(*ssa.IndexAddr).X.Type()
	dones := 0
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if instr == op || instr == ssa.Instruction(store) || !r.MayPrecede(store, instr) || !r.MayPrecede(instr, op) {
				continue
			}
			switch instr := instr.(type) {
			case *ssa.Store:
				if t := instr.Val.Type(); types.Identical(t, elem) || types.Identical(t, slice) {
					return false
				}
			case *ssa.Call:
				switch {
				case isBuiltin(instr, "len") || isBuiltin(instr, "cap"):
				case isWaitGroupDone(instr.Common()) && !r.InLoop(instr.Block()):
					dones++
				default:
					return false
				}
			case *ssa.Send, *ssa.Select, *ssa.Go, *ssa.Defer:
				return false
			case *ssa.UnOp:
				if instr.Op == token.ARROW {
					return false
				}
			}
		}
	}
	return dones <= 1
}

func isWaitGroupDone(call *ssa.CallCommon) bool {
	f := syncapi.Callee(call)
	return f != nil && syncapi.FullName(f) == syncapi.WaitGroupDone
}

// sameIndex reports whether a and b are one index value: one SSA
// value, or equal constants (go/ssa makes a constant anew at each use).
func sameIndex(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	ka, ok := a.(*ssa.Const)
	kb, ok2 := b.(*ssa.Const)
	return ok && ok2 && ka.Value != nil && kb.Value != nil && constant.Compare(ka.Value, token.EQL, kb.Value)
}

// onlySend reports whether op is the package's only send on its
// channel's class, whose every operation the package sees.
func (c *checker) onlySend(op syncapi.BlockingOp) bool {
	classes := c.chans.classesOf(op.Chan)
	if len(classes) != 1 || classes[0] == openNode {
		return false
	}
	sends := c.chans.sends[classes[0]]
	return len(sends) == 1 && sends[0].instr == op.Instr
}
