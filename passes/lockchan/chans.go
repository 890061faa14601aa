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
	unbufMake            map[chanNode]bool // the class has an unbuffered make site
	makes                map[chanNode]bool // the class has a make site
	callers              map[*ssa.Function][]ssa.CallInstruction
	addrTaken            map[*ssa.Function]bool
	// fieldFuncs maps a function-typed struct field to the functions
	// of the package stored in it, so that a call through the field
	// reaches them.
	fieldFuncs map[*types.Var][]*ssa.Function
	// containedArg reports whether a function of another package only
	// operates on the channel passed as its i'th argument (from facts).
	containedArg func(callee *ssa.Function, i int) bool
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
		callers:      make(map[*ssa.Function][]ssa.CallInstruction),
		addrTaken:    make(map[*ssa.Function]bool),
		fieldFuncs:   make(map[*types.Var][]*ssa.Function),
	}
	x.indexCalls(funcs)
	// First join the places channels flow between, then file the
	// operations under their class roots.
	for _, fn := range funcs {
		x.joinFlows(fn)
	}
	for _, fn := range funcs {
		x.fileOps(fn)
	}
	return x
}

// indexCalls records the static call sites of the package's functions
// (calls, go and defer statements) and which functions are used as
// values: a parameter of such a function may receive anything.
func (x *chanIndex) indexCalls(funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if f := storedFunc(st.Val); f != nil {
						if field := syncapi.FieldOf(st.Addr); field != nil {
							x.fieldFuncs[field] = append(x.fieldFuncs[field], f)
						}
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok {
					for _, callee := range x.callees(call.Common()) {
						x.callers[callee] = append(x.callers[callee], call)
					}
				}
				if mc, ok := instr.(*ssa.MakeClosure); ok {
					if !onlyCalled(mc) {
						x.addrTaken[mc.Fn.(*ssa.Function)] = true
					}
					continue
				}
				var ops [8]*ssa.Value
				for _, op := range instr.Operands(ops[:0]) {
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
		return []*ssa.Function{f}
	}
	if ld, ok := call.Value.(*ssa.UnOp); ok && ld.Op == token.MUL {
		if field := syncapi.FieldOf(ld.X); field != nil {
			return x.fieldFuncs[field]
		}
	}
	return nil
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
func (x *chanIndex) joinFlows(fn *ssa.Function) {
	exported := x.exportedFunc(fn)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Store:
				if holdsChan(instr.Val.Type()) {
					x.join(append(x.nodesOf(instr.Val), x.addrNodes(instr.Addr)...))
				}
			case *ssa.MapUpdate:
				if holdsChan(instr.Value.Type()) {
					x.join(append(x.nodesOf(instr.Value), x.nodesOf(instr.Map)...))
				}
			case *ssa.Send:
				if holdsChan(instr.X.Type()) {
					x.join(append(x.nodesOf(instr.X), x.nodesOf(instr.Chan)...))
				}
			case *ssa.MakeInterface:
				if holdsChan(instr.X.Type()) {
					x.join(append(x.nodesOf(instr.X), openNode))
				}
			case *ssa.Return:
				if exported {
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
func (x *chanIndex) fileOps(fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
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
				}
				if b, ok := call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(call.Args) == 1 {
					x.file(x.closes, call.Args[0], chanSite{instr, instr.Pos()})
				} else if call.StaticCallee() == nil && !call.IsInvoke() && isCancelFunc(call.Value.Type()) {
					x.file(x.closes, call.Value, chanSite{instr, instr.Pos()})
				}
			case *ssa.MakeChan:
				root := x.find(instr)
				x.makes[root] = true
				if c, ok := instr.Size.(*ssa.Const); ok && c.Value != nil && c.Int64() == 0 {
					x.unbufMake[root] = true
				}
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

// nodesOf returns the places the value v (a channel, or a container of
// channels) comes from; openNode among them if one is not known.
func (x *chanIndex) nodesOf(v ssa.Value) []chanNode {
	var out []chanNode
	x.walkValue(v, make(map[ssa.Value]bool), 0, &out)
	return out
}

func (x *chanIndex) walkValue(v ssa.Value, seen map[ssa.Value]bool, depth int, out *[]chanNode) {
	if seen[v] {
		return
	}
	seen[v] = true
	if depth > maxChanDepth {
		*out = append(*out, openNode)
		return
	}
	next := func(w ssa.Value) { x.walkValue(w, seen, depth+1, out) }
	switch v := v.(type) {
	case *ssa.MakeChan, *ssa.MakeMap, *ssa.MakeSlice:
		*out = append(*out, chanNode(v))
	case *ssa.Const:
		// nil: blocks forever, and nothing unblocks it.
	case *ssa.ChangeType:
		next(v.X)
	case *ssa.Convert:
		next(v.X)
	case *ssa.Slice:
		next(v.X)
	case *ssa.Phi:
		for _, e := range v.Edges {
			next(e)
		}
	case *ssa.UnOp:
		switch v.Op {
		case token.MUL:
			*out = append(*out, x.addrNodes(v.X)...)
		case token.ARROW:
			next(v.X) // a channel received from a channel of channels
		default:
			*out = append(*out, openNode)
		}
	case *ssa.Lookup:
		next(v.X)
	case *ssa.Index:
		next(v.X)
	case *ssa.Field:
		*out = append(*out, x.place(fieldNode(v.X.Type(), v.Field))...)
	case *ssa.Extract:
		x.walkTuple(v.Tuple, v.Index, seen, depth, out)
	case *ssa.FreeVar:
		if b := x.bindings(v); b != nil {
			next(b)
		} else {
			*out = append(*out, openNode)
		}
	case *ssa.Parameter:
		x.walkParam(v, seen, depth, out)
	case *ssa.Call:
		if c := v.Common(); c.IsInvoke() && c.Method.Name() == "Done" && isContext(c.Value.Type()) {
			next(c.Value) // ctx.Done(): the context's class
			return
		}
		x.walkResults(v.Common(), -1, seen, depth, out)
	case *ssa.Alloc:
		*out = append(*out, chanNode(v)) // an array of channels
	default:
		*out = append(*out, openNode)
	}
}

// walkTuple follows the i'th value of a tuple: a comma-ok receive or
// map lookup, or a call's results.
func (x *chanIndex) walkTuple(t ssa.Value, i int, seen map[ssa.Value]bool, depth int, out *[]chanNode) {
	switch t := t.(type) {
	case *ssa.UnOp, *ssa.Lookup:
		if i == 0 {
			x.walkValue(t, seen, depth+1, out)
			return
		}
	case *ssa.Call:
		if ownedCancel(t.Common()) {
			// The context and its cancel function are one class: the
			// cancel calls are what close the context's Done.
			*out = append(*out, chanNode(t))
			return
		}
		x.walkResults(t.Common(), i, seen, depth, out)
		return
	}
	*out = append(*out, openNode)
}

// ownedCancel reports whether call makes a context that only its
// cancel function ends: context.WithCancel (or WithCancelCause) of
// context.Background() or TODO(). A deadline, or a parent that others
// cancel, would end it without the package's cancel calls.
func ownedCancel(call *ssa.CallCommon) bool {
	f := call.StaticCallee()
	if f == nil || f.Pkg == nil || f.Pkg.Pkg.Path() != "context" || (f.Name() != "WithCancel" && f.Name() != "WithCancelCause") || len(call.Args) != 1 {
		return false
	}
	parent, ok := call.Args[0].(*ssa.Call)
	if !ok {
		return false
	}
	p := parent.Common().StaticCallee()
	return p != nil && p.Pkg != nil && p.Pkg.Pkg.Path() == "context" && (p.Name() == "Background" || p.Name() == "TODO")
}

// isContext reports whether t is context.Context.
func isContext(t types.Type) bool { return isNamed(t, "context", "Context") }

// isCancelFunc reports whether t is context.CancelFunc or CancelCauseFunc.
func isCancelFunc(t types.Type) bool {
	return isNamed(t, "context", "CancelFunc") || isNamed(t, "context", "CancelCauseFunc")
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// walkResults follows the results (all, or the i'th) of a call of a
// function of this package to the values it returns.
func (x *chanIndex) walkResults(call *ssa.CallCommon, i int, seen map[ssa.Value]bool, depth int, out *[]chanNode) {
	callee := call.StaticCallee()
	if b, ok := call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
		for _, a := range call.Args {
			x.walkValue(a, seen, depth+1, out)
		}
		return
	}
	if callee == nil || !x.ownFunc(callee) {
		*out = append(*out, openNode)
		return
	}
	for _, b := range callee.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			for j, r := range ret.Results {
				if (i < 0 || j == i) && holdsChan(r.Type()) {
					x.walkValue(r, seen, depth+1, out)
				}
			}
		}
	}
}

// walkParam follows a parameter to the arguments of the function's
// call sites in the package. A function that other packages may call,
// or that is used as a value, may receive anything.
func (x *chanIndex) walkParam(p *ssa.Parameter, seen map[ssa.Value]bool, depth int, out *[]chanNode) {
	fn := p.Parent()
	idx := -1
	for i, q := range fn.Params {
		if q == p {
			idx = i
		}
	}
	sites := x.callers[fn]
	if idx < 0 || x.exportedFunc(fn) || x.addrTaken[fn] || len(sites) == 0 || fn.Signature.Recv() != nil && isInterfaceMethod(fn) {
		*out = append(*out, openNode)
		return
	}
	for _, call := range sites {
		args := call.Common().Args
		if idx < len(args) {
			x.walkValue(args[idx], seen, depth+1, out)
		}
	}
}

// isInterfaceMethod reports whether fn, a method, may be called
// through an interface: it is exported, or its name is one that an
// interface of another package could declare. We cannot tell the
// second, so every method with a receiver whose method set could meet
// an interface counts; unexported methods of unexported names only
// meet interfaces of this package, which are called dynamically and
// so make the method address-taken in SSA terms: keep those.
func isInterfaceMethod(fn *ssa.Function) bool {
	return fn.Object() != nil && fn.Object().Exported()
}

// addrNodes returns the places the address addr points into.
func (x *chanIndex) addrNodes(addr ssa.Value) []chanNode {
	switch a := addr.(type) {
	case *ssa.FieldAddr:
		return x.place(fieldNode(a.X.Type(), a.Field))
	case *ssa.Global:
		return x.place(a)
	case *ssa.Alloc:
		return []chanNode{chanNode(a)}
	case *ssa.IndexAddr:
		return x.nodesOf(a.X)
	case *ssa.FreeVar:
		if b := x.bindings(a); b != nil {
			return x.addrNodes(b)
		}
	}
	return []chanNode{openNode}
}

// fieldNode returns the node of field i of the struct that t is or
// points to.
func fieldNode(t types.Type, i int) chanNode {
	t = t.Underlying()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	if s, ok := t.(*types.Struct); ok && i < s.NumFields() {
		return chanNode(s.Field(i))
	}
	return openNode
}

// place returns the node of a field or package variable, with the open
// node beside it if other packages may operate on its channels: it is
// exported (outside package main), or it belongs to another package.
func (x *chanIndex) place(n chanNode) []chanNode {
	open := false
	switch n := n.(type) {
	case *types.Var:
		open = n.Pkg() != x.pkg || n.Exported() && x.pkg.Name() != "main"
	case *ssa.Global:
		open = n.Pkg.Pkg != x.pkg || n.Object() != nil && n.Object().Exported() && x.pkg.Name() != "main"
	}
	if open {
		return []chanNode{n, openNode}
	}
	return []chanNode{n}
}

// holdsChan reports whether a value of type t is a channel or a
// container (slice, array, map, pointer) of channels.
func holdsChan(t types.Type) bool {
	if isContext(t) || isCancelFunc(t) {
		return true
	}
	for range 4 {
		switch u := t.Underlying().(type) {
		case *types.Chan:
			return true
		case *types.Slice:
			t = u.Elem()
		case *types.Array:
			t = u.Elem()
		case *types.Map:
			t = u.Elem()
		case *types.Pointer:
			t = u.Elem()
		default:
			return false
		}
	}
	return false
}

// containedArg reports whether callee, a function of another package,
// only operates on the channel it receives as argument i (its fact
// says so).
func (c *checker) containedArg(callee *ssa.Function, i int) bool {
	b := c.importedBlocker(callee)
	return b != nil && b.contained && b.param == i
}

// maxContainDepth bounds contained's walk through the package's calls.
const maxContainDepth = 4

// contained reports whether the function of p does nothing with the
// channel p but send, receive, select, close, len and cap, here or in
// the functions of the package it passes p to.
func (c *checker) contained(p ssa.Value, depth int) bool {
	refs := p.Referrers()
	if refs == nil || depth > maxContainDepth {
		return false
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.Send:
			if r.X == p {
				return false
			}
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				return false
			}
		case *ssa.Select, *ssa.DebugRef:
		case *ssa.ChangeType:
			if !c.contained(r, depth+1) {
				return false
			}
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok {
				if n := b.Name(); n != "close" && n != "len" && n != "cap" {
					return false
				}
				continue
			}
			callee := r.Call.StaticCallee()
			if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != c.pass.Pkg || len(callee.Blocks) == 0 {
				return false
			}
			for i, a := range r.Call.Args {
				if a == p && (i >= len(callee.Params) || !c.contained(callee.Params[i], depth+1)) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}
