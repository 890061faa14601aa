// Package syncapi knows the synchronization APIs of Go: which calls
// acquire and release locks, which functions of sync/atomic access
// memory, and which SSA instructions may block on a channel.
// Knowledge lives in tables keyed by function name, not in if-chains.
package syncapi

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A LockEffect says what a call does to the lock it is called on.
type LockEffect int

const (
	NoLockEffect LockEffect = iota
	Acquire                 // Lock, RLock
	Release                 // Unlock, RUnlock
)

// A lockMethod describes one locking method.
type lockMethod struct {
	effect LockEffect
	shared bool // a read lock (RLock/RUnlock)
}

// lockMethods maps the full names of the locking methods, as
// (*types.Func).FullName spells them, to their effect. TryLock is left
// out: it acquires only on one branch of its result, and a lock that
// is held on only some paths is never reported.
var lockMethods = map[string]lockMethod{
	"(*sync.Mutex).Lock":      {Acquire, false},
	"(*sync.Mutex).Unlock":    {Release, false},
	"(*sync.RWMutex).Lock":    {Acquire, false},
	"(*sync.RWMutex).Unlock":  {Release, false},
	"(*sync.RWMutex).RLock":   {Acquire, true},
	"(*sync.RWMutex).RUnlock": {Release, true},
	"(sync.Locker).Lock":      {Acquire, false},
	"(sync.Locker).Unlock":    {Release, false},
}

// A LockCall is a call that acquires or releases a lock.
type LockCall struct {
	Effect LockEffect
	Shared bool      // a read lock of a sync.RWMutex
	Mutex  ssa.Value // the receiver: a *sync.Mutex, *sync.RWMutex or sync.Locker
}

// LockCallOf reports whether call acquires or releases a lock, and on what.
func LockCallOf(call *ssa.CallCommon) (LockCall, bool) {
	fn := Callee(call)
	// Check the package before building the name: this runs on every
	// call of every function.
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return LockCall{}, false
	}
	m, ok := lockMethods[FullName(fn)]
	if !ok {
		return LockCall{}, false
	}
	recv := call.Value
	if !call.IsInvoke() {
		if len(call.Args) == 0 {
			return LockCall{}, false
		}
		recv = call.Args[0]
	}
	return LockCall{Effect: m.effect, Shared: m.shared, Mutex: recv}, true
}

// Callee returns the function or abstract method that call statically
// names: the static callee's object, or the interface method of an
// invoke-mode call. It returns nil for calls of function values and of
// synthetic functions with no object.
func Callee(call *ssa.CallCommon) *types.Func {
	if call.IsInvoke() {
		return call.Method
	}
	if fn := call.StaticCallee(); fn != nil {
		if fn.Origin() != nil {
			fn = fn.Origin()
		}
		if obj, ok := fn.Object().(*types.Func); ok {
			return obj
		}
	}
	return nil
}

// An AtomicAccess describes a call of a sync/atomic function that
// accesses the memory its first argument points to.
type AtomicAccess struct {
	Addr  ssa.Value // the pointer argument, e.g. &s.n
	Write bool      // Add, Store, Swap, CompareAndSwap, And, Or
	Kind  string    // the operation: "Add", "Load", "Store", ...
	Type  string    // the operand type suffix: "Int64", "Uint32", "Pointer", ...
}

// atomicOps maps the operation prefixes of sync/atomic's functions to
// whether they write.
var atomicOps = map[string]bool{
	"Add": true, "Load": false, "Store": true, "Swap": true,
	"CompareAndSwap": true, "And": true, "Or": true,
}

// atomicTypes lists the operand type suffixes of sync/atomic's
// pointer-taking functions.
var atomicTypes = []string{"Int32", "Int64", "Uint32", "Uint64", "Uintptr", "Pointer"}

// atomicFuncs maps "sync/atomic.AddInt64" and its siblings to their access.
var atomicFuncs = func() map[string]AtomicAccess {
	m := make(map[string]AtomicAccess)
	for op, write := range atomicOps {
		for _, t := range atomicTypes {
			m["sync/atomic."+op+t] = AtomicAccess{Write: write, Kind: op, Type: t}
		}
	}
	return m
}()

// AtomicAccessOf reports whether call is a call of a sync/atomic
// function on a pointer, such as atomic.AddInt64(&s.n, 1).
// Methods of the typed atomics (atomic.Int64) are not included: their
// values cannot be accessed plainly.
func AtomicAccessOf(call *ssa.CallCommon) (AtomicAccess, bool) {
	fn := Callee(call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync/atomic" || len(call.Args) == 0 {
		return AtomicAccess{}, false
	}
	a, ok := atomicFuncs["sync/atomic."+fn.Name()]
	if !ok {
		return AtomicAccess{}, false
	}
	a.Addr = call.Args[0]
	return a, true
}

// rangeChanLoop is the comment of the block in which go/ssa puts the
// receive of a for range loop over a channel, and nothing else that
// receives; it tells the loop from v, ok := <-ch without the syntax.
const rangeChanLoop = "rangechan.loop"

// A ChanOpKind is the kind of a channel operation that may block.
type ChanOpKind int

const (
	Send ChanOpKind = iota
	Recv
	Range  // for range over a channel
	Select // select without default
)

// A BlockingOp is an instruction that may block on a channel.
type BlockingOp struct {
	Kind  ChanOpKind
	Instr ssa.Instruction
	Chan  ssa.Value // nil for Select
	Pos   token.Pos
}

// Verb describes the operation for a diagnostic: "send on", "receive
// from", "range over", "select".
func (op BlockingOp) Verb() string {
	switch op.Kind {
	case Send:
		return "send on"
	case Recv:
		return "receive from"
	case Range:
		return "range over"
	}
	return "select"
}

// BlockingOpOf reports whether instr may block on a channel. A select
// with a default case never blocks; close, len and cap never block.
func BlockingOpOf(instr ssa.Instruction) (BlockingOp, bool) {
	switch instr := instr.(type) {
	case *ssa.Send:
		return BlockingOp{Kind: Send, Instr: instr, Chan: instr.Chan, Pos: instr.Pos()}, true
	case *ssa.UnOp:
		if instr.Op != token.ARROW {
			return BlockingOp{}, false
		}
		kind := Recv
		if instr.CommaOk && instr.Block().Comment == rangeChanLoop {
			kind = Range
		}
		return BlockingOp{Kind: kind, Instr: instr, Chan: instr.X, Pos: instr.Pos()}, true
	case *ssa.Select:
		if !instr.Blocking {
			return BlockingOp{}, false
		}
		return BlockingOp{Kind: Select, Instr: instr, Pos: instr.Pos()}, true
	}
	return BlockingOp{}, false
}

// FieldOf returns the struct field that addr, a &x.f address,
// addresses, or nil.
func FieldOf(addr ssa.Value) *types.Var {
	fa, ok := addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	t := fa.X.Type().Underlying()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	if s, ok := t.(*types.Struct); ok && fa.Field < s.NumFields() {
		return s.Field(fa.Field)
	}
	return nil
}

// LoadedField returns the field whose value ch was loaded from
// (ch is x.f), or nil.
func LoadedField(ch ssa.Value) *types.Var {
	if ct, ok := ch.(*ssa.ChangeType); ok {
		ch = ct.X
	}
	if ld, ok := ch.(*ssa.UnOp); ok && ld.Op == token.MUL {
		return FieldOf(ld.X)
	}
	return nil
}
