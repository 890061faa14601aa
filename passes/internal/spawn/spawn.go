// Package spawn recognizes the places where a function starts a
// closure as a goroutine: go statements, and calls of the spawner
// functions that run their closure argument in a new goroutine, such
// as (*sync.WaitGroup).Go and (*errgroup.Group).Go.
package spawn

import (
	"flag"
	"fmt"
	"go/token"
	"go/types"
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
	// AfterFunc runs f in its own goroutine once the duration elapses.
	"time.AfterFunc": {arg: 1},
	// conc's WaitGroup.Go runs f in a goroutine through panics'
	// Catcher.Try, a function of another package, whose body the
	// inference of spawnfact cannot see; its Wait, a call handed the
	// receiver, may wait for the goroutine (Site.Via).
	"(*github.com/sourcegraph/conc.WaitGroup).Go": {arg: 1},
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

	// Via is the spawner called, for one that does not register the
	// goroutine with a Group (a pool's Submit, a package's Go helper,
	// one of -gocapture.spawners): the pool it belongs to may wait for
	// the goroutine (p.Wait()); or nil.
	Via *types.Func
	// Queued: the spawner hands the closure to a pool's worker
	// goroutine over a channel, and the pool may run the closures
	// handed to it one after another, not at once.
	Queued bool
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
func SitesOf(fn *ssa.Function, extra Extra) []Site { return SitesWith(fn, extra, nil) }

// SitesWith is SitesOf, with the functions of lookup (from SpawnsFacts)
// as spawners too.
func SitesWith(fn *ssa.Function, extra Extra, lookup Lookup) []Site {
	var sites []Site
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if s, ok := siteOf(instr, extra, lookup); ok {
				sites = append(sites, s)
			}
		}
	}
	return sites
}

func siteOf(instr ssa.Instruction, extra Extra, lookup Lookup) (Site, bool) {
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
		sp, ok := spawnerArg(callee, extra, lookup)
		if !ok || sp.Arg < 0 || sp.Arg >= len(instr.Call.Args) {
			return Site{}, false
		}
		mc, ok := unwrap(instr.Call.Args[sp.Arg]).(*ssa.MakeClosure)
		if !ok {
			return Site{}, false
		}
		s := Site{Instr: instr, Closure: mc, Fn: mc.Fn.(*ssa.Function), Pos: instr.Pos(), Queued: sp.Queued}
		if spawners[callee.FullName()].joined {
			s.Group = instr.Call.Args[0]
		} else {
			s.Via = callee
		}
		return s, true
	}
	return Site{}, false
}

// spawnerArg returns the argument of a call of callee that callee runs
// in a new goroutine, if it is a spawner: a known one, one of extra
// (its last argument), or one with a SpawnsFact.
func spawnerArg(callee *types.Func, extra Extra, lookup Lookup) (SpawnsFact, bool) {
	if callee.Pkg() != nil && (spawnerPkgs[callee.Pkg().Path()] || extra.hasPkg(callee.Pkg().Path())) {
		if arg, ok := spawnerByName(syncapi.FullName(callee), extra, callee); ok {
			return SpawnsFact{Arg: arg}, true
		}
	}
	sp, ok := lookup[callee]
	return sp, ok
}

// spawnerPkgs holds the packages of the known spawners: the name of a
// function of another package is not spelled (syncapi.FullName).
var spawnerPkgs = make(map[string]bool)

func init() {
	for name := range spawners {
		spawnerPkgs[syncapi.PkgOfName(name)] = true
	}
}

// hasPkg reports whether one of the functions of x is of the package
// path.
func (x Extra) hasPkg(path string) bool {
	for name := range x {
		if syncapi.PkgOfName(name) == path {
			return true
		}
	}
	return false
}

// spawnerByName returns the argument of a call of callee, named name,
// that a known spawner or one of extra runs in a new goroutine.
func spawnerByName(name string, extra Extra, callee *types.Func) (int, bool) {
	if sp, ok := spawners[name]; ok {
		return sp.arg, true
	}
	if extra[name] {
		if sig, ok := callee.Type().(*types.Signature); ok {
			n := sig.Params().Len() - 1
			if sig.Recv() != nil {
				n++
			}
			return n, true
		}
	}
	return 0, false
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
func IsSpawner(call *ssa.CallCommon, extra Extra) bool { return IsSpawnerWith(call, extra, nil) }

// IsSpawnerWith is IsSpawner, with the functions of lookup too.
func IsSpawnerWith(call *ssa.CallCommon, extra Extra, lookup Lookup) bool {
	callee := syncapi.Callee(call)
	if callee == nil {
		return false
	}
	_, ok := spawnerArg(callee, extra, lookup)
	return ok
}
