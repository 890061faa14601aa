// Package spawn recognizes the places where a function starts a
// closure as a goroutine: go statements, and calls of the spawner
// functions that run their closure argument in a new goroutine, such
// as (*sync.WaitGroup).Go and (*errgroup.Group).Go.
package spawn

import (
	"flag"
	"fmt"
	"go/token"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// A spawner describes a function that runs a closure argument in a new
// goroutine.
type spawner struct {
	arg int // index of the closure among the call's arguments, receiver first

	// joined: the goroutine is registered with the receiver, whose
	// Wait method returns only after the goroutine returned.
	joined bool
}

// spawners maps the full names of the known spawners, as
// (*types.Func).FullName spells them, to their description.
var spawners = map[string]spawner{
	"(*sync.WaitGroup).Go":                      {arg: 1, joined: true},
	"(*golang.org/x/sync/errgroup.Group).Go":    {arg: 1, joined: true},
	"(*golang.org/x/sync/errgroup.Group).TryGo": {arg: 1, joined: true},
}

// A Site is a place where a function starts a closure as a goroutine.
type Site struct {
	Instr   ssa.CallInstruction // the *ssa.Go, or the call of a spawner
	Closure *ssa.MakeClosure    // the closure started
	Fn      *ssa.Function       // the closure's function
	Pos     token.Pos           // the go keyword, or the spawner call's "("

	// Group is the receiver of a spawner that registers the goroutine
	// with it (wg in wg.Go(f)), so that Group.Wait() joins it; or nil.
	Group ssa.Value
}

// Extra is a set of further spawner functions, named as
// (*types.Func).FullName spells them; their closure argument is the
// last one. It is set from a user flag.
type Extra map[string]bool

// ParseExtra parses a comma-separated list of function names, such as
// "example.com/pool.Go,(*example.com/pool.Pool).Submit".
func ParseExtra(s string) Extra {
	m := make(Extra)
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name != "" {
			m[name] = true
		}
	}
	return m
}

// NamesFlag returns a flag.Value that sets *p to a comma-separated list
// of function names for ParseExtra, and refuses a list with a name
// that no function has (see checkName).
func NamesFlag(p *string) flag.Value { return namesFlag{p} }

type namesFlag struct{ p *string }

func (f namesFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f namesFlag) Set(s string) error {
	for _, name := range strings.Split(s, ",") {
		if err := checkName(strings.TrimSpace(name)); err != nil {
			return err
		}
	}
	*f.p = s
	return nil
}

// A funcName is a function name as (*types.Func).FullName spells it:
// pkg/path.Func, or (pkg/path.Type).Method or (*pkg/path.Type).Method.
var funcName = regexp.MustCompile(`^(?:[^\s()*,]+\.[^\s()*,./]+|\(\*?[^\s()*,]+\.[^\s()*,./]+\)\.[^\s()*,./]+)$`)

// checkName reports an error if name, from a flag, cannot name a
// function; an empty name (a trailing comma) is skipped.
func checkName(name string) error {
	if name == "" || funcName.MatchString(name) {
		return nil
	}
	return fmt.Errorf("%q is not a function name: want pkg/path.Func, (pkg/path.Type).Method or (*pkg/path.Type).Method", name)
}

// String returns the names of the set, sorted and comma-separated.
func (e Extra) String() string {
	var names []string
	for n := range e {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// SitesOf returns the places in fn, in instruction order, that start a
// closure as a goroutine. A go statement of a function that is not a
// closure (a named function or method value) captures no variable and
// is left out.
func SitesOf(fn *ssa.Function, extra Extra) []Site {
	var sites []Site
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if s, ok := siteOf(instr, extra); ok {
				sites = append(sites, s)
			}
		}
	}
	return sites
}

func siteOf(instr ssa.Instruction, extra Extra) (Site, bool) {
	switch instr := instr.(type) {
	case *ssa.Go:
		if mc, ok := instr.Call.Value.(*ssa.MakeClosure); ok && !instr.Call.IsInvoke() {
			return Site{Instr: instr, Closure: mc, Fn: mc.Fn.(*ssa.Function), Pos: instr.Pos()}, true
		}
	case *ssa.Call:
		callee := syncapi.Callee(instr.Common())
		if callee == nil || instr.Call.IsInvoke() {
			return Site{}, false
		}
		name := callee.FullName()
		sp, ok := spawners[name]
		if !ok && extra[name] {
			sp, ok = spawner{arg: len(instr.Call.Args) - 1}, true
		}
		if !ok || sp.arg < 0 || sp.arg >= len(instr.Call.Args) {
			return Site{}, false
		}
		mc, ok := unwrap(instr.Call.Args[sp.arg]).(*ssa.MakeClosure)
		if !ok {
			return Site{}, false
		}
		s := Site{Instr: instr, Closure: mc, Fn: mc.Fn.(*ssa.Function), Pos: instr.Pos()}
		if sp.joined {
			s.Group = instr.Call.Args[0]
		}
		return s, true
	}
	return Site{}, false
}

// unwrap looks through conversions of a function value to a named
// function type.
func unwrap(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.ChangeType:
			v = x.X
		case *ssa.MakeInterface:
			v = x.X
		default:
			return v
		}
	}
}

// IsSpawner reports whether call calls a spawner, whatever it is
// passed: the call starts a goroutine and waits for nothing.
func IsSpawner(call *ssa.CallCommon, extra Extra) bool {
	callee := syncapi.Callee(call)
	if callee == nil {
		return false
	}
	_, ok := spawners[callee.FullName()]
	return ok || extra[callee.FullName()]
}
