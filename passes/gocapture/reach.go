package gocapture

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A reach says what memory behind a captured variable its accesses
// are followed to (rule "behind" of doc.go): the elements of the slice
// it holds, and the object its pointer points to. Only a variable that
// keeps one value is followed: after p = q, *p is another object.
type reach struct {
	elems   bool // follow the slice the variable holds to its elements
	pointee bool // follow the pointer the variable holds to its object
	calls   int  // the calls of the package's functions entered so far (methods.go)

	// at is the length of the path at which elems and pointee apply:
	// 0 for the variable itself, 2 for a field of the object its
	// pointer points to (*, .f).
	at int
	// fields, for a pointer variable followed to its object, says how
	// far each field of the object that keeps one value is followed
	// (st.buf[0], st.in.n; fieldReaches).
	fields map[int]reach
}

// reachOf returns the memory behind the captured variable v (an Alloc,
// or a free variable bound to one) that its accesses are followed to:
// the elements of a slice, if the variable keeps one value; the object
// a pointer points to, if the variable keeps one value that the
// function allocated itself (st := &stats{}, p := &n). A pointer from
// elsewhere may point to an object whose methods lock it; a variable
// assigned again (p = q) may point to another object after the go
// statement.
func (c *checker) reachOf(v ssa.Value) reach {
	for i := 0; i < 8; i++ {
		fv, ok := v.(*ssa.FreeVar)
		if !ok {
			break
		}
		if v = c.locks.Binding(fv); v == nil {
			return reach{}
		}
	}
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		return reach{}
	}
	r, ok := c.reaches[alloc]
	if !ok {
		r = reachOfAlloc(alloc)
		c.reaches[alloc] = r
	}
	return r
}

// reachOfAlloc returns reachOf of a variable of the starter.
func reachOfAlloc(alloc *ssa.Alloc) reach {
	stored, ok := storesTo(alloc, 0)
	if !ok || len(stored) > 1 {
		return reach{}
	}
	switch alloc.Type().(*types.Pointer).Elem().Underlying().(type) {
	case *types.Slice:
		return reach{elems: true}
	case *types.Pointer:
		if len(stored) == 1 {
			if obj, own := stored[0].(*ssa.Alloc); own {
				return reach{pointee: true, fields: fieldReaches(alloc, obj)}
			}
		}
	case *types.Interface:
		// var v any = &stats{}: the pointer in the interface is
		// followed as a pointer variable's (fixture
		// badInterfacePointer).
		if len(stored) == 1 {
			if mi, ok := stored[0].(*ssa.MakeInterface); ok {
				if _, own := mi.X.(*ssa.Alloc); own {
					return reach{pointee: true}
				}
			}
		}
	}
	return reach{}
}

// fieldReaches returns how far the fields of obj, the function's own
// object that the variable v holds and keeps (st := &stats{buf:
// make([]int, 4), in: &inner{}}), are followed: the elements of a slice
// field and the object of a pointer field that the function allocated
// itself, when the field keeps one value (rule "behind", fixtures
// badFieldSliceElement and badFieldPointee). A field is known to keep
// it only when every use of the object is seen: the object's pointer
// is only stored to v, v is only loaded to select fields of it or to
// hand it to functions of the package (handedTo), which do likewise
// with their parameter, and the field is assigned at most once in all
// of them and its address taken for nothing else. A call of another
// package's function handed the pointer, or the field's address,
// leaves the fields unfollowed: after st.in = q, st.in.n is another
// object's.
func fieldReaches(v, obj *ssa.Alloc) map[int]reach {
	ptrs := []ssa.Value{obj}
	if !loadsOf(v, 0, &ptrs) {
		return nil
	}
	byField := map[int][]*ssa.FieldAddr{}
	entered := map[*ssa.Parameter]int{} // the parameters followed, and how deep
	for k := 0; k < len(ptrs); k++ {
		p := ptrs[k]
		for _, ref := range *p.Referrers() {
			switch ref := ref.(type) {
			case ssa.CallInstruction:
				params, ok := handedTo(ref, p, obj.Type(), entered[asParam(p)]+1)
				if !ok {
					return nil
				}
				for _, q := range params {
					if _, seen := entered[q]; !seen {
						entered[q] = entered[asParam(p)] + 1
						ptrs = append(ptrs, q)
					}
				}
			case *ssa.FieldAddr:
				byField[ref.Field] = append(byField[ref.Field], ref)
			case *ssa.Store:
				if ref.Val != obj || ref.Addr != v {
					return nil
				}
			case *ssa.DebugRef:
			case *ssa.UnOp:
				if ref.Op != token.MUL {
					return nil
				}
			case *ssa.BinOp:
			default:
				return nil
			}
		}
	}
	out := map[int]reach{}
	for f, fas := range byField {
		var stored []ssa.Value
		kept := true
		for _, fa := range fas {
			for _, ref := range *fa.Referrers() {
				switch ref := ref.(type) {
				case *ssa.Store:
					if ref.Addr != fa {
						kept = false
					}
					stored = append(stored, ref.Val)
				case *ssa.UnOp:
					kept = kept && ref.Op == token.MUL
				case *ssa.DebugRef:
				default:
					kept = false
				}
			}
		}
		if !kept || len(stored) > 1 {
			continue
		}
		switch fas[0].Type().(*types.Pointer).Elem().Underlying().(type) {
		case *types.Slice:
			out[f] = reach{elems: true}
		case *types.Pointer:
			if len(stored) == 1 {
				if _, own := stored[0].(*ssa.Alloc); own {
					out[f] = reach{pointee: true}
				}
			}
		}
	}
	return out
}

// handedTo returns the parameters that call, a call of a function of
// the package (a method most often: st.flush()), takes the pointer p to
// an object of type t as, to be followed like the pointer itself: what
// the body does to the object's fields counts (an assignment st.in = q
// in it is one more). It reports false for a call of another package's
// function, of a function value or an interface method, one handed p
// otherwise than as a parameter of type t, and one more than
// maxCallDepth calls deep: what the callee does is not known.
func handedTo(call ssa.CallInstruction, p ssa.Value, t types.Type, depth int) ([]*ssa.Parameter, bool) {
	common := call.Common()
	callee := common.StaticCallee()
	if callee == nil || callee.Blocks == nil || callee.Synthetic != "" || depth > maxCallDepth ||
		call.Parent() == nil || callee.Pkg != call.Parent().Pkg || len(callee.Params) != len(common.Args) ||
		common.Value == p {
		return nil, false
	}
	var out []*ssa.Parameter
	for i, a := range common.Args {
		if a != p {
			continue
		}
		if !types.Identical(callee.Params[i].Type(), t) {
			return nil, false
		}
		out = append(out, callee.Params[i])
	}
	return out, true
}

// asParam returns p as a parameter, or nil.
func asParam(p ssa.Value) *ssa.Parameter {
	q, _ := p.(*ssa.Parameter)
	return q
}

// loadsOf appends to out the loads of the variable v, an Alloc or a
// free variable of a closure, in its function and the closures that
// capture it. It reports false if the variable is used otherwise than
// stored to, loaded or captured.
func loadsOf(v ssa.Value, depth int, out *[]ssa.Value) bool {
	refs := v.Referrers()
	if refs == nil || depth > 4 {
		return false
	}
	for _, ref := range *refs {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != v {
				return false
			}
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				return false
			}
			*out = append(*out, ref)
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for j, b := range ref.Bindings {
				if b == v && j < len(fn.FreeVars) && !loadsOf(fn.FreeVars[j], depth+1, out) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// storesTo returns the values stored to the variable v, an Alloc or a
// free variable of a closure, in its function and the closures that
// capture it. It reports false if the variable's address is used
// otherwise (handed to a call, stored), which may change it unseen.
func storesTo(v ssa.Value, depth int) ([]ssa.Value, bool) {
	refs := v.Referrers()
	if refs == nil || depth > 4 {
		return nil, false
	}
	var out []ssa.Value
	for _, ref := range *refs {
		switch ref := ref.(type) {
		case *ssa.Store:
			if ref.Addr != v {
				return nil, false
			}
			out = append(out, ref.Val)
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				return nil, false
			}
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
			fn := ref.Fn.(*ssa.Function)
			for j, b := range ref.Bindings {
				if b == v && j < len(fn.FreeVars) {
					more, ok := storesTo(fn.FreeVars[j], depth+1)
					if !ok {
						return nil, false
					}
					out = append(out, more...)
				}
			}
		default:
			return nil, false
		}
	}
	return out, true
}

// returnOperand returns the return statement that reads the variable
// that the load instr reads, if the load is an operand of it alone, on
// its line: gc evaluates the calls of "return tasks, g.Wait()" before
// it reads tasks (the spec leaves the order open), while go/ssa loads
// tasks first; the read happens at the return (prometheus's ECS
// discovery; fixture okReturnAfterWait). Otherwise it returns instr.
func (c *checker) returnOperand(instr ssa.Instruction) ssa.Instruction {
	ld, ok := instr.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL || ld.Referrers() == nil || len(*ld.Referrers()) != 1 {
		return instr
	}
	ret, ok := (*ld.Referrers())[0].(*ssa.Return)
	if !ok || ret.Block() != ld.Block() || !ld.Pos().IsValid() || !ret.Pos().IsValid() ||
		c.pass.Fset.Position(ld.Pos()).Line != c.pass.Fset.Position(ret.Pos()).Line {
		return instr
	}
	return ret
}
