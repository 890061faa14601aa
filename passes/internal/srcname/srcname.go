// Package srcname turns SSA values back into the source expressions a
// programmer wrote, so that diagnostics never mention SSA registers.
package srcname

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// maxDepth bounds the recursion on long selector chains and phi cycles.
const maxDepth = 8

// Of returns the source expression that v denotes, such as "s.mu",
// "b.out", "mu" or "cfg.inner.ch". Address-of and pointer loads are
// elided, as in Go's selector syntax. When no name can be recovered
// (a call result, a phi of several values) it returns a description of
// the value's type, such as "a *sync.Mutex value", never a register.
func Of(v ssa.Value) string {
	if s, ok := name(v, 0); ok {
		return s
	}
	return "a " + types.TypeString(v.Type(), types.RelativeTo(pkgOf(v))) + " value"
}

// Known reports whether v has a source name, as opposed to a description.
func Known(v ssa.Value) bool {
	_, ok := name(v, 0)
	return ok
}

func name(v ssa.Value, depth int) (string, bool) {
	if depth > maxDepth {
		return "", false
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		return v.Name(), v.Name() != "" && v.Name() != "_"
	case *ssa.FreeVar:
		return v.Name(), true
	case *ssa.Global:
		return v.Name(), true
	case *ssa.Alloc:
		// A local variable that escapes (or was captured) is an Alloc
		// whose Comment is the variable's name; other Allocs are
		// temporaries such as composite literals.
		if isIdent(v.Comment) && !syntheticAlloc[v.Comment] {
			return v.Comment, true
		}
	case *ssa.FieldAddr:
		if base, ok := name(v.X, depth+1); ok {
			return base + "." + fieldName(v.X.Type(), v.Field), true
		}
	case *ssa.Field:
		if base, ok := name(v.X, depth+1); ok {
			return base + "." + fieldName(v.X.Type(), v.Field), true
		}
	case *ssa.IndexAddr:
		if base, ok := name(v.X, depth+1); ok {
			return base + "[" + indexName(v.Index) + "]", true
		}
	case *ssa.Index:
		if base, ok := name(v.X, depth+1); ok {
			return base + "[" + indexName(v.Index) + "]", true
		}
	case *ssa.UnOp:
		// *p where p names a variable is the variable's value; an
		// explicit dereference of a pointer-typed variable is written
		// the same way by Go's automatic dereference in selectors.
		if v.Op == token.MUL {
			return name(v.X, depth+1)
		}
	case *ssa.ChangeType:
		return name(v.X, depth+1)
	case *ssa.Convert:
		return name(v.X, depth+1)
	case *ssa.MakeInterface:
		return name(v.X, depth+1)
	case *ssa.ChangeInterface:
		return name(v.X, depth+1)
	case *ssa.Slice:
		return name(v.X, depth+1)
	}
	return "", false
}

// fieldName returns the name of the i-th field of the struct that t
// (a struct or a pointer to one) denotes.
func fieldName(t types.Type, i int) string {
	t = t.Underlying()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	if s, ok := t.(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i).Name()
	}
	return "?"
}

func indexName(v ssa.Value) string {
	if c, ok := v.(*ssa.Const); ok && c.Value != nil {
		return c.Value.ExactString()
	}
	if s, ok := name(v, maxDepth-1); ok {
		return s
	}
	return "i"
}

// syntheticAlloc holds the comments go/ssa gives to Allocs that are
// not variables of the source.
var syntheticAlloc = map[string]bool{
	"complit": true, "slicelit": true, "makeslice": true, "new": true,
	"varargs": true, "rangeindex": true,
}

func isIdent(s string) bool {
	if s == "" || s == "_" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= 0x80 || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return !strings.Contains(s, " ")
}

func pkgOf(v ssa.Value) *types.Package {
	if fn := v.Parent(); fn != nil && fn.Pkg != nil {
		return fn.Pkg.Pkg
	}
	return nil
}
