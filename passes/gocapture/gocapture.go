package gocapture

import (
	_ "embed"
	"fmt"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/docs"
	"github.com/sharedvet/sharedvet/passes/internal/flagval"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/srcfuncs"
	"github.com/sharedvet/sharedvet/passes/internal/srcname"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
	"github.com/sharedvet/sharedvet/passes/trace"
)

//go:embed doc.go
var doc string

var Analyzer = &analysis.Analyzer{
	Name:     "gocapture",
	Doc:      docs.MustExtract(doc, "gocapture"),
	URL:      "https://github.com/sharedvet/sharedvet#gocapture",
	Requires: []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer, srcname.Analyzer, spawn.Analyzer},
	Run:      run,
}

// spawners holds the -gocapture.spawners flag: further functions that
// run their last argument, a closure, in a new goroutine.
var spawners string

// disabled holds the exceptions turned off by -gocapture.disable.
var disabled map[string]bool

func init() {
	Analyzer.Flags.Var(spawn.NamesFlag(&spawners), "spawners",
		"comma-separated functions that run their last argument in a new goroutine, "+
			"e.g. example.com/pool.Go,(*example.com/pool.Pool).Submit")
	Analyzer.Flags.Var(flagval.NameSet(&disabled, ExceptionNames()), "disable",
		"a comma-separated `list` of exceptions to turn off (names as -explain gocapture lists them), to see what each one clears")
}

func run(pass *analysis.Pass) (any, error) {
	ssainfo := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	c := &checker{
		pass:     pass,
		locks:    pass.ResultOf[lockset.Analyzer].(*lockset.Result),
		extra:    spawn.ParseExtra(spawners),
		spawns:   pass.ResultOf[spawn.Analyzer].(spawn.Lookup),
		claims:   make(map[claimKey]bool),
		held:     make(map[ssa.Instruction]lockset.Set),
		reaches:  make(map[*ssa.Alloc]reach),
		traced:   make(map[traceKey]bool),
		reported: make(map[raceKey]bool),
		lifted:   make(map[*ssa.MakeClosure]*lift),
		byParam:  make(map[*ssa.MakeClosure]bool),
		effects:  make(map[*ssa.BasicBlock][]lockEffect),
		helpers:  make(map[*ssa.Function]helperSummary),
		entries:  make(map[*ssa.Function][]lockset.Set),
		funcs:    srcfuncs.Checked(ssainfo),
		bodies:   make(map[bodyKey][]event),
	}
	// srcfuncs adds the closures of var declarations (a command's Run).
	safefunc.ForEach(pass, c.funcs, c.checkFunc)
	return nil, nil
}

// A checker holds what the checks of one package share.
type checker struct {
	pass    *analysis.Pass
	locks   *lockset.Result
	extra   spawn.Extra
	spawns  spawn.Lookup      // the functions that run an argument in a goroutine, from facts
	claims  map[claimKey]bool // whether a function's result is a claim's verdict (claim.go)
	held    map[ssa.Instruction]lockset.Set
	reaches map[*ssa.Alloc]reach // the memory followed behind a captured variable (access.go)
	traced  map[traceKey]bool    // the entries of the trace emitted (exceptions.go)
	// reported holds the reports made, which two starters may share.
	reported map[raceKey]bool
	lifted   map[*ssa.MakeClosure]*lift       // the sites lifted from loop bodies, by closure (lift.go)
	byParam  map[*ssa.MakeClosure]bool        // the sites of go f(&n), by closure (params.go)
	effects  map[*ssa.BasicBlock][]lockEffect // the lock effects of the package's helpers, by block (helperlocks.go)
	helpers  map[*ssa.Function]helperSummary  // what a helper does to its caller's locks
	entries  map[*ssa.Function][]lockset.Set  // the helpers' locks held at each block's entry (helperlocks.go)
	funcs    []*ssa.Function                  // the functions examined
	calls    *callIndex                       // the package's calls of its functions (callerlocks.go)
	bodies   map[bodyKey][]event              // the events of the bodies of called functions (order.go)
}

// A side is a function whose accesses to a captured variable are
// ordered against another's: the starting function, or a goroutine.
type side struct {
	fn     *ssa.Function
	g      *cfg
	events []event
	// rebase names a key of fn's as the starter does, for a function
	// started by go f(&n) (params.go); nil for the others.
	rebase func(lockset.Key) lockset.Key
	// entry holds the locks that every caller of a starting function
	// holds at its calls (callerlocks.go); nil for goroutines.
	entry lockset.Set
}

// side returns what the checks need of fn: its CFG and its events.
func (c *checker) side(fn *ssa.Function) *side {
	return &side{fn: fn, g: newCFG(fn), events: c.eventsOf(fn)}
}

// A race is a pair of conflicting accesses that nothing orders.
type race struct {
	kind      raceKind
	site      spawn.Site
	name      string // the variable's source name
	at, other access
	otherSite *spawn.Site // for concurrentGoroutines: the other goroutine's start
}

type raceKind int

const (
	goWritesParentAccesses raceKind = iota // the goroutine writes, the starter accesses after go
	parentWritesGoAccesses                 // the starter writes after go, the goroutine accesses
	goroutinesRace                         // two goroutines of the starter, at least one writing
)

// checkFunc reports the races on variables that fn captures in the
// closures it starts as goroutines.
func (c *checker) checkFunc(fn *ssa.Function) {
	sites := spawn.SitesWith(fn, c.extra, c.spawns)
	sites = append(sites, c.liftedSites(fn)...)
	sites = append(sites, c.goSites(fn)...)
	if len(sites) == 0 {
		return
	}
	st := c.newStarter(fn, sites)
	for _, s := range sites {
		if s.Fn.Synthetic != "" {
			continue // a bound method value: it captures the receiver's value
		}
		if e := c.excuse(perAccess, &candidate{g: st.parent.g, instr: s.Instr}); e != nil {
			c.trace(s.Pos, e) // never started (fixture okConstFalseStarter)
			continue
		}
		regions := make(map[regionKey]*region)
		for i, v := range s.Closure.Bindings {
			if i >= c.numGoVars(s) || !c.isShared(s, v) {
				continue
			}
			st.findRaces(s, i, regions)
		}
	}
	c.report(st.races)
}

// A starter holds what the checks of one starting function share: its
// side, and indexes by captured variable, so that the cost of a
// function grows with its accesses and go statements, not with their
// product (issue 11: 3000 go statements in one function).
type starter struct {
	c        *checker
	parent   *side
	sides    map[*ssa.Function]*side
	captures map[ssa.Value][]capture       // the goroutines that capture a variable, by binding
	byClass  map[ssa.Value][]*captureClass // the same, by how they access it (walk.go)
	pAcc     map[ssa.Value][]access        // the starter's accesses to a captured variable
	gAcc     map[goVar][]access            // a goroutine's accesses to a variable it reaches
	kills    map[killKey]*killSet          // where walks stop, by what they wait for
	races    map[raceKey]race              // the best race of each report
	// paramSides holds the sides of the functions started by go
	// f(&n), by site (params.go).
	paramSides map[*ssa.MakeClosure]*side
}

func (c *checker) newStarter(fn *ssa.Function, sites []spawn.Site) *starter {
	parent := c.side(fn)
	parent.entry = c.entryHeld(fn, 0)
	st := &starter{
		c:        c,
		parent:   parent,
		sides:    make(map[*ssa.Function]*side),
		captures: make(map[ssa.Value][]capture),
		byClass:  make(map[ssa.Value][]*captureClass),
		pAcc:     make(map[ssa.Value][]access),
		gAcc:     make(map[goVar][]access),
		kills:    make(map[killKey]*killSet),
		races:    make(map[raceKey]race),

		paramSides: make(map[*ssa.MakeClosure]*side),
	}
	for _, s := range sites {
		if s.Fn.Synthetic != "" {
			continue
		}
		for j, b := range s.Closure.Bindings {
			if j < c.numGoVars(s) && c.isShared(s, b) {
				st.captures[b] = append(st.captures[b], capture{s, j})
			}
		}
	}
	return st
}

// side returns the side of the goroutine fn, computed once.
func (st *starter) side(fn *ssa.Function) *side {
	if st.sides[fn] == nil {
		st.sides[fn] = st.c.side(fn)
	}
	return st.sides[fn]
}

// parentAccesses returns the starter's accesses to the variable v.
func (st *starter) parentAccesses(v ssa.Value) []access {
	accs, ok := st.pAcc[v]
	if !ok {
		accs = st.c.liveAccesses(st.parent.g, accessesOf(v, st.c.reachOf(v)))
		for i := range accs {
			accs[i].instr = st.c.returnOperand(accs[i].instr)
		}
		st.pAcc[v] = accs
	}
	return accs
}

// goAccesses returns a goroutine's accesses to the variable that gv,
// its goVar, points to.
func (st *starter) goAccesses(gv goVar) []access {
	accs, ok := st.gAcc[gv]
	if !ok {
		accs = st.c.liveAccesses(st.side(gv.Parent()).g, accessesOf(gv, st.c.reachOf(gv)))
		st.gAcc[gv] = accs
	}
	return accs
}

// liveAccesses returns the accesses of accs, in a function whose CFG
// is g, that no exception of stage perAccess excuses: code under a
// constant false condition (if debug, with const debug = false) never
// runs (rule 7, fixture okConstFalse).
func (c *checker) liveAccesses(g *cfg, accs []access) []access {
	out := accs[:0]
	for _, a := range accs {
		if e := c.excuse(perAccess, &candidate{g: g, instr: a.instr}); e != nil {
			c.trace(a.pos, e)
			continue
		}
		out = append(out, a)
	}
	return out
}

// isVariable reports whether a closure binding is a captured variable
// (a pointer to it), rather than a value captured by copy.
func isVariable(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.Alloc:
		return v.Heap
	case *ssa.Phi:
		// A per-iteration loop variable of Go 1.22: a fresh Alloc
		// on each iteration, merged at the loop's head.
		for _, e := range v.Edges {
			if _, ok := e.(*ssa.Alloc); !ok && e != v {
				return false
			}
		}
		return true
	case *ssa.FreeVar:
		// A variable that fn itself captured: go/ssa captures
		// variables by address.
		_, ok := v.Type().Underlying().(*types.Pointer)
		return ok
	}
	return false
}

// A capture is a closure started as a goroutine and the index of a
// variable among its free variables.
type capture struct {
	site spawn.Site
	i    int
}

// findRaces records the races on the variable that the closure started
// at s captures as its i-th free variable. Regions the starter may run
// while the goroutine does are shared by the variables of s.
func (st *starter) findRaces(s spawn.Site, i int, regions map[regionKey]*region) {
	v := s.Closure.Bindings[i]
	gAcc := st.goAccesses(st.c.goVar(s, i))
	if len(gAcc) == 0 {
		return
	}
	c, parent, gor := st.c, st.parent, st.siteSide(s)
	pAcc := st.parentAccesses(v)
	others := st.classes(v)
	mine, _ := st.classOf(capture{s, i})
	name := c.varName(s, i)
	paired := false
	l := c.lifted[s.Closure]
	for _, grp := range c.groupByReleases(parent, gor, s, gAcc) {
		if l != nil && st.joinedInBody(l, grp) {
			continue // the loop body waits for the goroutine
		}
		if l != nil && l.again {
			st.laterCallRaces(l, s, v, name, gor, grp.accs)
		}
		walk := func(stops stopKind) *region { return st.region(s, v, grp.releases, stops, regions) }
		r := walk(enabledStops())
		for _, pa := range pAcc {
			if !r.has(pa.instr) {
				st.traceStart(s, walk, pa.instr, grp.accs, []access{pa})
				continue
			}
			for _, ga := range grp.accs {
				if race, ok := st.parentRace(gor, s, name, ga, pa); ok {
					st.add(race)
				}
			}
		}
		// One race with another goroutine is enough to report the
		// variable at s: pairing s with every goroutine that races
		// with it would cost their product (issue 11).
		// A lifted goroutine is started again by the next call of
		// the loop body, while this one may run.
		concurrent := func(cp capture) bool {
			return l != nil && l.again && cp.site.Instr == s.Instr || r.has(cp.site.Instr)
		}
		// With the trace on, the pairs after the first race are still
		// judged, for the trace alone: each cleared pair names what
		// cleared it (fixture badReadRacesOneWriter).
		for _, cls := range others {
			if paired && !trace.On() {
				break
			}
			if !mine.mayRace(cls) {
				// No pair of accesses conflicts without a common
				// lock: the trace alone pairs them, to name why.
				st.traceClass(gor, s, cls, name, grp.accs, walk, concurrent)
				continue
			}
			for _, cp := range cls.members {
				if !concurrent(cp) {
					st.traceStart(s, walk, cp.site.Instr, grp.accs, st.goAccesses(st.c.goVar(cp.site, cp.i)))
					continue
				}
				if st.goroutineRaces(gor, s, cp, name, grp.accs, paired) {
					paired = true
					if !trace.On() {
						break
					}
				}
			}
		}
	}
}

// A group is a set of accesses of a goroutine that the same
// synchronizing operations follow.
type group struct {
	releases []event
	accs     []access
}

// groupByReleases groups the accesses of the goroutine started at s by
// the events that follow them in it: a deferred wg.Done() follows all
// of them, a send follows those before it. The return of a goroutine
// started by a joining spawner (wg.Go) follows all of them. Usually
// there are one or two groups.
func (c *checker) groupByReleases(parent, gor *side, s spawn.Site, accs []access) []*group {
	var end []event
	if s.Group != nil {
		end = append(end, event{instr: s.Instr, class: syncapi.GroupDone, key: c.locks.KeyOf(s.Group), sel: -1})
	}
	end = append(end, c.poolEnd(s)...)
	// Rule "handoff": the goroutine's unlock of a mutex that the
	// starter holds at s releases to the starter's next lock.
	held := c.heldAt(parent.fn, s.Instr)
	byKey := make(map[string]*group)
	var groups []*group
	for _, a := range accs {
		rel := append([]event(nil), end...)
		var sig []byte
		for k, e := range gor.events {
			// An access of a closure called at once (rule "inline")
			// is placed at the call, which may synchronize after
			// it (fixture okClosureSignals).
			if e.deferred || e.instr == a.instr || gor.g.after(a.instr, e.instr) {
				if gor.g.pipelined(gor.events, e, a.instr) {
					continue
				}
				if e.class == mutexUnlock && !e.unknown {
					l, ok := held.Get(e.key)
					if !ok || l.Shared {
						continue
					}
					e.handoff = true
				}
				rel = append(rel, e)
				sig = fmt.Appendf(sig, "%d,", k)
			}
		}
		grp := byKey[string(sig)]
		if grp == nil {
			grp = &group{releases: rel}
			byKey[string(sig)] = grp
			groups = append(groups, grp)
		}
		grp.accs = append(grp.accs, a)
	}
	return groups
}

// anyOrders reports whether one of the releases may happen before
// acquire by an ordering of the given kinds, or acquire waits for
// every goroutine.
func anyOrders(releases []event, acquire event, stops stopKind) bool {
	if !acquire.unknown && acquire.class == syncapi.WaitAll {
		return stops&stopJoin != 0
	}
	for _, r := range releases {
		if stops&stopOf(r, acquire) != 0 && orders(r, acquire) {
			return true
		}
	}
	return false
}

// stopOf returns the kind of ordering of the release r before the
// acquire a: a mutex handoff (rule 11), a call of another function
// (rule 10), or a join (rule 9).
func stopOf(r, a event) stopKind {
	switch {
	case !r.unknown && isMutexOp(r.class), !a.unknown && isMutexOp(a.class):
		return stopHandoff
	case r.unknown || a.unknown:
		return stopHelper
	}
	return stopJoin
}

// parentRace returns the race between the goroutine's access ga and
// the starter's access pa, which runs while the goroutine may, unless
// they do not touch the same memory or an exception of stage perPair
// clears it.
func (st *starter) parentRace(gor *side, s spawn.Site, name string, ga, pa access) (race, bool) {
	if !overlap(ga, pa) {
		return race{}, false
	}
	r := race{kind: parentWritesGoAccesses, site: s, name: name, at: pa, other: ga}
	if ga.write {
		r = race{kind: goWritesParentAccesses, site: s, name: name, at: ga, other: pa}
	}
	k := &candidate{x: st.parent, a: pa, y: gor, b: ga, parent: st.parent}
	if e := st.c.excuse(perPair, k); e != nil {
		st.c.trace(r.at.pos, e)
		return race{}, false
	}
	return r, true
}

// goroutineRaces records the races between the accesses accs of the
// goroutine started at s and those of the goroutine started at cp,
// which may run at the same time, and reports whether there are any.
// With traceOnly, it records none: it only emits the trace of the
// pairs that exceptions clear.
func (st *starter) goroutineRaces(gor *side, s spawn.Site, cp capture, name string, accs []access, traceOnly bool) bool {
	found := false
	other := st.siteSide(cp.site)
	for _, b := range st.goAccesses(st.c.goVar(cp.site, cp.i)) {
		for _, a := range accs {
			if !overlap(a, b) {
				continue
			}
			r := race{kind: goroutinesRace, site: s, name: name, at: a, other: b, otherSite: &cp.site}
			if !a.write {
				r.at, r.other, r.site, r.otherSite = b, a, cp.site, &s
			}
			k := &candidate{x: gor, a: a, y: other, b: b, sa: &s, sb: &cp.site, parent: st.parent}
			if e := st.c.excuse(perPair, k); e != nil {
				st.c.trace(r.at.pos, e)
				continue
			}
			if traceOnly {
				continue
			}
			st.add(r)
			found = true
		}
	}
	return found
}
