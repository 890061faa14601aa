package gocapture

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/report"
)

// An access is a plain read or write of a captured variable, of a part
// of it (a field, an array element), of the contents of the map it
// holds, or of memory the variable reaches: the elements of the slice
// it holds, the object its pointer points to.
type access struct {
	instr ssa.Instruction
	pos   token.Pos
	write bool
	inMap bool     // the access is to the map the variable holds, not to the variable
	path  []string // selectors from the variable (see below)

	// For an access made by a closure that the function calls at once
	// or defers (rule "inline" of doc.go), instr is the call, or the
	// rundefers, and in is the access in the closure, whose locks
	// count too.
	in   ssa.Instruction
	inFn *ssa.Function
	// For an access of a function of the package that the function
	// calls (methods.go), inArgs are the call's arguments, by which
	// the locks held in it that its parameters lead to are named.
	inArgs []ssa.Value
}

// The selectors of an access path. ".f" and "[3]" (or "[?]" for a
// variable index) select a field or an array element within the
// memory they start from; "*" goes to what a pointer points to, and
// "[]3", "[]?" and "[]*" to an element of a slice: a constant index, a
// variable one, and every element at once (copy, append, range,
// string(b), a call handed the slice); "{k}" and "{?}" to the map held
// at a constant key or another one of a map of maps. After "*", "[]" or
// "{", the path names memory outside the variable.
const (
	pointee   = "*"
	elemsSel  = "[]"
	everyElem = "[]*"
	someElem  = "[]?"
	someKey   = "{?}"
)

// maxPathDepth bounds the selectors followed from a captured variable:
// a deeper access counts as an access of its prefix.
const maxPathDepth = 4

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

// accessesOf returns the plain accesses that its function makes to the
// variable that v (an *ssa.Alloc, a phi of them, or an *ssa.FreeVar)
// points to, and to the memory behind it that r allows. Calls that
// take the variable's address (atomic.AddInt64(&n, 1), buf.WriteString)
// are not plain accesses: what the callee does is unknown, and
// sync/atomic's are synchronized (fixture okAtomicCounter); but a
// function of the package, a method on a pointer receiver most often,
// accesses the variable as its body does through the parameter
// (methods.go).
func accessesOf(v ssa.Value, r reach) []access {
	var out []access
	addrAccesses(v, nil, r, &out)
	return out
}

func addrAccesses(addr ssa.Value, path []string, r reach, out *[]access) {
	refs := addr.Referrers()
	if refs == nil {
		return
	}
	if len(path) > maxPathDepth {
		// A deeper path is truncated to its prefix: the access counts
		// as one of the whole (issue 11).
		path = path[:maxPathDepth:maxPathDepth]
	}
	for _, ref := range *refs {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op != token.MUL || ref.X != addr {
				continue
			}
			if pos := posOr(ref, addr); pos.IsValid() {
				*out = append(*out, access{instr: ref, pos: pos, path: path})
			}
			switch ref.Type().Underlying().(type) {
			case *types.Map:
				mapAccesses(ref, path, out)
			case *types.Slice:
				if r.elems && len(path) == r.at {
					sliceAccesses(ref, with(path, elemsSel), false, out)
				}
			case *types.Pointer:
				if r.pointee && len(path) == r.at {
					addrAccesses(ref, with(path, pointee), reach{fields: r.fields}, out)
				}
			case *types.Interface:
				if r.pointee && len(path) == 0 {
					assertedAccesses(ref, with(path, pointee), out)
				}
			}
		case *ssa.Store:
			if ref.Addr != addr || selfAssign(ref) {
				continue
			}
			if pos := posOr(ref, addr); pos.IsValid() {
				*out = append(*out, access{instr: ref, pos: pos, write: true, path: path})
			}
		case *ssa.FieldAddr:
			if ref.X == addr {
				fr := r
				if len(path) == 1 && path[0] == pointee && r.fields != nil {
					// A field of the function's own object: followed to
					// the memory it reaches if it keeps one value.
					fr = r.fields[ref.Field]
					fr.at, fr.calls = len(path)+1, r.calls
				}
				addrAccesses(ref, with(path, "."+fieldName(addr.Type(), ref.Field)), fr, out)
			}
		case *ssa.IndexAddr:
			// Only arrays: an element of a slice is not part of the
			// variable, which holds the slice header.
			if ref.X == addr && isArrayPtr(addr.Type()) {
				addrAccesses(ref, with(path, indexSel(ref.Index)), r, out)
			}
		case *ssa.MakeClosure:
			inlineAccesses(ref, addr, path, r, out)
		case *ssa.Call:
			calleeAccesses(ref, addr, path, r, out)
		}
	}
}

// assertedAccesses appends the accesses through the pointers asserted
// from the interface value x, just loaded from a captured variable that
// holds the function's own object (rule "behind", fixture
// badInterfacePointer): v.(*stats).hits++. An assertion that succeeds
// yields the one pointer stored, whatever the form (v.(*T), or p, ok :=
// v.(*T)); an assertion to an interface type, and a method called on
// the interface, are not followed.
func assertedAccesses(x ssa.Value, path []string, out *[]access) {
	for _, ref := range *x.Referrers() {
		ta, ok := ref.(*ssa.TypeAssert)
		if !ok || ta.X != x {
			continue
		}
		if _, ok := ta.AssertedType.Underlying().(*types.Pointer); !ok {
			continue
		}
		if !ta.CommaOk {
			addrAccesses(ta, path, reach{}, out)
			continue
		}
		for _, r := range *ta.Referrers() {
			if ex, ok := r.(*ssa.Extract); ok && ex.Index == 0 {
				addrAccesses(ex, path, reach{}, out)
			}
		}
	}
}

// inlineAccesses appends the accesses that the closure mc makes to the
// variable addr it captures, if the function only calls mc at once or
// defers it (rule "inline"): func() { x = 1 }() and defer func() { x =
// 1 }() in a goroutine access x there (fixture badDeferredClosure). A
// closure handed elsewhere or stored may run at any time, and is left
// out. Each access is placed at the call, or at the function's
// rundefers for a deferred closure, which runs when the function
// returns.
func inlineAccesses(mc *ssa.MakeClosure, addr ssa.Value, path []string, r reach, out *[]access) {
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok {
		return
	}
	var at []ssa.Instruction
	for _, ref := range *mc.Referrers() {
		switch call := ref.(type) {
		case *ssa.Call:
			if call.Call.Value != mc {
				return
			}
			at = append(at, call)
		case *ssa.Defer:
			if call.Call.Value != mc {
				return
			}
			at = append(at, runDefers(call.Parent(), call)...)
		case *ssa.DebugRef:
		default:
			return
		}
	}
	for j, b := range mc.Bindings {
		if b != addr || j >= len(fn.FreeVars) {
			continue
		}
		var inner []access
		addrAccesses(fn.FreeVars[j], path, r, &inner)
		for _, a := range inner {
			if a.in == nil {
				a.in, a.inFn = a.instr, fn
			}
			for _, x := range at {
				a.instr = x
				*out = append(*out, a)
			}
		}
	}
}

// runDefers returns the rundefers instructions of fn, where its
// deferred calls run, or the defer d itself if there are none.
func runDefers(fn *ssa.Function, d *ssa.Defer) []ssa.Instruction {
	out := flow.RunDefers(fn)
	if len(out) == 0 {
		out = append(out, d)
	}
	return out
}

// sliceAccesses appends the accesses to the elements of the slice s, a
// value loaded from a captured variable (path ends with "[]"): s[i]
// reads or writes one element, and copy, append, a range loop,
// string(s) and a function handed s read or write all of them. A
// reslice s[a:b] shares the elements, at other indexes.
func sliceAccesses(s ssa.Value, path []string, shifted bool, out *[]access) {
	base := path[:len(path)-1]
	every := func(instr ssa.Instruction, pos token.Pos, write bool) {
		if pos.IsValid() {
			*out = append(*out, access{instr: instr, pos: pos, write: write, path: with(base, everyElem)})
		}
	}
	for _, ref := range *s.Referrers() {
		switch ref := ref.(type) {
		case *ssa.IndexAddr:
			if ref.X != s {
				continue
			}
			sel := elemSel(ref)
			if shifted && sel != everyElem {
				sel = someElem
			}
			addrAccesses(ref, with(base, sel), reach{}, out)
		case *ssa.Slice:
			if ref.X == s {
				sliceAccesses(ref, path, true, out)
			}
		case *ssa.Convert:
			every(ref, ref.Pos(), false) // string(b)
		case *ssa.Call:
			if b, ok := ref.Call.Value.(*ssa.Builtin); ok {
				switch b.Name() {
				case "copy":
					every(ref, ref.Pos(), ref.Call.Args[0] == s)
				case "append":
					every(ref, ref.Pos(), false)
				}
				continue
			}
			// A function handed the slice reads it, as one handed a
			// map (fixture badSliceToCallee).
			every(ref, ref.Pos(), false)
		case *ssa.MakeInterface:
			pos := ref.Pos()
			for _, r := range *ref.Referrers() {
				if c, ok := r.(ssa.CallInstruction); ok && !pos.IsValid() {
					pos = c.Pos()
				}
			}
			every(ref, pos, false)
		}
	}
}

// elemSel returns the selector of the slice element ia: "[]3" for a
// constant index, "[]*" for the index of a range loop over the slice,
// which visits every element, "[]?" for another index. go/ssa names
// the blocks of a range loop over a slice "rangeindex.*" and computes
// the index in the "rangeindex.loop" block.
func elemSel(ia *ssa.IndexAddr) string {
	if c, ok := ia.Index.(*ssa.Const); ok && c.Value != nil {
		return elemsSel + c.Value.ExactString()
	}
	if x, ok := ia.Index.(ssa.Instruction); ok && x.Block() != nil && x.Block().Comment == "rangeindex.loop" {
		return everyElem
	}
	return someElem
}

// mapAccesses appends the accesses to the contents of the map m, a
// value just loaded from a captured variable: m[k] = v, delete(m, k)
// and clear(m) write it; m[k], range, len(m), and handing m to a
// function or converting it to an interface read it.
func mapAccesses(m ssa.Value, path []string, out *[]access) {
	for _, ref := range *m.Referrers() {
		switch ref := ref.(type) {
		case *ssa.MapUpdate:
			if ref.Map == m {
				*out = append(*out, access{instr: ref, pos: ref.Pos(), write: true, inMap: true, path: path})
			}
		case *ssa.Lookup:
			if ref.X == m {
				*out = append(*out, access{instr: ref, pos: ref.Pos(), inMap: true, path: path})
				// A map of maps: idx[a][b] = v writes the map that
				// idx[a] holds (issue 11), a map per key.
				if _, ok := ref.Type().Underlying().(*types.Map); ok && !ref.CommaOk && len(path) < maxPathDepth {
					mapAccesses(ref, with(path, keySel(ref.Index)), out)
				}
			}
		case *ssa.Range:
			*out = append(*out, access{instr: ref, pos: m.Pos(), inMap: true, path: path})
		case *ssa.Call:
			if b, ok := ref.Call.Value.(*ssa.Builtin); ok {
				switch b.Name() {
				case "delete", "clear":
					*out = append(*out, access{instr: ref, pos: ref.Pos(), write: true, inMap: true, path: path})
				case "len":
					*out = append(*out, access{instr: ref, pos: ref.Pos(), inMap: true, path: path})
				}
				continue
			}
			// A function handed the map reads it (minio-go's tests log
			// the captured args map from a goroutine while the test
			// adds to it: fixture badMapToCallee); whether it also
			// writes is not known, so only the read is counted.
			*out = append(*out, access{instr: ref, pos: ref.Pos(), inMap: true, path: path})
		case *ssa.MakeInterface:
			// fmt.Println(m) and the like: the map goes into an
			// interface that the callee reads. The conversion is
			// implicit and has no position; the call that takes it has.
			pos := ref.Pos()
			for _, r := range *ref.Referrers() {
				if c, ok := r.(ssa.CallInstruction); ok && !pos.IsValid() {
					pos = c.Pos()
				}
			}
			if pos.IsValid() {
				*out = append(*out, access{instr: ref, pos: pos, inMap: true, path: path})
			}
		}
	}
}

// keySel returns the selector of the map held at key k of a map of
// maps: "{3}" or "{\"a\"}" for a constant, "{?}" for another key, taken,
// as a variable index is, to be each goroutine's own (rule 12).
func keySel(k ssa.Value) string {
	if c, ok := k.(*ssa.Const); ok && c.Value != nil {
		return "{" + c.Value.ExactString() + "}"
	}
	return someKey
}

// isKeySel reports whether sel selects the map held at a key.
func isKeySel(sel string) bool { return strings.HasPrefix(sel, "{") }

// posOr returns the position of the load or store instr, or, for one
// that has none (the load of a range loop's element), that of the
// address it uses (the range expression).
func posOr(instr ssa.Instruction, addr ssa.Value) token.Pos {
	if pos := instr.Pos(); pos.IsValid() {
		return pos
	}
	return addr.Pos()
}

// selfAssign reports whether st stores a value just loaded from the
// same address: go/ssa emits one for "return res" with a named result
// res, which writes nothing new.
func selfAssign(st *ssa.Store) bool {
	ld, ok := st.Val.(*ssa.UnOp)
	return ok && ld.Op == token.MUL && ld.X == st.Addr
}

// with returns a copy of path with sel appended.
func with(path []string, sel string) []string {
	out := make([]string, len(path), len(path)+1)
	copy(out, path)
	return append(out, sel)
}

// fieldName names the i-th field of the struct t or *t points to.
func fieldName(t types.Type, i int) string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if s, ok := t.Underlying().(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i).Name()
	}
	return strconv.Itoa(i)
}

// isArrayPtr reports whether t is a pointer to an array.
func isArrayPtr(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		_, ok := p.Elem().Underlying().(*types.Array)
		return ok
	}
	return false
}

// indexSel returns the selector of an array index: "[3]" for a
// constant, "[?]" for any other index.
func indexSel(v ssa.Value) string {
	if c, ok := v.(*ssa.Const); ok && c.Value != nil {
		return "[" + c.Value.ExactString() + "]"
	}
	return "[?]"
}

// conflict reports whether a and b may touch the same memory, at least
// one writing, and rule 12 does not take them apart.
func conflict(a, b access) bool {
	return overlap(a, b) && !(enabled("distinct") && distinctElems(a, b))
}

// overlap reports whether a and b may touch the same memory and at
// least one writes it: an element at a variable index may be any
// element, and an operation on every element of a slice touches each.
// A write of the variable does not touch the memory behind it (buf =
// nil and buf[0] are not the same location).
func overlap(a, b access) bool {
	if !a.write && !b.write || a.inMap != b.inMap {
		return false
	}
	n := min(len(a.path), len(b.path))
	for i := range n {
		x, y := a.path[i], b.path[i]
		switch {
		case x == everyElem && isElem(y), y == everyElem && isElem(x):
		case isVariableIndex(x) || isVariableIndex(y):
			if isElem(x) != isElem(y) {
				return false
			}
		case x != y:
			return false
		}
	}
	rest := a.path[n:]
	if len(b.path) > n {
		rest = b.path[n:]
	}
	for _, sel := range rest {
		if sel == pointee || isElem(sel) || isKeySel(sel) {
			return false
		}
	}
	return true
}

// distinctElems reports whether a and b, which overlap, are accesses
// of elements at a variable index, which rule 12 takes to be distinct:
// each goroutine usually writes its own (out[i] = v, fixture
// okDistinctElements). An operation on every element touches each.
func distinctElems(a, b access) bool {
	for i := range min(len(a.path), len(b.path)) {
		x, y := a.path[i], b.path[i]
		if x != everyElem && y != everyElem && (isVariableIndex(x) || isVariableIndex(y)) {
			return true
		}
	}
	return false
}

// isVariableIndex reports whether sel selects an array or slice
// element at an index that is not a constant.
func isVariableIndex(sel string) bool { return sel == "[?]" || sel == someElem || sel == someKey }

// isElem reports whether sel selects slice elements.
func isElem(sel string) bool { return strings.HasPrefix(sel, elemsSel) }

// describe names the accessed location in source terms: "err",
// "res.n", "map m", "st.hits" for a field behind the pointer st,
// "buf[0]", "the elements of buf".
func describe(name string, a access) string {
	every := false
	for i, sel := range a.path {
		switch {
		case sel == pointee:
			if i+1 == len(a.path) {
				name = "*" + name
			}
		case sel == everyElem || sel == someElem:
			if i+1 == len(a.path) {
				every = true
			} else {
				name += "[…]"
			}
		case isElem(sel):
			name += "[" + strings.TrimPrefix(sel, elemsSel) + "]"
		case sel == someKey:
			name += "[…]"
		case isKeySel(sel):
			name += "[" + strings.TrimSuffix(strings.TrimPrefix(sel, "{"), "}") + "]"
		default:
			name += sel
		}
	}
	switch {
	case a.inMap:
		return "map " + report.Code(name)
	case every:
		return "the elements of " + report.Code(name)
	}
	return report.Code(name)
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
