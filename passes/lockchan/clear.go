package lockchan

import (
	"go/token"
	"go/types"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
	"golang.org/x/tools/go/ssa"
)

// This file holds the exceptions of the model's step 2 (doc.go): the
// blocking operations that cannot block, or block only as a fork-join,
// and so are reported in neither tier. They are one ordered table; the
// judge, excuse, goes through it and names the exception that cleared
// an operation.

// An exception clears a blocking operation from both tiers.
type exception struct {
	name  string // cited in doc.go
	rule  string // one line: what it clears
	clear func(c *checker, op syncapi.BlockingOp) bool
}

// exceptions are tried in order; the first that clears an operation
// names it.
var exceptions = []exception{
	{"buffered-local", "a send on a channel the function made with room for all its sends there",
		func(_ *checker, op syncapi.BlockingOp) bool { return cannotBlock(op) }},
	{"buffered-covered", "a send on a channel made with a constant buffer that holds every send the package makes on it, none in a loop",
		(*checker).bufferCoversSends},
	{"drained", "a send after a non-blocking drain of the channel under the lock",
		func(_ *checker, op syncapi.BlockingOp) bool { return drainedBefore(op) }},
	{"closed", "a receive from a channel the function closed before it on every path",
		func(_ *checker, op syncapi.BlockingOp) bool { return closedBefore(op) }},
	{"fork-join", "a wait for goroutines the same function started",
		func(_ *checker, op syncapi.BlockingOp) bool { return joinsOwnGoroutine(op) }},
	{"len-guarded", "a receive after len(ch) > 0 was checked under a lock that every sender on the channel holds",
		(*checker).lenGuarded},
	{"slot-release", "a receive from a buffered channel (a semaphore) that the function itself sent on before it: it takes back its own slot",
		(*checker).slotRelease},
	{"buffered-by-design", "a send on a channel the package always makes buffered, unless a loop sends on one value's field channel again and again",
		(*checker).bufferedByDesign},
}

// excuse returns the exception that clears op, or nil if op may block
// and is judged by the tiers.
func (c *checker) excuse(op syncapi.BlockingOp) *exception {
	for i := range exceptions {
		if exceptions[i].clear(c, op) {
			return &exceptions[i]
		}
	}
	return nil
}

// bufferCoversSends reports whether op sends on a channel whose every
// make site has a constant buffer at least as large as the number of
// sends the package makes on it, none of them in a loop or in a
// function started or called in a loop: goroutines started once each
// (go work(); go work() on a channel of capacity 2) cannot fill it.
func (c *checker) bufferCoversSends(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Send {
		return false
	}
	classes := c.chans.classesOf(op.Chan)
	if len(classes) != 1 || classes[0] == openNode {
		return false
	}
	sends := c.chans.sends[classes[0]]
	makes := c.chans.makeSites[classes[0]]
	capacity, ok := c.chans.minCap[classes[0]]
	if !ok || len(makes) != 1 || int64(len(sends)) > capacity {
		return false
	}
	for _, s := range sends {
		if _, isSend := s.instr.(*ssa.Send); !isSend || c.runsAgain(s.instr.Block(), makes[0].Parent(), 0) {
			return false
		}
	}
	return true
}

// runsAgain reports whether block b may run more than once per call of
// maker, the function that makes the channel: b is in a loop, or its
// function is reached from maker through a call or goroutine start
// that is in a loop, or is started or called from more than one place.
func (c *checker) runsAgain(b *ssa.BasicBlock, maker *ssa.Function, depth int) bool {
	var reach flow.Reach
	if reach.InLoop(b) {
		return true
	}
	fn := b.Parent()
	if fn == maker {
		return false
	}
	sites := c.chans.callers[fn]
	if depth > maxContainDepth || len(sites) != 1 {
		return true
	}
	return c.runsAgain(sites[0].Block(), maker, depth+1)
}

// lenGuarded reports whether op receives from a channel only after
// the function saw len(ch) > 0 (a branch on it dominates op) while
// holding a lock that every sender on the channel holds when it sends,
// and still holds at op: no receiver can have taken the value in
// between, so the receive does not wait (sarama's mock consumer).
func (c *checker) lenGuarded(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Recv {
		return false
	}
	guard := lenGuard(op)
	if guard == nil {
		return false
	}
	locks := c.locks.Func(op.Instr.Parent())
	if locks == nil {
		return false
	}
	classes := c.chans.classesOf(op.Chan)
	if len(classes) != 1 || classes[0] == openNode {
		return false
	}
	for _, l := range locks.HeldAt(guard) {
		cls := classOfHeld(l)
		if !cls.known() || !heldClass(locks.HeldAt(op.Instr), cls) {
			continue
		}
		if c.sendersHold(classes[0], cls) {
			return true
		}
	}
	return false
}

// lenGuard returns the branch on len(ch) > 0 (or != 0, >= 1) whose true
// edge dominates op, for op's channel ch, or nil.
func lenGuard(op syncapi.BlockingOp) *ssa.If {
	for b := op.Instr.Block(); b != nil; b = b.Idom() {
		idom := b.Idom()
		if idom == nil {
			return nil
		}
		br, ok := idom.Instrs[len(idom.Instrs)-1].(*ssa.If)
		if !ok || idom.Succs[0] != b && !idom.Succs[0].Dominates(op.Instr.Block()) {
			continue
		}
		cmp, ok := br.Cond.(*ssa.BinOp)
		if !ok {
			continue
		}
		if lenCall, ok := cmp.X.(*ssa.Call); ok && isLenOf(lenCall, op.Chan) && positive(cmp) {
			return br
		}
	}
	return nil
}

// isLenOf reports whether call is len(ch'), ch' the same channel as ch.
func isLenOf(call *ssa.Call, ch ssa.Value) bool {
	b, ok := call.Call.Value.(*ssa.Builtin)
	if !ok || b.Name() != "len" || len(call.Call.Args) != 1 {
		return false
	}
	return sameChan(call.Call.Args[0]) == sameChan(ch) || sameLoad(call.Call.Args[0], ch)
}

// sameLoad reports whether a and b load the same field of the same value.
func sameLoad(a, b ssa.Value) bool {
	la, ok1 := stripChangeType(a).(*ssa.UnOp)
	lb, ok2 := stripChangeType(b).(*ssa.UnOp)
	if !ok1 || !ok2 || la.Op != token.MUL || lb.Op != token.MUL {
		return false
	}
	fa, ok1 := la.X.(*ssa.FieldAddr)
	fb, ok2 := lb.X.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.X == fb.X && fa.Field == fb.Field
}

// positive reports whether cmp is x > 0, x != 0 or x >= 1.
func positive(cmp *ssa.BinOp) bool {
	k, ok := cmp.Y.(*ssa.Const)
	if !ok || k.Value == nil {
		return false
	}
	switch cmp.Op {
	case token.GTR, token.NEQ:
		return k.Int64() == 0
	case token.GEQ:
		return k.Int64() == 1
	}
	return false
}

func heldClass(held lockset.Set, cls lockClass) bool {
	for _, l := range held {
		if classOfHeld(l) == cls {
			return true
		}
	}
	return false
}

// sendersHold reports whether every send on the channel class holds
// the lock class when it sends.
func (c *checker) sendersHold(class chanNode, cls lockClass) bool {
	sends := c.chans.sends[class]
	if len(sends) == 0 {
		return false
	}
	for _, s := range sends {
		f := c.locks.Func(s.instr.Parent())
		if f == nil || !heldClass(f.HeldAt(s.instr), cls) {
			return false
		}
	}
	return true
}

// slotRelease reports whether op receives from a buffered channel that
// its function may have sent on before it: a semaphore's release of the
// slot the function took (sarama's sendInternal takes a b.inFlight
// slot and gives it back when the write fails). It assumes the
// semaphore discipline, each receiver releasing a slot some send took.
func (c *checker) slotRelease(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Recv {
		return false
	}
	classes := c.chans.classesOf(op.Chan)
	if len(classes) == 0 {
		return false
	}
	for _, cls := range classes {
		if cls == openNode || !c.chans.makes[cls] || c.chans.unbufMake[cls] {
			return false
		}
	}
	var reach flow.Reach
	for _, b := range op.Instr.Parent().Blocks {
		for _, instr := range b.Instrs {
			send, ok := instr.(*ssa.Send)
			if !ok || !(sameChan(send.Chan) == sameChan(op.Chan) || sameLoad(send.Chan, op.Chan)) {
				continue
			}
			if reach.MayPrecede(send, op.Instr) {
				return true
			}
		}
	}
	return false
}

// bufferedByDesign: a buffer the package always gives the channel holds
// a send now and then, but a loop sending on one field channel fills it
// under load: that is a stall (fixture badBufferedFieldLoop).
func (c *checker) bufferedByDesign(op syncapi.BlockingOp) bool {
	if !c.buffered.bufferedByDesign(op) {
		return false
	}
	var reach flow.Reach
	if syncapi.LoadedField(op.Chan) == nil || !reach.InLoop(op.Instr.Block()) {
		return true
	}
	// In a loop, the send fills one channel only if it is the same
	// value's field every time around: a field of a value the loop
	// takes afresh each iteration (w.done for each waiter w) is a
	// one-shot reply channel, sent on once (go-redis's state machine).
	return perIteration(fieldBase(op.Chan), &reach)
}

// fieldBase returns x for a channel loaded as x.f, or nil.
func fieldBase(ch ssa.Value) ssa.Value {
	if ld, ok := stripChangeType(ch).(*ssa.UnOp); ok && ld.Op == token.MUL {
		if fa, ok := ld.X.(*ssa.FieldAddr); ok {
			return fa.X
		}
	}
	return nil
}

// perIteration reports whether v is computed inside a loop, so that
// each iteration has its own.
func perIteration(v ssa.Value, reach *flow.Reach) bool {
	instr, ok := v.(ssa.Instruction)
	return ok && instr.Block() != nil && reach.InLoop(instr.Block())
}

// cannotBlock reports whether op provably never blocks: a send on a
// channel that the same function made with a constant buffer, outside
// loops, where fewer sends than the buffer holds may precede op and
// the channel reaches no other code before op (fixture okBufferedLocal;
// grpc's health server sends once in either branch of an if, then
// stores the channel in a map).
func cannotBlock(op syncapi.BlockingOp) bool {
	var reach flow.Reach
	if op.Kind != syncapi.Send || reach.InLoop(op.Instr.Block()) {
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

// closedBefore reports whether op is a receive from, or a range over,
// a channel that the function closes on every path before op: a closed
// channel never blocks a receiver (go-redis's sentinel collects errors
// from joined goroutines, closes the channel and ranges over it;
// fixture okRangeAfterClose).
func closedBefore(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Recv && op.Kind != syncapi.Range {
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

// drainedBefore reports whether op is a send that a non-blocking
// receive from the same channel precedes on every path, the "keep only
// the latest value" idiom: select { case <-ch: default: }; ch <- v.
// Under a lock that every sender holds, the drained buffer has room
// (grpc's health server, fixture okDrainThenSend).
func drainedBefore(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Send {
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

// bufferedChans records the channels that a package makes with a
// buffer everywhere: programs send on such channels under a lock by
// design, relying on the buffer (net/http's closeNotifyCh, made with
// capacity 1 and sent on once; database/sql's chan connRequest).
type bufferedChans struct {
	fields map[*types.Var]bool      // channel fields stored only buffered channels or nil
	elems  map[*types.TypeName]bool // element types of this package whose channels are all made buffered
}

// findBufferedChans scans funcs for channel makes and stores into
// channel fields. Functions for which skip returns true (tests, which
// make unbuffered channels to provoke blocking) are not considered.
func findBufferedChans(pkg *types.Package, funcs []*ssa.Function, skip func(*ssa.Function) bool) *bufferedChans {
	bc := &bufferedChans{fields: make(map[*types.Var]bool), elems: make(map[*types.TypeName]bool)}
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
					field := syncapi.FieldOf(instr.Addr)
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

// bufferedByDesign reports whether op sends on a channel that the
// package always makes buffered: one loaded from a field that only
// ever holds buffered channels, or one whose element type is a named
// type of this package all of whose channels are made buffered.
func (bc *bufferedChans) bufferedByDesign(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Send {
		return false
	}
	if bc.fields[syncapi.LoadedField(op.Chan)] {
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

// joinsOwnGoroutine reports whether op waits only for goroutines that
// its own function started: a receive from, or range over, a channel
// the function made and handed to nothing but those goroutines, or a
// select whose cases all receive from such channels or from timers.
// That is a fork-join, as synchronous as a call: go-cmp runs the
// user's Equal in a goroutine to expose races and waits for it, klog
// flushes in one with a timeout, bbolt ranges over a checker's results
// (fixture okForkJoin).
func joinsOwnGoroutine(op syncapi.BlockingOp) bool {
	switch op.Kind {
	case syncapi.Recv, syncapi.Range:
		return ownGoroutineChan(op.Chan)
	case syncapi.Select:
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
			// a receive; syncapi.Select only reaches here as a receive
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
		if fn := syncapi.Callee(call.Common()); fn != nil && fn.FullName() == "time.After" {
			return true
		}
	}
	if ld, ok := ch.(*ssa.UnOp); ok && ld.Op == token.MUL {
		if f := syncapi.FieldOf(ld.X); f != nil && f.Name() == "C" && f.Pkg() != nil && f.Pkg().Path() == "time" {
			return true
		}
	}
	return false
}
