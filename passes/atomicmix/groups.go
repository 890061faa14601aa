package atomicmix

import (
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 19's groups: the WaitGroups (and errgroups) a goroutine is
// counted in, and where a function waits on them.

// mapGroup maps a group of a callee that is one of its parameters, or
// a free variable of the closure a go statement starts, to the call's
// argument or the closure's binding.
func (c *checker) mapGroup(g groupID, call *ssa.CallCommon) groupID {
	if fv, ok := g.root.(*ssa.FreeVar); ok {
		// go func() { defer wg.Done() }(): the closure's wg is the
		// variable the go statement's closure binds.
		if mc, ok := call.Value.(*ssa.MakeClosure); ok {
			if i := slices.Index(mc.Fn.(*ssa.Function).FreeVars, fv); i >= 0 && i < len(mc.Bindings) {
				return c.groupOf(mc.Bindings[i])
			}
		}
		return g
	}
	p, ok := g.root.(*ssa.Parameter)
	if !ok {
		return g
	}
	if idx := paramIndex(p); idx >= 0 && idx < len(call.Args) {
		return c.groupOf(call.Args[idx])
	}
	return groupID{}
}

func paramIndex(p *ssa.Parameter) int {
	for i, q := range p.Parent().Params {
		if q == p {
			return i
		}
	}
	return -1
}

// implementations returns the package's methods that the interface
// call may reach, memoized by interface method and type.
func (c *checker) implementations(call *ssa.CallCommon) []*ssa.Function {
	key := implKey{call.Method, call.Value.Type().String()}
	if fns, ok := c.impls[key]; ok {
		return fns
	}
	if c.impls == nil {
		c.impls = make(map[implKey][]*ssa.Function)
	}
	fns := (&testScope{pkg: c.ssa.Pkg}).implementations(call)
	c.impls[key] = fns
	return fns
}

type implKey struct {
	method *types.Func
	iface  string
}

// groupOf names the group v points to. A local variable that holds a
// pointer is looked through (s := &server{}, captured by a closure).
func (c *checker) groupOf(v ssa.Value) groupID {
	k := c.locks.KeyOf(v)
	if k.Path == "" {
		return groupID{root: k.Root}
	}
	t, path := k.Root.Type(), k.Path
	if _, ok := k.Root.(*ssa.Alloc); ok && strings.HasPrefix(path, "*") {
		t, path = t.Underlying().(*types.Pointer).Elem(), path[1:]
	}
	if path == "" {
		return groupID{root: k.Root}
	}
	return groupID{typ: t.String(), path: path}
}

// deferredDoneGroup returns the group whose Done fn, started by the go
// statement call, defers before every return (directly, or in a
// deferred closure that calls it before each of its returns), or the
// zero groupID.
func (c *checker) deferredDoneGroup(fn *ssa.Function, call *ssa.CallCommon) groupID {
	rets := returnsOf(fn)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			d, ok := instr.(*ssa.Defer)
			if !ok || !dominatesAll(d, rets) {
				continue
			}
			var done ssa.CallInstruction
			if isGroupCall(d.Common(), syncapi.WaitGroupDone) {
				done = d
			} else if mc, ok := d.Call.Value.(*ssa.MakeClosure); ok && len(d.Call.Args) == 0 {
				inner := mc.Fn.(*ssa.Function)
				for _, x := range groupCalls(inner, syncapi.WaitGroupDone) {
					if _, direct := x.(*ssa.Call); direct && dominatesAll(x, returnsOf(inner)) {
						done = x
					}
				}
			}
			if done == nil {
				continue
			}
			return c.mapGroup(c.groupOf(done.Common().Args[0]), call)
		}
	}
	return groupID{}
}

func isGroupCall(call *ssa.CallCommon, method string) bool {
	if call.IsInvoke() || len(call.Args) == 0 {
		return false
	}
	callee := syncapi.Callee(call)
	return callee != nil && callee.FullName() == method
}

// returnsOf returns fn's returns, but for the one of its recover
// block, which a panic reaches.
func returnsOf(fn *ssa.Function) []ssa.Instruction {
	var out []ssa.Instruction
	for _, b := range fn.Blocks {
		if b == fn.Recover {
			continue
		}
		if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			out = append(out, r)
		}
	}
	return out
}

func dominatesAll(a ssa.Instruction, bs []ssa.Instruction) bool {
	for _, b := range bs {
		if !flow.Dominates(a, b) {
			return false
		}
	}
	return true
}

// waitPoints returns, by group, fn's instructions after which a return
// waits on the group: a Wait call, a call of a function that waits on
// it before every return, or such a call deferred.
func (c *checker) waitPoints(fn *ssa.Function) map[groupID]map[ssa.Instruction]bool {
	out := make(map[groupID]map[ssa.Instruction]bool)
	add := func(g groupID, instr ssa.Instruction) {
		if !g.known() {
			return
		}
		if out[g] == nil {
			out[g] = make(map[ssa.Instruction]bool)
		}
		out[g][instr] = true
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok || call.Common().IsInvoke() {
				continue
			}
			if _, isGo := instr.(*ssa.Go); isGo {
				continue
			}
			common := call.Common()
			if callee := syncapi.Callee(common); callee != nil && groupWaits[callee.FullName()] && len(common.Args) > 0 {
				add(c.groupOf(common.Args[0]), instr)
				continue
			}
			callee := common.StaticCallee()
			if callee == nil || !c.ownFunc(callee) {
				continue
			}
			for g := range c.extentOf(callee).waits {
				add(c.mapGroup(g, common), instr)
			}
		}
	}
	return out
}

// waitPointsOf returns waitPoints(fn), computed once per function.
func (c *checker) waitPointsOf(fn *ssa.Function) map[groupID]map[ssa.Instruction]bool {
	if points, ok := c.waits[fn]; ok {
		return points
	}
	if c.waits == nil {
		c.waits = make(map[*ssa.Function]map[groupID]map[ssa.Instruction]bool)
	}
	points := c.waitPoints(fn)
	c.waits[fn] = points
	return points
}

// mustWait returns the groups that fn waits on before every return
// that is not an error return.
func (c *checker) mustWait(fn *ssa.Function) map[groupID]bool {
	out := make(map[groupID]bool)
	if len(fn.Blocks) == 0 {
		return out
	}
	for g, stop := range c.waitPointsOf(fn) {
		if !c.returnsWithout(runFromEntry(fn, stop)) {
			out[g] = true
		}
	}
	return out
}

// joinedAt reports whether a goroutine of group g that may run from
// at on has returned when fn returns without an error: a wait on g
// deferred before at, or one on every path from at to a return.
func (c *checker) joinedAt(fn *ssa.Function, at ssa.Instruction, g groupID) bool {
	if !g.known() {
		return false
	}
	stop := c.waitPointsOf(fn)[g]
	if len(stop) == 0 {
		return false
	}
	for p := range stop {
		if _, deferred := p.(*ssa.Defer); deferred && flow.Dominates(p, at) {
			return true
		}
	}
	return !c.returnsWithout(runAfter(at, stop))
}

// returnsWithout reports whether live, the instructions that may run
// before a wait, hold a return that is not an error return.
func (c *checker) returnsWithout(live map[ssa.Instruction]bool) bool {
	for instr := range live {
		if r, ok := instr.(*ssa.Return); ok && !errorReturn(r) {
			return true
		}
	}
	return false
}

// errorReturn reports whether r returns, as its last result, an error
// that the branch r is in tested to be non-nil: if err != nil { return
// err }.
func errorReturn(r *ssa.Return) bool {
	if len(r.Results) == 0 {
		return false
	}
	v := r.Results[len(r.Results)-1]
	if !types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	// A function with deferred calls stores its results in slots that
	// it loads after running them.
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if slot, ok := u.X.(*ssa.Alloc); ok {
			instrs := r.Block().Instrs
			for i := len(instrs) - 1; i >= 0; i-- {
				if st, ok := instrs[i].(*ssa.Store); ok && st.Addr == slot {
					v = st.Val
					break
				}
			}
		}
	}
	b := r.Block()
	for i := 0; b != nil && i < 8; i++ {
		idom := b.Idom()
		if idom == nil {
			return false
		}
		if iff, ok := idom.Instrs[len(idom.Instrs)-1].(*ssa.If); ok {
			if cmp, ok := iff.Cond.(*ssa.BinOp); ok && isNilTest(cmp, v) {
				succ := idom.Succs[0]
				if cmp.Op == token.EQL {
					succ = idom.Succs[1]
				}
				if succ.Dominates(r.Block()) {
					return true
				}
			}
		}
		b = idom
	}
	return false
}

// isNilTest reports whether cmp compares v with nil.
func isNilTest(cmp *ssa.BinOp, v ssa.Value) bool {
	if cmp.Op != token.NEQ && cmp.Op != token.EQL {
		return false
	}
	isNil := func(x ssa.Value) bool {
		k, ok := x.(*ssa.Const)
		return ok && k.IsNil()
	}
	return cmp.X == v && isNil(cmp.Y) || cmp.Y == v && isNil(cmp.X)
}
