package lockchan

import (
	"go/token"
	"go/types"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
	"golang.org/x/tools/go/ssa"
)

// bufferPerElement reports whether op is a send, at most once per
// element, in a range over a collection x, on a channel the function
// made with make(chan T, len(x)) before the loop and gave to no other
// code before op: the buffer has a slot for every send, so none waits
// (go-libp2p-kad-dht's FullRT.CheckPeers copies its address book into
// such a channel under a read lock; fixture okRangedMapField).
//
// It counts on three facts: a range over a slice runs its body at most
// len(x) times (x is evaluated once); a range over a map whose body
// neither writes the map nor calls anything that could runs it at most
// len(x) times; and the loop is entered once per make, with the send in
// no inner loop. The channel may also be kept in a slice's element
// (rangedslot.go).
func (c *checker) bufferPerElement(op syncapi.BlockingOp) bool {
	send, ok := op.Instr.(*ssa.Send)
	if !ok {
		return false
	}
	mk, ok := op.Chan.(*ssa.MakeChan)
	var slot *ssa.Store
	if !ok {
		if mk, slot = c.slotChannel(op); mk == nil {
			return false
		}
	}
	length, ok := mk.Size.(*ssa.Call)
	if !ok || !isBuiltin(length, "len") || len(length.Call.Args) != 1 {
		return false
	}
	header, ranged := rangeLoopAround(send.Block())
	if header == nil || !sameCollection(length, ranged, slot) {
		return false
	}
	if !mk.Block().Dominates(header) || !onePassPerEntry(header, mk.Block()) || !oncePerIteration(send.Block(), header) {
		return false
	}
	if _, isMap := ranged.Type().Underlying().(*types.Map); isMap && !leavesMapAlone(header) {
		return false
	}
	if slot != nil {
		return true // slotChannel: no other send on it, before or after
	}
	sends, ok := sendsBefore(mk, op.Instr)
	return ok && sends == 0
}

// rangeLoopAround returns the header of the innermost range loop, over
// a slice or a map, whose body dominates b, and the collection it
// ranges over; nil if there is none.
func rangeLoopAround(b *ssa.BasicBlock) (*ssa.BasicBlock, ssa.Value) {
	for h := b.Idom(); h != nil; h = h.Idom() {
		if len(h.Succs) != 2 || !h.Succs[0].Dominates(b) {
			continue
		}
		if x := rangedOver(h); x != nil {
			return h, x
		}
	}
	return nil, nil
}

// rangedOver returns x if block h is the header of go/ssa's loop for
// `range x`: for a slice, `i = phi(-1, i+1); if i+1 < len(x)`, the
// index changed by nothing else; for a map, `ok = next(range x); if ok`.
func rangedOver(h *ssa.BasicBlock) ssa.Value {
	br, ok := h.Instrs[len(h.Instrs)-1].(*ssa.If)
	if !ok {
		return nil
	}
	switch cond := br.Cond.(type) {
	case *ssa.BinOp:
		n, ok := cond.Y.(*ssa.Call)
		if cond.Op != token.LSS || !ok || !isBuiltin(n, "len") || !isRangeIndex(cond.X, h) {
			return nil
		}
		if _, isSlice := n.Call.Args[0].Type().Underlying().(*types.Slice); !isSlice {
			return nil
		}
		return n.Call.Args[0]
	case *ssa.Extract:
		next, ok := cond.Tuple.(*ssa.Next)
		if !ok || cond.Index != 0 || next.Block() != h || next.IsString {
			return nil
		}
		if it, ok := next.Iter.(*ssa.Range); ok {
			return it.X
		}
	}
	return nil
}

// isRangeIndex reports whether v is i+1 for a phi i of block h whose
// edges are -1 and v itself: the index of a range over a slice.
func isRangeIndex(v ssa.Value, h *ssa.BasicBlock) bool {
	incr, ok := v.(*ssa.BinOp)
	if !ok || incr.Op != token.ADD || !isConst(incr.Y, 1) {
		return false
	}
	phi, ok := incr.X.(*ssa.Phi)
	if !ok || phi.Block() != h {
		return false
	}
	for _, e := range phi.Edges {
		if e != ssa.Value(incr) && !isConst(e, -1) {
			return false
		}
	}
	return true
}

func isConst(v ssa.Value, n int64) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil && k.Int64() == n
}

func isBuiltin(call *ssa.Call, name string) bool {
	return builtinName(call) == name
}

// builtinName returns the name of the builtin call calls, or "".
func builtinName(call *ssa.Call) string {
	if b, ok := call.Call.Value.(*ssa.Builtin); ok {
		return b.Name()
	}
	return ""
}

// harmlessToMaps are the builtins a map range's body may call: none
// adds an entry to a map.
var harmlessToMaps = map[string]bool{"len": true, "cap": true, "append": true, "delete": true}

// sameCollection reports whether len(x), the buffer's size, counts the
// elements of ranged: x is ranged itself, or both load the same field
// path from one root (s.m, reloading s from its cell as a captured
// receiver is), in one block, with nothing from the first of those
// loads to the start of the range that could write memory. With slot,
// the store of the channel into a slice element (which writes no map,
// slice or pointer) and one WaitGroup.Done (a single synchronizing
// operation cannot order another goroutine's write in between) may
// come between them.
func sameCollection(length *ssa.Call, ranged ssa.Value, slot *ssa.Store) bool {
	x := length.Call.Args[0]
	if x == ranged {
		if _, isMap := x.Type().Underlying().(*types.Map); !isMap {
			return true // a slice value does not change
		}
	}
	loads := []ssa.Instruction{length}
	if !samePath(x, ranged, &loads) {
		return false
	}
	// The collection must not change between len(x) and the range
	// over it, nor any cell or field the loads go through.
	end := rangeStart(ranged)
	if end == nil {
		return false
	}
	for _, l := range loads {
		if l.Block() != end.Block() {
			return false
		}
	}
	first := len(end.Block().Instrs)
	for _, l := range loads {
		first = min(first, flow.IndexOf(l))
	}
	dones := 0
	for _, instr := range end.Block().Instrs[first:] {
		if instr == end {
			return true
		}
		if slot != nil {
			if instr == ssa.Instruction(slot) {
				continue
			}
			if call, ok := instr.(*ssa.Call); ok && isWaitGroupDone(call.Common()) && dones == 0 {
				dones++
				continue
			}
		}
		if mayChangeMemory(instr) {
			return false
		}
	}
	return false
}

// samePath reports whether a and b are one value or load the same
// chain of fields and cells from one value, adding the loads and
// field addresses to path.
func samePath(a, b ssa.Value, path *[]ssa.Instruction) bool {
	if a == b {
		return true
	}
	switch a := a.(type) {
	case *ssa.UnOp:
		b, ok := b.(*ssa.UnOp)
		if !ok || a.Op != token.MUL || b.Op != token.MUL {
			return false
		}
		*path = append(*path, a, b)
		return samePath(a.X, b.X, path)
	case *ssa.FieldAddr:
		b, ok := b.(*ssa.FieldAddr)
		if !ok || a.Field != b.Field {
			return false
		}
		*path = append(*path, a, b)
		return samePath(a.X, b.X, path)
	}
	return false
}

// rangeStart returns the instruction at which the range over x reads
// it: the Range of a map, the len call of a slice's loop.
func rangeStart(x ssa.Value) ssa.Instruction {
	for _, r := range *x.Referrers() {
		switch r := r.(type) {
		case *ssa.Range:
			return r
		case *ssa.Call:
			if isBuiltin(r, "len") {
				return r
			}
		}
	}
	return nil
}

// mayChangeMemory reports whether instr may write memory or let other
// code run: a store, a map update, a call other than len or cap, a go
// or defer statement, a channel operation.
func mayChangeMemory(instr ssa.Instruction) bool {
	switch instr := instr.(type) {
	case *ssa.Store, *ssa.MapUpdate, *ssa.Go, *ssa.Defer, *ssa.Send, *ssa.Select:
		return true
	case *ssa.UnOp:
		return instr.Op == token.ARROW
	case *ssa.Call:
		return !isBuiltin(instr, "len") && !isBuiltin(instr, "cap")
	}
	return false
}

// onePassPerEntry reports whether the loop at header is entered at
// most once for each time maker, the block of the make, runs: no path leaves the loop
// and comes back to its entry without making the channel afresh.
func onePassPerEntry(header, maker *ssa.BasicBlock) bool {
	var entries []*ssa.BasicBlock
	for _, p := range header.Preds {
		if !header.Dominates(p) {
			entries = append(entries, p)
		}
	}
	seen := map[*ssa.BasicBlock]bool{header: true, maker: true}
	work := append([]*ssa.BasicBlock(nil), header.Succs...)
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		for _, e := range entries {
			if b == e {
				return false
			}
		}
		if seen[b] {
			continue
		}
		seen[b] = true
		work = append(work, b.Succs...)
	}
	return true
}

// oncePerIteration reports whether block b runs at most once each time
// around the loop at header: every way from b back to b passes header.
func oncePerIteration(b, header *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{header: true}
	work := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(work) > 0 {
		s := work[len(work)-1]
		work = work[:len(work)-1]
		if s == b {
			return false
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		work = append(work, s.Succs...)
	}
	return true
}

// leavesMapAlone reports whether the body of the map range at header
// neither writes a map nor runs code that could: a map that gains
// entries while it is ranged over may yield more than len(x) of them.
func leavesMapAlone(header *ssa.BasicBlock) bool {
	body := header.Succs[0]
	for _, b := range header.Parent().Blocks {
		if !body.Dominates(b) {
			continue
		}
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.MapUpdate, *ssa.Go, *ssa.Defer:
				return false
			case *ssa.Call:
				if !harmlessToMaps[builtinName(instr)] {
					return false
				}
			}
		}
	}
	return true
}
