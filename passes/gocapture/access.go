package gocapture

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
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
