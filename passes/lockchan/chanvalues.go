package lockchan

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// This file follows a channel value back to the places the package
// keeps it: the nodes of chans.go.

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
			// A channel received from a channel of channels.
			*out = append(*out, x.elems(x.sub(v.X, seen, depth))...)
		default:
			*out = append(*out, openNode)
		}
	case *ssa.Lookup:
		*out = append(*out, x.elems(x.sub(v.X, seen, depth))...)
	case *ssa.Index:
		*out = append(*out, x.elems(x.sub(v.X, seen, depth))...)
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
	case *ssa.Select:
		// (index, recvOk, r0, r1, ...): r_k is received from the k-th
		// receiving case.
		k := i - 2
		for _, st := range t.States {
			if st.Dir != types.RecvOnly {
				continue
			}
			if k == 0 {
				*out = append(*out, x.elems(x.sub(st.Chan, seen, depth))...)
				return
			}
			k--
		}
	case *ssa.Next:
		// for k, v := range m: v is an element of m.
		if rng, ok := t.Iter.(*ssa.Range); ok && i == 2 && !t.IsString {
			*out = append(*out, x.elems(x.sub(rng.X, seen, depth))...)
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
		return x.elems(x.nodesOf(a.X))
	case *ssa.FreeVar:
		if b := x.bindings(a); b != nil {
			return x.addrNodes(b)
		}
	}
	return []chanNode{openNode}
}

// sub returns the nodes of w within the walk of another value.
func (x *chanIndex) sub(w ssa.Value, seen map[ssa.Value]bool, depth int) []chanNode {
	var out []chanNode
	x.walkValue(w, seen, depth+1, &out)
	return out
}

// fieldNode returns the node of field i of the struct that t is or
// points to: for a generic type, the field of its origin, so that the
// methods of Pipe[T], each with its own T, share the field's channels.
func fieldNode(t types.Type, i int) chanNode {
	t = t.Underlying()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	if s, ok := t.(*types.Struct); ok && i < s.NumFields() {
		return chanNode(s.Field(i).Origin())
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
