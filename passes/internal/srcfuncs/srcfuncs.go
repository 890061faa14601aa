// Package srcfuncs lists the functions of a package that the checks
// read. buildssa's SrcFuncs holds the package's declared functions and
// their closures, but not the closures written in package-level
// variable declarations (var handler = http.HandlerFunc(func(...) {...}),
// a cobra command's Run), which go/ssa makes in the package's synthetic
// initializer: code that runs like any other and can race or deadlock.
package srcfuncs

import (
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
)

// Checked returns SrcFuncs followed by the closures of the package's
// variable declarations, each closure before those it makes, as
// SrcFuncs orders them.
func Checked(ssainfo *buildssa.SSA) []*ssa.Function {
	init := initializer(ssainfo)
	if init == nil || len(init.AnonFuncs) == 0 {
		return ssainfo.SrcFuncs
	}
	n := len(ssainfo.SrcFuncs)
	return appendClosures(ssainfo.SrcFuncs[:n:n], init.AnonFuncs)
}

// WithInit returns Checked and the synthetic initializer itself, whose
// stores give package variables their initial values (var quit =
// make(chan struct{})): for indexes of where values come from, not for
// reporting, since its code is the declarations' right-hand sides.
func WithInit(ssainfo *buildssa.SSA) []*ssa.Function {
	init := initializer(ssainfo)
	if init == nil {
		return ssainfo.SrcFuncs
	}
	n := len(ssainfo.SrcFuncs)
	funcs := append(ssainfo.SrcFuncs[:n:n], init)
	return appendClosures(funcs, init.AnonFuncs)
}

// initializer returns the package's synthetic init function, or nil.
func initializer(ssainfo *buildssa.SSA) *ssa.Function {
	init := ssainfo.Pkg.Func("init")
	if init == nil || init.Synthetic == "" {
		return nil
	}
	return init
}

// appendClosures appends closures and, after each, the closures it
// makes, breadth first: a parent comes before its children.
func appendClosures(funcs, closures []*ssa.Function) []*ssa.Function {
	start := len(funcs)
	funcs = append(funcs, closures...)
	for i := start; i < len(funcs); i++ {
		funcs = append(funcs, funcs[i].AnonFuncs...)
	}
	return funcs
}
