package atomicmix

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 4 (initmethod). Go's convention for in-place initialization is a method named Init
// or init: list.List.Init, poll.FD.Init, a stream's embedded
// writeQuota.init in grpc. Its callers run it on a value they are
// still preparing, often in another package or through a field of a
// value they allocated, so no local rule sees that the value is not
// yet shared. A plain write through the receiver of such a method is
// therefore taken as initialization (fixture okInitMethod in
// atomicmix/initmethod), unless the method itself synchronizes: one
// that takes a lock or makes an atomic access expects other goroutines
// (fixtures guarded.Init, counted.Init).

// initMethodWrite reports whether a plain write to addr in fn is a
// write through the receiver of an initializer method.
func initMethodWrite(fn *ssa.Function, addr ssa.Value) bool {
	return isInitializer(fn) && receiverRoot(fn, addr) != nil
}

// isInitializer reports whether fn is a method named Init or init, on
// a pointer receiver, that neither locks nor accesses memory
// atomically.
func isInitializer(fn *ssa.Function) bool {
	sig := fn.Signature
	if sig.Recv() == nil || (fn.Name() != "Init" && fn.Name() != "init") || len(fn.Params) == 0 || fn.Parent() != nil {
		return false
	}
	if _, ok := types.Unalias(sig.Recv().Type()).(*types.Pointer); !ok {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			if _, ok := syncapi.LockCallOf(call.Common()); ok {
				return false
			}
			if _, ok := syncapi.AtomicAccessOf(call.Common()); ok {
				return false
			}
		}
	}
	return true
}
