package atomicmix

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 5 (claim). Lock-free ring buffers claim a slot by moving an index with a
// CompareAndSwap: when the swap succeeds, the slot at the index it
// moved belongs to this goroutine until the goroutine hands it on, and
// its plain accesses race with nothing (sync's poolDequeue.popHead
// zeroes the slot it took back: `*slot = eface{}`). A plain access of
// an array or slice element is therefore taken as owned when the
// element's index is computed from the new value of a CompareAndSwap
// and the access can only run after the swap succeeded (fixture
// okClaimedSlot in atomicmix/claim). The rule is for elements only: a
// successful swap of a flag says nothing about who else may read the
// fields of the value it guards atomically (fixture state.start).

// claimedSlot reports whether addr is, or is a field of, an element
// whose index the successful CompareAndSwap that guards instr claimed.
func (c *checker) claimedSlot(instr ssa.Instruction, addr ssa.Value) bool {
	var elem *ssa.IndexAddr
	for elem == nil {
		switch a := addr.(type) {
		case *ssa.FieldAddr:
			addr = a.X
		case *ssa.IndexAddr:
			elem = a
		default:
			return false
		}
	}
	fn := instr.Parent()
	if fn == nil || elem.Parent() != fn {
		return false
	}
	index := derivedFrom(elem.Index)
	for _, g := range c.casGuardsOf(fn) {
		if !g.succ.Dominates(elem.Block()) || !g.succ.Dominates(instr.Block()) {
			continue
		}
		for v := range g.claimed {
			if index[v] {
				return true
			}
		}
	}
	return false
}

// A casGuard is a block that runs only when a CompareAndSwap succeeded,
// with the values its new value is computed from.
type casGuard struct {
	succ    *ssa.BasicBlock
	claimed map[ssa.Value]bool
}

// casGuardsOf returns fn's casGuards, found once per function: element
// accesses are many, and most functions have none.
func (c *checker) casGuardsOf(fn *ssa.Function) []casGuard {
	if gs, ok := c.casGuards[fn]; ok {
		return gs
	}
	var gs []casGuard
	for _, b := range fn.Blocks {
		if cas, succ := casSuccess(b); cas != nil {
			args := cas.Call.Args
			gs = append(gs, casGuard{succ, derivedFrom(args[len(args)-1])})
		}
	}
	if c.casGuards == nil {
		c.casGuards = make(map[*ssa.Function][]casGuard)
	}
	c.casGuards[fn] = gs
	return gs
}

// casSuccess returns the CompareAndSwap that b's if branches on, and the
// block that runs only when it succeeded, or nil.
func casSuccess(b *ssa.BasicBlock) (*ssa.Call, *ssa.BasicBlock) {
	if len(b.Instrs) == 0 {
		return nil, nil
	}
	br, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil, nil
	}
	call, ok := br.Cond.(*ssa.Call)
	if !ok || len(call.Call.Args) < 2 || !isCompareAndSwap(syncapi.Callee(call.Common())) {
		return nil, nil
	}
	succ := b.Succs[0]
	if len(succ.Preds) != 1 {
		return nil, nil
	}
	return call, succ
}

func isCompareAndSwap(fn *types.Func) bool {
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic" && strings.HasPrefix(fn.Name(), "CompareAndSwap")
}

// derivedFrom returns the values that v is computed from in its
// function, through arithmetic, conversions, tuple extraction and call
// arguments, but not through loads from memory; parameters, constants
// and globals, which any two values may share, are left out.
func derivedFrom(v ssa.Value) map[ssa.Value]bool {
	seen := make(map[ssa.Value]bool)
	var walk func(v ssa.Value, depth int)
	walk = func(v ssa.Value, depth int) {
		if depth > 8 || seen[v] {
			return
		}
		switch x := v.(type) {
		case *ssa.BinOp:
			seen[v] = true
			walk(x.X, depth+1)
			walk(x.Y, depth+1)
		case *ssa.Convert:
			seen[v] = true
			walk(x.X, depth+1)
		case *ssa.ChangeType:
			seen[v] = true
			walk(x.X, depth+1)
		case *ssa.Extract:
			seen[v] = true
			walk(x.Tuple, depth+1)
		case *ssa.Call:
			seen[v] = true
			for _, a := range x.Call.Args {
				walk(a, depth+1)
			}
		case *ssa.UnOp:
			seen[v] = true // a load or negation: the value itself, not what it reads
		case *ssa.Phi:
			seen[v] = true
		}
	}
	walk(v, 0)
	return seen
}
