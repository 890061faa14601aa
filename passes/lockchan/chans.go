package lockchan

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file finds, for a channel operation, the operations of the
// package that can unblock it: its counterparts. Channels are known by
// where the package keeps them. A chanNode is one such place: a make
// site, a struct field, a package variable, or a local variable that
// closures capture. Storing a channel from one place into another, or
// passing it as an argument, joins their nodes (union-find), so that a
// `make` in a constructor, the field it is stored in and the closure
// that captures it are one channel class. A container and the channels
// in it (a map of channels, a channel of reply channels) are one class:
// that can only add counterparts, which makes a deadlock harder to
// claim, never easier.
//
// A class that reaches code the package does not see — an argument of
// an exported function, a value returned to another package, a
// parameter of a call into another package, a conversion to an
// interface, an exported field — is joined to the open node: its
// counterparts are unknown.

// A chanNode is a place where the package keeps channels: a
// *ssa.MakeChan, *ssa.MakeMap, *ssa.MakeSlice, *ssa.Alloc, *ssa.Global,
// a *types.Var struct field, or openNode.
type chanNode any

// An elemNode stands for the channels kept in a container: the
// elements of a slice, array or map of channels, or the channels sent
// on a channel of channels. Keeping them apart from their container
// keeps a reply channel's counterparts apart from those of the request
// channel it travels on (prometheus's WL.Close sends donec on w.stopc,
// then waits on donec).
type elemNode struct{ of chanNode }

// openNode stands for every channel the package does not see made.
type openNodeT struct{}

var openNode chanNode = openNodeT{}

// A chanSite is an operation on a channel that can unblock another.
type chanSite struct {
	instr ssa.Instruction // *ssa.Send, *ssa.UnOp (receive), *ssa.Select, or the close call
	pos   token.Pos       // of the operation (a select's case for a select)
}

// A chanIndex is the per-package index of channel classes and of the
// operations on each.
type chanIndex struct {
	pkg      *types.Package
	bindings func(*ssa.FreeVar) ssa.Value
	parent   map[chanNode]chanNode
	// by class root, after build
	recvs, sends, closes map[chanNode][]chanSite
	unbufMake            map[chanNode]bool  // the class has an unbuffered make site
	makes                map[chanNode]bool  // the class has a make site
	minCap               map[chanNode]int64 // the smallest constant buffer of its make sites, if all are constant
	varCap               map[chanNode]bool  // the class has a make site without a constant buffer
	makeSites            map[chanNode][]*ssa.MakeChan
	callers              map[*ssa.Function][]ssa.CallInstruction
	addrTaken            map[*ssa.Function]bool
	work                 []ssa.Instruction     // what joinFlows and fileOps look at; nil after build
	calls                []ssa.CallInstruction // every call site of the package, in order
	// elemsMade lists the element nodes made while joining, for the
	// congruence pass; after it, element nodes are made of class roots.
	elemsMade map[elemNode]bool
	congruent bool
	// fieldFuncs maps a function-typed struct field to the functions
	// of the package stored in it, so that a call through the field
	// reaches them.
	fieldFuncs map[*types.Var][]*ssa.Function
	// containedArg reports whether a function of another package only
	// operates on the channel passed as its i'th argument (from facts).
	containedArg func(callee *ssa.Function, i int) bool
	// Memos of callbacks.go's walks up through parameters, which
	// would otherwise revisit a function's call sites once per path.
	// paramStored holds the function-typed fields that the package
	// sets from a parameter (a setter: c.onError = fn).
	paramStored map[*types.Var]bool
	passedMemo  map[*ssa.Parameter]passedFuncs
	cbParamMemo map[*ssa.Parameter]*ssa.Parameter
}

// maxChanDepth bounds the walk from a value to the places it comes from.
const maxChanDepth = 12

// buildChanIndex indexes the channel operations of funcs.
func buildChanIndex(pkg *types.Package, funcs []*ssa.Function, locks *lockset.Result, containedArg func(*ssa.Function, int) bool) *chanIndex {
	x := &chanIndex{
		pkg:          pkg,
		containedArg: containedArg,
		bindings:     locks.Binding,
		parent:       make(map[chanNode]chanNode),
		recvs:        make(map[chanNode][]chanSite),
		sends:        make(map[chanNode][]chanSite),
		closes:       make(map[chanNode][]chanSite),
		unbufMake:    make(map[chanNode]bool),
		makes:        make(map[chanNode]bool),
		minCap:       make(map[chanNode]int64),
		varCap:       make(map[chanNode]bool),
		makeSites:    make(map[chanNode][]*ssa.MakeChan),
		callers:      make(map[*ssa.Function][]ssa.CallInstruction),
		addrTaken:    make(map[*ssa.Function]bool),
		fieldFuncs:   make(map[*types.Var][]*ssa.Function),
		paramStored:  make(map[*types.Var]bool),
		passedMemo:   make(map[*ssa.Parameter]passedFuncs),
		cbParamMemo:  make(map[*ssa.Parameter]*ssa.Parameter),
		elemsMade:    make(map[elemNode]bool),
	}
	x.indexCalls(funcs)
	// First join the places channels flow between, then file the
	// operations under their class roots.
	for _, instr := range x.work {
		x.joinFlows(instr)
	}
	x.joinElements()
	for _, instr := range x.work {
		x.fileOps(instr)
	}
	x.work = nil
	return x
}

// indexCalls walks every instruction of the package once. It records
// the functions stored in function-typed fields, the call sites of the
// package's functions (calls, go and defer statements, and calls
// through those fields), which functions are used as values (a
// parameter of such a function may receive anything), and the
// instructions that joinFlows and fileOps look at, so that they do not
// walk everything again (loads and arithmetic are most instructions).
func (x *chanIndex) indexCalls(funcs []*ssa.Function) {
	var ops []*ssa.Value // reused: Operands would allocate for each instruction
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.Store:
					if f := storedFunc(instr.Val); f != nil {
						if field := syncapi.FieldOf(instr.Addr); field != nil {
							x.fieldFuncs[field] = append(x.fieldFuncs[field], f)
						}
					} else if isFunc(instr.Val.Type()) && x.funcParam(instr.Val) != nil {
						if field := syncapi.FieldOf(instr.Addr); field != nil {
							x.paramStored[field] = true
						}
					}
					x.work = append(x.work, instr)
				case ssa.CallInstruction:
					x.calls = append(x.calls, instr)
					x.work = append(x.work, instr)
				case *ssa.MapUpdate, *ssa.Send, *ssa.MakeInterface, *ssa.Return, *ssa.Select, *ssa.MakeChan:
					x.work = append(x.work, instr)
				case *ssa.UnOp:
					if instr.Op == token.ARROW {
						x.work = append(x.work, instr)
					}
				}
				if mc, ok := instr.(*ssa.MakeClosure); ok {
					if !onlyCalled(mc) {
						x.addrTaken[mc.Fn.(*ssa.Function)] = true
					}
					continue
				}
				ops = instr.Operands(ops[:0])
				for _, op := range ops {
					if f, ok := (*op).(*ssa.Function); ok {
						if call, isCall := instr.(ssa.CallInstruction); isCall && call.Common().Value == f {
							continue // the callee of a static call
						}
						x.addrTaken[f] = true
					}
				}
			}
		}
	}
	for _, call := range x.calls {
		for _, callee := range x.callees(call.Common()) {
			x.callers[callee] = append(x.callers[callee], call)
		}
	}
}

// storedFunc returns the function of the package that v, a value
// stored in a field, is: a declared function or a function literal;
// nil for anything else (method values included, whose parameters
// are shifted by the receiver).
func storedFunc(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		if f := v.Fn.(*ssa.Function); f.Synthetic == "" {
			return f
		}
	case *ssa.ChangeType:
		return storedFunc(v.X)
	}
	return nil
}

// callees returns the functions call may call: its static callee, or
// the functions the package stores in the function-typed field it
// calls through (a callback the package supplies).
func (x *chanIndex) callees(call *ssa.CallCommon) []*ssa.Function {
	if call.IsInvoke() {
		return nil
	}
	if f := call.StaticCallee(); f != nil {
		// A generic function is analyzed as its generic body; a call
		// of an instance (c.run() in a method of Cron[T]) calls it.
		if f.Origin() != nil {
			f = f.Origin()
		}
		return []*ssa.Function{f}
	}
	if ld, ok := call.Value.(*ssa.UnOp); ok && ld.Op == token.MUL {
		if field := syncapi.FieldOf(ld.X); field != nil {
			return x.fieldFuncs[field]
		}
	}
	return nil
}

// elems returns the element nodes of the containers nodes: the
// elements of what is open are open.
func (x *chanIndex) elems(nodes []chanNode) []chanNode {
	out := make([]chanNode, 0, len(nodes))
	for _, n := range nodes {
		if x.congruent {
			n = x.find(n)
		}
		if n == openNode {
			out = append(out, openNode)
			continue
		}
		e := elemNode{n}
		if !x.congruent {
			x.elemsMade[e] = true
		}
		out = append(out, e)
	}
	return out
}

// joinElements makes the classes congruent: containers in one class
// have their elements in one class, to a fixpoint (joining elements
// can join containers of containers).
func (x *chanIndex) joinElements() {
	for changed := true; changed; {
		changed = false
		for e := range x.elemsMade {
			canon := elemNode{x.find(e.of)}
			if canon.of == openNode {
				canon := openNode
				if x.find(e) != x.find(canon) {
					x.join([]chanNode{e, canon})
					changed = true
				}
				continue
			}
			if !x.elemsMade[canon] {
				x.elemsMade[canon] = true
				changed = true
			}
			if x.find(e) != x.find(canon) {
				x.join([]chanNode{e, canon})
				changed = true
			}
		}
	}
	x.congruent = true
}

// onlyCalled reports whether the closure mc is only called where it is
// made (go func() {...}(), func() {...}()).
func onlyCalled(mc *ssa.MakeClosure) bool {
	for _, r := range *mc.Referrers() {
		call, ok := r.(ssa.CallInstruction)
		if !ok || call.Common().Value != ssa.Value(mc) {
			return false
		}
	}
	return true
}

// find returns the root of n's class.
func (x *chanIndex) find(n chanNode) chanNode {
	for {
		p, ok := x.parent[n]
		if !ok || p == n {
			return n
		}
		if gp, ok := x.parent[p]; ok && gp != p {
			x.parent[n] = gp
		}
		n = p
	}
}

// join puts all of nodes in one class; the open node stays a root so
// that openness is one lookup.
func (x *chanIndex) join(nodes []chanNode) {
	if len(nodes) < 2 {
		return
	}
	root := x.find(nodes[0])
	for _, n := range nodes[1:] {
		r := x.find(n)
		if r == root {
			continue
		}
		if r == openNode {
			root, r = r, root
		}
		x.parent[r] = root
	}
}

// joinFlows joins the classes of the places between which fn moves a
// channel (or a container of channels), and opens those that fn hands
// to code the package does not see.
func (x *chanIndex) joinFlows(instr ssa.Instruction) {
	switch instr := instr.(type) {
	case *ssa.Store:
		if holdsChan(instr.Val.Type()) {
			x.join(append(x.nodesOf(instr.Val), x.addrNodes(instr.Addr)...))
		}
	case *ssa.MapUpdate:
		if holdsChan(instr.Value.Type()) {
			x.join(append(x.nodesOf(instr.Value), x.elems(x.nodesOf(instr.Map))...))
		}
	case *ssa.Send:
		if holdsChan(instr.X.Type()) {
			x.join(append(x.nodesOf(instr.X), x.elems(x.nodesOf(instr.Chan))...))
		}
	case *ssa.MakeInterface:
		if holdsChan(instr.X.Type()) {
			x.join(append(x.nodesOf(instr.X), openNode))
		}
	case *ssa.Return:
		if x.exportedFunc(instr.Parent()) {
			for _, r := range instr.Results {
				if holdsChan(r.Type()) {
					x.join(append(x.nodesOf(r), openNode))
				}
			}
		}
	case ssa.CallInstruction:
		x.joinCall(instr.Common())
	}
}

// joinCall opens the channels passed to a function whose body the
// package does not see (another package's, a method of an interface,
// a function value). Builtins close, len and cap only look; append
// joins its operands, through the value it returns.
func (x *chanIndex) joinCall(call *ssa.CallCommon) {
	if b, ok := call.Value.(*ssa.Builtin); ok {
		switch b.Name() {
		case "close", "len", "cap", "append", "copy":
			if b.Name() == "copy" && len(call.Args) == 2 && holdsChan(call.Args[1].Type()) {
				x.join(append(x.nodesOf(call.Args[0]), x.nodesOf(call.Args[1])...))
			}
			return
		}
	}
	if callee := call.StaticCallee(); callee != nil && x.ownFunc(callee) {
		return // its parameters resolve to the arguments of its call sites
	}
	callee := call.StaticCallee()
	for i, a := range call.Args {
		// Another package given a context can wait on it or derive
		// from it, but only its cancel function closes its Done.
		if isContext(a.Type()) {
			continue
		}
		if holdsChan(a.Type()) && (callee == nil || !x.containedArg(callee, i)) {
			x.join(append(x.nodesOf(a), openNode))
		}
	}
}

// ownFunc reports whether fn is a function of this package with a body.
func (x *chanIndex) ownFunc(fn *ssa.Function) bool {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	return fn.Pkg != nil && fn.Pkg.Pkg == x.pkg && len(fn.Blocks) > 0
}

// exportedFunc reports whether other packages may call fn: a function
// or method with an exported name, outside package main.
func (x *chanIndex) exportedFunc(fn *ssa.Function) bool {
	if x.pkg.Name() == "main" || fn.Parent() != nil {
		return false
	}
	obj := fn.Object()
	return obj != nil && obj.Exported()
}

// fileOps files fn's channel operations under their class roots.
func (x *chanIndex) fileOps(instr ssa.Instruction) {
	switch instr := instr.(type) {
	case *ssa.Send:
		x.file(x.sends, instr.Chan, chanSite{instr, instr.Pos()})
	case *ssa.UnOp:
		if instr.Op == token.ARROW {
			x.file(x.recvs, instr.X, chanSite{instr, instr.Pos()})
		}
	case *ssa.Select:
		for _, st := range instr.States {
			site := chanSite{instr, st.Pos}
			if st.Dir == types.SendOnly {
				x.file(x.sends, st.Chan, site)
			} else {
				x.file(x.recvs, st.Chan, site)
			}
		}
	case *ssa.Call, *ssa.Defer:
		// A deferred close runs at the function's return; see
		// lockNeeds.runsAt. Calling a context's cancel function
		// closes its Done channel.
		call := instr.(ssa.CallInstruction).Common()
		if c, ok := instr.(*ssa.Call); ok && ownedCancel(call) {
			root := x.find(c)
			x.makes[root] = true
			x.unbufMake[root] = true // Done blocks until cancel
			x.varCap[root] = true
			delete(x.minCap, root)
		}
		if b, ok := call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(call.Args) == 1 {
			x.file(x.closes, call.Args[0], chanSite{instr, instr.Pos()})
		} else if call.StaticCallee() == nil && !call.IsInvoke() && isCancelFunc(call.Value.Type()) {
			x.file(x.closes, call.Value, chanSite{instr, instr.Pos()})
		}
	case *ssa.MakeChan:
		root := x.find(instr)
		x.makes[root] = true
		x.makeSites[root] = append(x.makeSites[root], instr)
		c, ok := instr.Size.(*ssa.Const)
		if ok && c.Value != nil && c.Int64() == 0 {
			x.unbufMake[root] = true
		}
		switch {
		case !ok || c.Value == nil || x.varCap[root]:
			x.varCap[root] = true
			delete(x.minCap, root)
		default:
			if m, seen := x.minCap[root]; !seen || c.Int64() < m {
				x.minCap[root] = c.Int64()
			}
		}
	}
}

func (x *chanIndex) file(m map[chanNode][]chanSite, ch ssa.Value, site chanSite) {
	seen := make(map[chanNode]bool)
	for _, n := range x.nodesOf(ch) {
		r := x.find(n)
		if !seen[r] {
			seen[r] = true
			m[r] = append(m[r], site)
		}
	}
}

// classesOf returns the class roots of the channel ch.
func (x *chanIndex) classesOf(ch ssa.Value) []chanNode {
	var out []chanNode
	seen := make(map[chanNode]bool)
	for _, n := range x.nodesOf(ch) {
		r := x.find(n)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
