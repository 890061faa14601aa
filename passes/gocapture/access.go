package gocapture

import (
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/ssa"
)

// An access is a plain read or write of a captured variable, of a part
// of it (a field, an array element), or of the contents of the map it
// holds.
type access struct {
	instr ssa.Instruction
	pos   token.Pos
	write bool
	inMap bool     // the access is to the map the variable holds, not to the variable
	path  []string // selectors from the variable: ".f", "[3]", or "[?]" for a variable index
}

// maxPathDepth bounds the selectors followed from a captured variable.
const maxPathDepth = 4

// accessesOf returns the plain accesses that its function makes to the
// variable that v (an *ssa.Alloc, a phi of them, or an *ssa.FreeVar)
// points to. Calls that take the variable's address (atomic.AddInt64(&n,
// 1), buf.WriteString) are not plain accesses: what the callee does is
// unknown, and sync/atomic's are synchronized (fixture okAtomicCounter).
func accessesOf(v ssa.Value) []access {
	var out []access
	addrAccesses(v, nil, &out)
	return out
}

func addrAccesses(addr ssa.Value, path []string, out *[]access) {
	refs := addr.Referrers()
	if refs == nil || len(path) > maxPathDepth {
		return
	}
	for _, ref := range *refs {
		switch ref := ref.(type) {
		case *ssa.UnOp:
			if ref.Op != token.MUL || ref.X != addr {
				continue
			}
			*out = append(*out, access{instr: ref, pos: ref.Pos(), path: path})
			if _, ok := ref.Type().Underlying().(*types.Map); ok {
				mapAccesses(ref, path, out)
			}
		case *ssa.Store:
			if ref.Addr != addr || selfAssign(ref) {
				continue
			}
			*out = append(*out, access{instr: ref, pos: ref.Pos(), write: true, path: path})
		case *ssa.FieldAddr:
			if ref.X == addr {
				addrAccesses(ref, with(path, "."+fieldName(addr.Type(), ref.Field)), out)
			}
		case *ssa.IndexAddr:
			// Only arrays: an element of a slice is not part of the
			// variable, which holds the slice header.
			if ref.X == addr && isArrayPtr(addr.Type()) {
				addrAccesses(ref, with(path, indexSel(ref.Index)), out)
			}
		}
	}
}

// mapAccesses appends the accesses to the contents of the map m, a
// value just loaded from a captured variable: m[k] = v, delete(m, k)
// and clear(m) write it; m[k], range, len(m), and handing m to a
// function or converting it to an interface read it.
func mapAccesses(m *ssa.UnOp, path []string, out *[]access) {
	for _, ref := range *m.Referrers() {
		switch ref := ref.(type) {
		case *ssa.MapUpdate:
			if ref.Map == m {
				*out = append(*out, access{instr: ref, pos: ref.Pos(), write: true, inMap: true, path: path})
			}
		case *ssa.Lookup:
			if ref.X == m {
				*out = append(*out, access{instr: ref, pos: ref.Pos(), inMap: true, path: path})
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

// conflict reports whether a and b may touch the same memory and at
// least one writes it. Two elements with a variable index are assumed
// distinct: each goroutine usually writes its own (out[i] = v, fixture
// okDistinctElements).
func conflict(a, b access) bool {
	if !a.write && !b.write || a.inMap != b.inMap {
		return false
	}
	for i := 0; i < len(a.path) && i < len(b.path); i++ {
		if a.path[i] != b.path[i] || a.path[i] == "[?]" {
			return false
		}
	}
	return true // one path is a prefix of the other
}

// describe names the accessed location in source terms: "err",
// "res.n", "map m".
func describe(name string, a access) string {
	for _, sel := range a.path {
		name += sel
	}
	if a.inMap {
		return "map " + name
	}
	return name
}
