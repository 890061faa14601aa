package lockchan

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Contexts are channels to lockchan: ctx.Done() is closed by the
// context's cancel function.

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
