// Package flow answers the control-flow questions the checks ask about
// instructions of one function: does one run before another on every
// path (dominance), may it run before it (reachability), is a block in
// a loop. Reachability is memoized per source block, since the checks
// ask it of the same blocks many times.
package flow

import (
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// Dominates reports whether a runs before b on every path to b: a is
// earlier in b's block, or a's block dominates b's.
func Dominates(a, b ssa.Instruction) bool {
	if a.Block() != b.Block() {
		return a.Block().Dominates(b.Block())
	}
	return earlier(a, b)
}

// earlier reports whether a comes before b in their common block.
func earlier(a, b ssa.Instruction) bool {
	for _, x := range a.Block().Instrs {
		switch x {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}

// A Reach answers reachability questions about one function's blocks.
// The zero value is ready to use.
type Reach struct {
	from map[*ssa.BasicBlock][]bool // by source block: reachable block indexes
}

// FromSuccs reports, by block index, the blocks reachable from b's
// successors: b itself only if b is in a loop.
func (r *Reach) FromSuccs(b *ssa.BasicBlock) []bool {
	if reach, ok := r.from[b]; ok {
		return reach
	}
	reach := make([]bool, len(b.Parent().Blocks))
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !reach[x.Index] {
			reach[x.Index] = true
			stack = append(stack, x.Succs...)
		}
	}
	if r.from == nil {
		r.from = make(map[*ssa.BasicBlock][]bool)
	}
	r.from[b] = reach
	return reach
}

// InLoop reports whether b lies on a cycle of its function's CFG.
func (r *Reach) InLoop(b *ssa.BasicBlock) bool { return r.FromSuccs(b)[b.Index] }

// MayPrecede reports whether a may run before b in one call of their
// function: a is earlier in b's block, or b's block is reachable from
// a's (which, in a loop, includes b's own block).
func (r *Reach) MayPrecede(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() && a != b && earlier(a, b) {
		return true
	}
	return r.FromSuccs(a.Block())[b.Block().Index]
}

// RunDefers returns the RunDefers instructions of fn, where its
// deferred calls run, in block order.
func RunDefers(fn *ssa.Function) []ssa.Instruction {
	var out []ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if _, ok := instr.(*ssa.RunDefers); ok {
				out = append(out, instr)
			}
		}
	}
	return out
}

// IndexOf returns the position of instr in its block, or -1.
func IndexOf(instr ssa.Instruction) int {
	for i, x := range instr.Block().Instrs {
		if x == instr {
			return i
		}
	}
	return -1
}

// Live reports, by block index, the blocks of fn that may run: those
// reachable from the entry without taking the branch of an if whose
// condition is a constant that selects the other one. go/ssa keeps
// the code under "if debug" for a constant debug = false; it never
// runs.
func Live(fn *ssa.Function) []bool {
	live := make([]bool, len(fn.Blocks))
	if len(fn.Blocks) == 0 {
		return live
	}
	stack := []*ssa.BasicBlock{fn.Blocks[0]}
	if fn.Recover != nil {
		stack = append(stack, fn.Recover) // reached by a panic, not by an edge
	}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if live[b.Index] {
			continue
		}
		live[b.Index] = true
		succs := b.Succs
		if iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok {
			if c, ok := iff.Cond.(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.Bool {
				if constant.BoolVal(c.Value) {
					succs = succs[:1]
				} else {
					succs = succs[1:]
				}
			}
		}
		stack = append(stack, succs...)
	}
	return live
}

// SelectEdge returns the edge that control takes when case i of the
// select sel is chosen: from the block of the if that tests the index
// to the case's body. For a case with an empty body, to is the block
// after the select, which the other cases reach too.
func SelectEdge(sel *ssa.Select, i int) (from, to *ssa.BasicBlock) {
	for _, ref := range *sel.Referrers() {
		ex, ok := ref.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, ref := range *ex.Referrers() {
			eq, ok := ref.(*ssa.BinOp)
			if !ok || eq.Op != token.EQL {
				continue
			}
			c, ok := eq.Y.(*ssa.Const)
			if !ok || c.Value == nil || c.Int64() != int64(i) {
				continue
			}
			for _, ref := range *eq.Referrers() {
				if iff, ok := ref.(*ssa.If); ok && iff.Cond == eq {
					return iff.Block(), iff.Block().Succs[0]
				}
			}
		}
	}
	return nil, nil
}
