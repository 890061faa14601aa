package lockchan

import (
	"go/token"
	"go/types"

	"github.com/sharedvet/sharedvet/passes/internal/chanvar"
	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
	"golang.org/x/tools/go/ssa"
)

// The predicates behind the exceptions of clear.go that look at one
// operation and the code around it (they lived in syncapi before).

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
	sends, ok := sendsBefore(mk, op.Instr)
	return ok && sends+1 <= c.Int64()
}

// sendsBefore counts the sends on mk's channel that may precede op,
// other than op itself; ok is false if the channel may reach other
// code before op.
func sendsBefore(mk *ssa.MakeChan, op ssa.Instruction) (sends int64, ok bool) {
	var reach flow.Reach
	for _, ref := range *mk.Referrers() {
		if ref == op || !reach.MayPrecede(ref, op) {
			continue
		}
		switch ref := ref.(type) {
		case *ssa.Send:
			if ref.Chan != mk {
				return 0, false // the channel itself is sent away
			}
			sends++
		case *ssa.UnOp, *ssa.DebugRef:
			// Receiving adds no sender.
		case *ssa.ChangeType:
			// Converting to a receive-only channel adds no sender.
			if ch, ok := ref.Type().Underlying().(*types.Chan); !ok || ch.Dir() != types.RecvOnly {
				return 0, false
			}
		case *ssa.Call:
			// close(ch), len(ch) and cap(ch) add no sender.
			if _, ok := ref.Call.Value.(*ssa.Builtin); !ok {
				return 0, false
			}
		default:
			// Stored, captured, passed or converted before op:
			// another sender may fill the buffer.
			return 0, false
		}
	}
	return sends, true
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
	if load, ok := unconvert(op.Chan).(*ssa.UnOp); ok && load.Op == token.MUL && ch != ssa.Value(load) {
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

// sameChan returns what identifies the channel v within its function:
// v without direction conversions, or, for a load of a local variable
// that is assigned once (a channel that closures capture), the value
// assigned.
func sameChan(v ssa.Value) ssa.Value {
	for {
		v = unconvert(v)
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
// read: loaded, or captured by a closure of its own that only reads it
// (a callback made inside a callback).
func onlyLoaded(fv *ssa.FreeVar) bool {
	for _, r := range *fv.Referrers() {
		switch r := r.(type) {
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
			fn := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b == ssa.Value(fv) && !onlyLoaded(fn.FreeVars[i]) {
					return false
				}
			}
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
		return ownGoroutineChan(op.Chan) || ownObjectChan(op.Chan, op.Instr)
	case syncapi.Select:
		sel := op.Instr.(*ssa.Select)
		own := false
		for _, st := range sel.States {
			switch {
			case st.Dir != types.RecvOnly:
				return false
			case ownGoroutineChan(st.Chan) || ownObjectChan(st.Chan, op.Instr):
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
			_, ok := chanvar.Of(alloc) // a channel variable that closures capture
			return ok
		}
	}
	mk, ok := ch.(*ssa.MakeChan)
	if !ok {
		return false
	}
	return handedOnlyToGoroutines(mk, 0)
}

// ownObjectChan reports whether ch is a field of an object that the
// function allocated and, before op, handed to nothing but goroutines
// it starts (go obj.loop()), the field holding a channel made there for
// it alone: until op, only those goroutines can reach the channel
// (certmagic's NewRateLimiter waits for its loop to signal started;
// fixture okForkJoinOwnObject). Uses after op, such as returning the
// object, do not matter: the wait is over.
func ownObjectChan(ch ssa.Value, op ssa.Instruction) bool {
	ld, ok := unconvert(ch).(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return false
	}
	fa, ok := ld.X.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	obj, ok := fa.X.(*ssa.Alloc)
	if !ok || obj.Parent() != op.Parent() {
		return false
	}
	var reach flow.Reach
	started := false
	for _, ref := range *obj.Referrers() {
		if ref != op && !reach.MayPrecede(ref, op) {
			continue
		}
		switch ref := ref.(type) {
		case *ssa.FieldAddr:
			if !fieldOnlyInitialized(ref, fa.Field, op, &reach) {
				return false
			}
		case *ssa.Go:
			started = true
		case *ssa.MakeClosure:
			if !chanvar.OnlyStarted(ref) {
				return false
			}
			started = true
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return started
}

// fieldOnlyInitialized reports whether, before op, the field at addr
// is only stored to and loaded, and if it is the channel field (index
// chanField), stored only channels made for it and loaded only to
// receive: nothing but the object's own goroutines can send on it.
func fieldOnlyInitialized(addr *ssa.FieldAddr, chanField int, op ssa.Instruction, reach *flow.Reach) bool {
	for _, ref := range *addr.Referrers() {
		if ref != op && !reach.MayPrecede(ref, op) {
			continue
		}
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != addr {
				return false
			}
			if addr.Field == chanField && !madeOnlyFor(ref) {
				return false
			}
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				return false
			}
			if addr.Field == chanField && !onlyReceived(ref) {
				return false
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
}

// madeOnlyFor reports whether store stores a channel made for it alone.
func madeOnlyFor(store *ssa.Store) bool {
	mk, ok := store.Val.(*ssa.MakeChan)
	if !ok {
		return false
	}
	for _, ref := range *mk.Referrers() {
		if _, ok := ref.(*ssa.DebugRef); !ok && ref != ssa.Instruction(store) {
			return false
		}
	}
	return true
}

// onlyReceived reports whether the loaded channel v is only received from.
func onlyReceived(v ssa.Value) bool {
	for _, ref := range *v.Referrers() {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op != token.ARROW {
				return false
			}
		case *ssa.Select:
			for _, st := range ref.States {
				if st.Chan == v && st.Dir != types.RecvOnly {
					return false
				}
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
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
			if !chanvar.OnlyStarted(ref) {
				return false
			}
			started = true
		default:
			return false
		}
	}
	return started
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
