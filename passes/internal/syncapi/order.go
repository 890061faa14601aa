package syncapi

import (
	"go/token"
	"go/types"
	"strings"
	"sync"

	"golang.org/x/tools/go/ssa"
)

// A SyncClass classifies an operation by the way it can order memory
// accesses of two goroutines: a releasing operation in one goroutine
// happens before the matching acquiring operation that it unblocks in
// another (the Go memory model's "synchronized before").
type SyncClass int

const (
	ChanSend   SyncClass = iota // send, close, or a select's send case
	ChanRecv                    // receive, range, or a select's receive case
	GroupDone                   // (*sync.WaitGroup).Done or Add
	GroupWait                   // Wait of a sync.WaitGroup or errgroup.Group
	CondSignal                  // (*sync.Cond).Signal or Broadcast
	CondWait                    // (*sync.Cond).Wait
	Atomic                      // a sync/atomic function or method: a release and an acquire
	WaitAll                     // synctest.Wait: waits until every other goroutine of the bubble blocks or exits
)

// A SyncOp is an operation on a synchronization object.
type SyncOp struct {
	Class SyncClass
	Obj   ssa.Value // the channel, or the receiver of the method
	Instr ssa.Instruction
	Case  int // for a select, the index of the case; else -1
}

// WaitGroupAdd, WaitGroupDone and WaitGroupWait are the full names of
// the methods by which a WaitGroup joins a goroutine, for checks that
// model only those joins (atomicmix).
const (
	WaitGroupAdd  = "(*sync.WaitGroup).Add"
	WaitGroupDone = "(*sync.WaitGroup).Done"
	WaitGroupWait = "(*sync.WaitGroup).Wait"
)

// syncMethods maps the methods that synchronize goroutines to their class.
var syncMethods = map[string]SyncClass{
	WaitGroupDone: GroupDone,
	WaitGroupAdd:  GroupDone,
	WaitGroupWait: GroupWait,
	"(*golang.org/x/sync/errgroup.Group).Wait": GroupWait,
	"(*sync.Cond).Signal":                      CondSignal,
	"(*sync.Cond).Broadcast":                   CondSignal,
	"(*sync.Cond).Wait":                        CondWait,
}

// orders lists the pairs (release, acquire) of classes where the
// release, in one goroutine, happens before the acquire it unblocks
// in another. A receive orders before the send it completes only on an
// unbuffered channel (or, for a semaphore, one of capacity 1); it is
// listed because a checker that wants no false positives must assume
// that it may.
var orders = map[[2]SyncClass]bool{
	{ChanSend, ChanRecv}:   true,
	{ChanRecv, ChanSend}:   true,
	{GroupDone, GroupWait}: true,
	{CondSignal, CondWait}: true,
	{Atomic, Atomic}:       true,
}

// waitAllFuncs lists the functions that wait for all the goroutines
// started in a synctest bubble to block durably or exit: accesses they
// made before are ordered before Wait returns.
var waitAllFuncs = map[string]bool{
	"testing/synctest.Wait":  true,
	"internal/synctest.Wait": true,
}

// orderPkgs holds the packages of the functions that SyncOpsOf knows.
var orderPkgs = map[string]bool{"sync/atomic": true}

func init() {
	for name := range syncMethods {
		orderPkgs[PkgOfName(name)] = true
	}
	for name := range waitAllFuncs {
		orderPkgs[PkgOfName(name)] = true
	}
}

// names caches the full names of the functions of the packages the
// tables know, which are few: the lockset asks for the name of each
// lock call once per question about it, and spelling the name each
// time was most of gocapture's allocations on 3000 go statements.
var names sync.Map // *types.Func -> string

// FullName returns fn.FullName(), remembered for the functions of the
// packages that the tables of syncapi and spawn name; callers check
// the package first, so that the cache stays small.
func FullName(fn *types.Func) string {
	if name, ok := names.Load(fn); ok {
		return name.(string)
	}
	name := fn.FullName()
	names.Store(fn, name)
	return name
}

// PkgOfName returns the package path of a full name as
// (*types.Func).FullName spells it: pkg/path.F, (*pkg/path.T).M or
// (pkg/path.T).M.
func PkgOfName(full string) string {
	if strings.HasPrefix(full, "(") {
		full = strings.TrimPrefix(full[1:strings.Index(full, ")")], "*")
	}
	return full[:strings.LastIndex(full, ".")]
}

// Orders reports whether an operation of class release in one
// goroutine may happen before an operation of class acquire, on the
// same object, in another.
func Orders(release, acquire SyncClass) bool { return orders[[2]SyncClass{release, acquire}] }

// SyncOpsOf returns the synchronizing operations that instr performs:
// several for a select, at most one otherwise. Deferred calls are
// included; the caller decides when they run.
func SyncOpsOf(instr ssa.Instruction) []SyncOp {
	switch instr := instr.(type) {
	case *ssa.Send:
		return []SyncOp{{Class: ChanSend, Obj: instr.Chan, Instr: instr, Case: -1}}
	case *ssa.UnOp:
		if instr.Op == token.ARROW {
			return []SyncOp{{Class: ChanRecv, Obj: instr.X, Instr: instr, Case: -1}}
		}
	case *ssa.Select:
		var ops []SyncOp
		for i, st := range instr.States {
			c := ChanRecv
			if st.Dir == types.SendOnly {
				c = ChanSend
			}
			ops = append(ops, SyncOp{Class: c, Obj: st.Chan, Instr: instr, Case: i})
		}
		return ops
	case ssa.CallInstruction:
		call := instr.Common()
		if _, ok := call.Value.(*ssa.Builtin); ok {
			if IsClose(instr) {
				return []SyncOp{{Class: ChanSend, Obj: call.Args[0], Instr: instr, Case: -1}}
			}
			return nil
		}
		if a, ok := AtomicAccessOf(call); ok {
			return []SyncOp{{Class: Atomic, Obj: a.Addr, Instr: instr, Case: -1}}
		}
		fn := Callee(call)
		if fn == nil {
			return nil
		}
		if fn.Pkg() == nil || !orderPkgs[fn.Pkg().Path()] {
			// Most calls are of other packages: spelling their
			// full names was a third of gocapture's allocations
			// on 3000 go statements (issue 11).
			return nil
		}
		name := FullName(fn)
		if waitAllFuncs[name] {
			return []SyncOp{{Class: WaitAll, Instr: instr, Case: -1}}
		}
		c, ok := syncMethods[name]
		if !ok && IsAtomicMethod(fn) {
			c, ok = Atomic, true
		}
		if !ok {
			return nil
		}
		recv := call.Value
		if !call.IsInvoke() {
			if len(call.Args) == 0 {
				return nil
			}
			recv = call.Args[0]
		}
		return []SyncOp{{Class: c, Obj: recv, Instr: instr, Case: -1}}
	}
	return nil
}

// IsClose reports whether instr calls, defers or runs as a goroutine
// the builtin close.
func IsClose(instr ssa.Instruction) bool {
	call, ok := instr.(ssa.CallInstruction)
	if !ok {
		return false
	}
	b, ok := call.Common().Value.(*ssa.Builtin)
	return ok && b.Name() == "close" && len(call.Common().Args) == 1
}

// IsAtomicMethod reports whether fn is a method of one of sync/atomic's
// types (atomic.Int64, atomic.Value, atomic.Pointer[T], ...).
func IsAtomicMethod(fn *types.Func) bool {
	sig, ok := fn.Type().(*types.Signature)
	return ok && sig.Recv() != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic"
}
