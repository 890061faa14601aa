package gocapture

import (
	"strings"

	"github.com/sharedvet/sharedvet/passes/internal/report"
)

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
