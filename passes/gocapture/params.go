package gocapture

import (
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
)

// Goroutines handed the address of a variable.
//
// go bump(&n) starts a function of the package with a pointer to the
// starter's variable n: what bump does through its parameter is what
// the goroutine does to n, as if bump were a closure that captured n
// (issue 11). The call's arguments stand for a closure's bindings,
// and the callee's parameters for its free variables.

// A goVar is the goroutine's side of a captured variable: the free
// variable of a closure, or the parameter of a function started by
// go f(&n), which points to the variable.
type goVar interface {
	ssa.Value
	Parent() *ssa.Function
}

// goVar returns the goroutine's side of the i-th variable of site s,
// in the order of s.Closure.Bindings: asked once per goroutine and
// variable, it builds no slice.
func (c *checker) goVar(s spawn.Site, i int) goVar {
	if c.byParam[s.Closure] {
		return s.Fn.Params[i]
	}
	return s.Fn.FreeVars[i]
}

// numGoVars returns the number of the goroutine's sides of the
// variables of site s.
func (c *checker) numGoVars(s spawn.Site) int {
	if c.byParam[s.Closure] {
		return len(s.Fn.Params)
	}
	return len(s.Fn.FreeVars)
}

// varName returns the source name of the i-th variable of site s: the
// free variable's, or, for go f(&n), the variable's (n, not f's
// parameter), which is what the starter's accesses name.
func (c *checker) varName(s spawn.Site, i int) string {
	if c.byParam[s.Closure] {
		switch a := s.Closure.Bindings[i].(type) {
		case *ssa.Alloc:
			if a.Comment != "" {
				return a.Comment
			}
		case *ssa.Parameter:
			return a.Name()
		}
		return s.Fn.Params[i].Name()
	}
	return s.Fn.FreeVars[i].Name()
}

// addrSite returns the site of g, a go statement of fn, if it starts a
// function of the package, not a closure, handing it the address of
// one of fn's variables (go bump(&n)), and records it in c.byParam. A
// call through an interface or a function value is left out: the
// callee is not known.
func (c *checker) addrSite(fn *ssa.Function, g *ssa.Go) (spawn.Site, bool) {
	callee, ok := g.Call.Value.(*ssa.Function)
	if !ok || callee.Blocks == nil || callee.Pkg != fn.Pkg || len(callee.Params) != len(g.Call.Args) {
		return spawn.Site{}, false
	}
	handsAddr := false
	for _, a := range g.Call.Args {
		if isVariable(a) || sharedObject(fn, a) {
			handsAddr = true
		}
	}
	if !handsAddr {
		return spawn.Site{}, false
	}
	closure := &ssa.MakeClosure{Fn: callee, Bindings: g.Call.Args}
	c.byParam[closure] = true
	return spawn.Site{Instr: g, Closure: closure, Fn: callee, Pos: g.Pos()}, true
}

// goSites returns the go statements of fn that spawn.SitesWith does
// not know, since they start no closure that fn makes: those of a
// closure held in a variable (lift.go) and of a function of the
// package handed a variable's address.
func (c *checker) goSites(fn *ssa.Function) []spawn.Site {
	var out []spawn.Site
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok || g.Call.IsInvoke() {
				continue
			}
			if s, ok := c.varSite(fn, g); ok {
				out = append(out, s)
			} else if s, ok := c.addrSite(fn, g); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// siteSide returns the side of the goroutine started at s: the side of
// its function, or, for go f(&n), one whose events and locks name the
// keys of f's parameters by the arguments the starter hands them (wg
// in f is the starter's &wg), computed once per site.
func (st *starter) siteSide(s spawn.Site) *side {
	if !st.c.byParam[s.Closure] {
		return st.side(s.Fn)
	}
	if x := st.paramSides[s.Closure]; x != nil {
		return x
	}
	base := st.side(s.Fn)
	rebase := func(k lockset.Key) lockset.Key {
		return st.c.rebaseArgs(s.Fn, s.Closure.Bindings, k)
	}
	x := &side{fn: base.fn, g: base.g, rebase: rebase}
	for _, e := range base.events {
		e.key = rebase(e.key)
		x.events = append(x.events, e)
	}
	st.paramSides[s.Closure] = x
	return x
}

// sharedObject reports whether v, an argument of a go statement of fn,
// is one of fn's parameters that points to a struct: go m.readUp(ret)
// in a method of m shares *m with the goroutine as go f(&n) shares n
// (rule "shared object"). The parameter keeps its value, so the
// object is one; its fields are what the two sides access.
func sharedObject(fn *ssa.Function, v ssa.Value) bool {
	p, ok := v.(*ssa.Parameter)
	if !ok || p.Parent() != fn {
		return false
	}
	ptr, ok := p.Type().Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	_, ok = ptr.Elem().Underlying().(*types.Struct)
	return ok
}

// isShared reports whether v, a binding of site s, is memory that the
// goroutine shares with its starter: a captured variable, or, for a
// function started by a go statement, the object of a pointer
// parameter of the starter handed to it.
func (c *checker) isShared(s spawn.Site, v ssa.Value) bool {
	return isVariable(v) || c.byParam[s.Closure] && sharedObject(s.Instr.Parent(), v)
}
