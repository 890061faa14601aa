// Package syncapi knows the synchronization APIs of Go: which calls
// acquire and release locks, which functions of sync/atomic access
// memory, and which SSA instructions may block on a channel.
// Knowledge lives in tables keyed by function name, not in if-chains.
package syncapi

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
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
	m, ok := lockMethods[fn.FullName()]
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

// CannotBlock reports whether op provably never blocks: a send on a
// channel that the same function made with a constant buffer, outside
// loops, where fewer sends than the buffer holds may precede op and
// the channel reaches no other code before op (fixture okBufferedLocal;
// grpc's health server sends once in either branch of an if, then
// stores the channel in a map).
func CannotBlock(op BlockingOp) bool {
	var reach flow.Reach
	if op.Kind != Send || reach.InLoop(op.Instr.Block()) {
		return false
	}
	mk, ok := op.Chan.(*ssa.MakeChan)
	if !ok {
		return false
	}
	c, ok := mk.Size.(*ssa.Const)
	if !ok || c.Value == nil {
		return false
	}
	sends := int64(0)
	for _, ref := range *mk.Referrers() {
		if ref == op.Instr || !reach.MayPrecede(ref, op.Instr) {
			continue
		}
		switch ref := ref.(type) {
		case *ssa.Send:
			sends++
		case *ssa.UnOp, *ssa.DebugRef:
			// Receiving adds no sender.
		case *ssa.ChangeType:
			// Converting to a receive-only channel adds no sender.
			if ch, ok := ref.Type().Underlying().(*types.Chan); !ok || ch.Dir() != types.RecvOnly {
				return false
			}
		case *ssa.Call:
			// close(ch), len(ch) and cap(ch) add no sender.
			if _, ok := ref.Call.Value.(*ssa.Builtin); !ok {
				return false
			}
		default:
			// Stored, captured, passed or converted before op:
			// another sender may fill the buffer.
			return false
		}
	}
	return sends+1 <= c.Int64()
}

// ClosedBefore reports whether op is a receive from, or a range over,
// a channel that the function closes on every path before op: a closed
// channel never blocks a receiver (go-redis's sentinel collects errors
// from joined goroutines, closes the channel and ranges over it;
// fixture okRangeAfterClose).
func ClosedBefore(op BlockingOp) bool {
	if op.Kind != Recv && op.Kind != Range {
		return false
	}
	// The close takes the same value, or another load of the same
	// variable: look only at their uses, not at the whole function
	// (this runs for every receive of every function).
	ch := sameChan(op.Chan)
	aliases := []ssa.Value{ch}
	if load, ok := stripChangeType(op.Chan).(*ssa.UnOp); ok && load.Op == token.MUL && ch != ssa.Value(load) {
		for _, r := range uses(load.X) {
			if l, ok := r.(*ssa.UnOp); ok && l.Op == token.MUL {
				aliases = append(aliases, l)
			}
		}
	}
	for _, v := range aliases {
		for _, r := range uses(v) {
			call, ok := r.(*ssa.Call)
			if !ok || len(call.Call.Args) != 1 || call.Call.Args[0] != v {
				continue
			}
			if bi, ok := call.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" && flow.Dominates(call, op.Instr) {
				return true
			}
		}
	}
	return false
}

// uses returns the instructions that use v. Unlike v.Referrers(), it
// accepts any value: constants (a nil channel), globals and named
// functions have no referrers, so their uses are none
// (fixture nilChan in testdata/src/syncapi).
func uses(v ssa.Value) []ssa.Instruction {
	if refs := v.Referrers(); refs != nil {
		return *refs
	}
	return nil
}

func stripChangeType(v ssa.Value) ssa.Value {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			return v
		}
		v = ct.X
	}
}

// sameChan returns what identifies the channel v within its function:
// v without direction conversions, or, for a load of a local variable
// that is assigned once (a channel that closures capture), the value
// assigned.
func sameChan(v ssa.Value) ssa.Value {
	for {
		v = stripChangeType(v)
		switch x := v.(type) {
		case *ssa.UnOp:
			if cell, ok := x.X.(*ssa.Alloc); ok && x.Op == token.MUL {
				if val := assignedOnce(cell); val != nil {
					v = val
					continue
				}
			}
		}
		return v
	}
}

// assignedOnce returns the value of the only store to the local
// variable cell, or nil: also if its address goes anywhere but to
// aliases and to closures that only read it.
func assignedOnce(cell *ssa.Alloc) ssa.Value {
	var val ssa.Value
	for _, r := range *cell.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != cell || val != nil {
				return nil
			}
			val = r.Val
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil
			}
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
			fn := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b == cell && !onlyLoaded(fn.FreeVars[i]) {
					return nil
				}
			}
		default:
			return nil
		}
	}
	return val
}

// onlyLoaded reports whether the closure's free variable fv is only
// read.
func onlyLoaded(fv *ssa.FreeVar) bool {
	for _, r := range *fv.Referrers() {
		switch r := r.(type) {
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
}

// DrainedBefore reports whether op is a send that a non-blocking
// receive from the same channel precedes on every path, the "keep only
// the latest value" idiom: select { case <-ch: default: }; ch <- v.
// Under a lock that every sender holds, the drained buffer has room
// (grpc's health server, fixture okDrainThenSend).
func DrainedBefore(op BlockingOp) bool {
	if op.Kind != Send {
		return false
	}
	for _, ref := range uses(op.Chan) {
		sel, ok := ref.(*ssa.Select)
		if !ok || sel.Blocking || !flow.Dominates(sel, op.Instr) {
			continue
		}
		for _, st := range sel.States {
			if st.Dir == types.RecvOnly && st.Chan == op.Chan {
				return true
			}
		}
	}
	return false
}

// BufferedChans records the channels that a package makes with a
// buffer everywhere: programs send on such channels under a lock by
// design, relying on the buffer (net/http's closeNotifyCh, made with
// capacity 1 and sent on once; database/sql's chan connRequest).
type BufferedChans struct {
	fields map[*types.Var]bool      // channel fields stored only buffered channels or nil
	elems  map[*types.TypeName]bool // element types of this package whose channels are all made buffered
}

// FindBufferedChans scans funcs for channel makes and stores into
// channel fields. Functions for which skip returns true (tests, which
// make unbuffered channels to provoke blocking) are not considered.
func FindBufferedChans(pkg *types.Package, funcs []*ssa.Function, skip func(*ssa.Function) bool) *BufferedChans {
	bc := &BufferedChans{fields: make(map[*types.Var]bool), elems: make(map[*types.TypeName]bool)}
	unbufFields := make(map[*types.Var]bool)
	unbufElems := make(map[*types.TypeName]bool)
	for _, fn := range funcs {
		if skip(fn) {
			continue
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.MakeChan:
					if elem := localElem(pkg, instr.Type()); elem != nil {
						if isBufferedOrNil(instr) {
							bc.elems[elem] = true
						} else {
							unbufElems[elem] = true
						}
					}
				case *ssa.Store:
					field := FieldOf(instr.Addr)
					if field == nil {
						continue
					}
					if _, isChan := field.Type().Underlying().(*types.Chan); !isChan {
						continue
					}
					if isBufferedOrNil(instr.Val) {
						bc.fields[field] = true
					} else {
						unbufFields[field] = true
					}
				}
			}
		}
	}
	for f := range unbufFields {
		delete(bc.fields, f)
	}
	for e := range unbufElems {
		delete(bc.elems, e)
	}
	return bc
}

// BufferedByDesign reports whether op sends on a channel that the
// package always makes buffered: one loaded from a field that only
// ever holds buffered channels, or one whose element type is a named
// type of this package all of whose channels are made buffered.
func (bc *BufferedChans) BufferedByDesign(op BlockingOp) bool {
	if op.Kind != Send {
		return false
	}
	if bc.fields[LoadedField(op.Chan)] {
		return true
	}
	if ch, ok := op.Chan.Type().Underlying().(*types.Chan); ok {
		if n, ok := types.Unalias(ch.Elem()).(*types.Named); ok && bc.elems[n.Obj()] {
			return true
		}
	}
	return false
}

// localElem returns the element type of the channel type t if it is a
// named type declared in pkg: other packages rarely make channels of it.
func localElem(pkg *types.Package, t types.Type) *types.TypeName {
	ch, ok := t.Underlying().(*types.Chan)
	if !ok {
		return nil
	}
	n, ok := types.Unalias(ch.Elem()).(*types.Named)
	if !ok || n.Obj().Pkg() != pkg {
		return nil
	}
	return n.Obj()
}

// isBufferedOrNil reports whether v is nil or a channel made with a
// capacity that is not the constant zero.
func isBufferedOrNil(v ssa.Value) bool {
	for {
		switch x := v.(type) {
		case *ssa.ChangeType:
			v = x.X
			continue
		case *ssa.Const:
			return x.IsNil()
		case *ssa.MakeChan:
			c, ok := x.Size.(*ssa.Const)
			return !ok || c.Value == nil || c.Int64() != 0
		}
		return false
	}
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

// JoinsOwnGoroutine reports whether op waits only for goroutines that
// its own function started: a receive from, or range over, a channel
// the function made and handed to nothing but those goroutines, or a
// select whose cases all receive from such channels or from timers.
// That is a fork-join, as synchronous as a call: go-cmp runs the
// user's Equal in a goroutine to expose races and waits for it, klog
// flushes in one with a timeout, bbolt ranges over a checker's results
// (fixture okForkJoin).
func JoinsOwnGoroutine(op BlockingOp) bool {
	switch op.Kind {
	case Recv, Range:
		return ownGoroutineChan(op.Chan)
	case Select:
		sel := op.Instr.(*ssa.Select)
		own := false
		for _, st := range sel.States {
			switch {
			case st.Dir != types.RecvOnly:
				return false
			case ownGoroutineChan(st.Chan):
				own = true
			case !isTimerChan(st.Chan):
				return false
			}
		}
		return own
	}
	return false
}

// ownGoroutineChan reports whether ch was made in its function and is
// used there only to receive and to hand to goroutines it starts.
func ownGoroutineChan(ch ssa.Value) bool {
	for {
		ct, ok := ch.(*ssa.ChangeType)
		if !ok {
			break
		}
		ch = ct.X
	}
	if ld, ok := ch.(*ssa.UnOp); ok && ld.Op == token.MUL {
		if alloc, ok := ld.X.(*ssa.Alloc); ok {
			return ownGoroutineVar(alloc)
		}
	}
	mk, ok := ch.(*ssa.MakeChan)
	if !ok {
		return false
	}
	return handedOnlyToGoroutines(mk, 0)
}

// ownGoroutineVar is ownGoroutineChan for a channel held in a local
// variable that closures capture: the variable is assigned once, a
// channel made there, and otherwise only read to receive, or captured
// by closures that are started as goroutines.
func ownGoroutineVar(alloc *ssa.Alloc) bool {
	made, started := false, false
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.Store:
			if _, ok := ref.Val.(*ssa.MakeChan); !ok || made || ref.Addr != alloc {
				return false
			}
			made = true
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				return false
			}
			for _, use := range *ref.Referrers() {
				if u, ok := use.(*ssa.UnOp); !ok || u.Op != token.ARROW {
					if _, ok := use.(*ssa.Select); !ok {
						return false
					}
				}
			}
		case *ssa.MakeClosure:
			if !closureOnlyStarted(ref) {
				return false
			}
			started = true
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return made && started
}

// handedOnlyToGoroutines reports whether every use of v receives from
// it, closes it, or hands it to a go statement (as an argument or a
// captured variable of the closure it starts), and at least one does.
func handedOnlyToGoroutines(v ssa.Value, depth int) bool {
	if depth > 4 {
		return false
	}
	started := false
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp, *ssa.DebugRef, *ssa.Select:
			// a receive; Select only reaches here as a receive
			// case, since sends are rejected by the caller.
		case *ssa.ChangeType:
			if !handedOnlyToGoroutines(ref, depth+1) {
				return false
			}
			started = true
		case *ssa.Go:
			started = true
		case *ssa.MakeClosure:
			if !closureOnlyStarted(ref) {
				return false
			}
			started = true
		default:
			return false
		}
	}
	return started
}

// closureOnlyStarted reports whether the closure is used only by go statements.
func closureOnlyStarted(mc *ssa.MakeClosure) bool {
	refs := *mc.Referrers()
	if len(refs) == 0 {
		return false
	}
	for _, ref := range refs {
		g, ok := ref.(*ssa.Go)
		if !ok || g.Call.Value != mc {
			return false
		}
	}
	return true
}

// isTimerChan reports whether ch is time.After(d) or a timer's C.
func isTimerChan(ch ssa.Value) bool {
	if call, ok := ch.(*ssa.Call); ok {
		if fn := Callee(call.Common()); fn != nil && fn.FullName() == "time.After" {
			return true
		}
	}
	if ld, ok := ch.(*ssa.UnOp); ok && ld.Op == token.MUL {
		if f := FieldOf(ld.X); f != nil && f.Name() == "C" && f.Pkg() != nil && f.Pkg().Path() == "time" {
			return true
		}
	}
	return false
}
