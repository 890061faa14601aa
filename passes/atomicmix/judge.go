package atomicmix

import (
	"go/types"
	"sort"
	"strings"

	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// A touch is a plain access to one location: the access itself, or
// one field that a copy of a struct reads or writes.
type touch struct {
	*access
	loc   memloc.Loc
	owner *types.TypeName
	path  string // for a copy, the field's selectors within the copied value
	// atomic: the location is accessed atomically, here or in an
	// imported package, so the touch is a candidate (rule 1). The
	// others are kept for the package's fact only.
	atomic bool
}

// An atomicSummary is what the package's atomic accesses of one
// location have in common.
type atomicSummary struct {
	first *access   // the first atomic access
	write *access   // the first atomic write, or nil
	all   []*access // every atomic access, in scan order
}

// allOrNil returns the atomic accesses of s, or nil if s is nil.
func (s *atomicSummary) allOrNil() []*access {
	if s == nil {
		return nil
	}
	return s.all
}

// A finding is a plain access that races with an atomic one.
type finding struct {
	touch
	other *access // the atomic access in this package, or nil
	posn  string  // where the atomic access is, for one in another package
}

// check pairs the package's plain and atomic accesses, reports the
// plain ones that race with atomic ones, and exports the package's fact.
func (c *checker) check() {
	facts := make(factBuilder)
	atomicLocs := make(map[memloc.Loc]*atomicSummary)
	c.encl = c.enclosures()
	within := make(map[string]string)
	for _, a := range c.atomics {
		if e := c.encl[a.loc]; e != nil {
			if key := locKey(a.loc, a.owner); key != "" {
				within[key] = strings.Join(e.names(), ",")
			}
		}
		s := atomicLocs[a.loc]
		if s == nil {
			s = &atomicSummary{first: a}
			atomicLocs[a.loc] = s
		}
		if a.write && s.write == nil {
			s.write = a
		}
		s.all = append(s.all, a)
		key := locKey(a.loc, a.owner)
		facts.add(c.pass, key, true, a.write, a)
		c.checkImportedPlain(a, key)
	}
	ts := c.touches(atomicLocs)
	c.lockRule = &lockRule{touched: ts, own: c.guards(ts, nil)}
	var found []*finding
	for _, t := range ts {
		if t.path == "" && atomicType(t.typ) != "" && atomicType(t.typ) != "Ptr" {
			facts.add(c.pass, locKey(t.loc, t.owner), false, t.write, t.access)
		}
		if !t.atomic {
			continue
		}
		if f, e := c.judge(t, atomicLocs[t.loc]); e != nil {
			c.trace(t, e)
		} else {
			found = append(found, f)
		}
	}
	c.report(found)
	facts.export(c.pass, within)
}

// touches expands the plain accesses into the locations they touch,
// keeping those accessed atomically here or in an imported package,
// and, for the package's fact, plain accesses of the other integers
// and pointers that another package can name. Accesses and touches
// that an exception of stage perAccess or perLocation excuses are
// left out: they count for nothing after.
func (c *checker) touches(atomicLocs map[memloc.Loc]*atomicSummary) []touch {
	var out []touch
	isAtomic := func(l memloc.Loc, owner *types.TypeName) bool {
		if atomicLocs[l] != nil {
			return true
		}
		_, ok := c.imports.find(locKey(l, owner), true, false)
		return ok
	}
	// keep applies the perLocation exceptions to t.
	keep := func(t touch) {
		if t.unused && !c.blankRead(t.access) {
			return
		}
		if e := c.excuse(perLocation, &candidate{a: t.access, t: t}); e != nil {
			if t.atomic {
				c.trace(t, e)
			}
			return
		}
		out = append(out, t)
	}
	for _, a := range c.plains {
		if a.excuse != nil {
			c.traceAccess(a, isAtomic)
			continue
		}
		if a.hasLoc && (atomicType(a.typ) != "" || isAtomic(a.loc, a.owner)) {
			atomic := isAtomic(a.loc, a.owner)
			if !atomic && locKey(a.loc, a.owner) == "" {
				continue // neither judged nor exported
			}
			keep(touch{a, a.loc, a.owner, "", atomic})
			continue
		}
		if !composite(a.typ) {
			continue
		}
		for _, f := range c.containedFields(a.typ) {
			l := memloc.Loc{Var: f.field}
			if isAtomic(l, f.owner) {
				keep(touch{a, l, f.owner, f.path, true})
			}
		}
	}
	return out
}

// blankRead reports whether a, a load whose value go/ssa leaves
// unused, is the read of _ = x (or var _ = x), which Go evaluates and
// the race detector sees. go/ssa also emits such a load for range over
// an array, whose length is constant and which Go does not evaluate
// (fixture badSum): that one reads nothing. The syntax is consulted
// only for a candidate, so packages without one do not build it.
func (c *checker) blankRead(a *access) bool {
	e := c.syntax().expr(a.pos)
	return e != nil && c.syntax().blank[e]
}

// traceAccess emits the trace of a plain access that an exception of
// stage perAccess excused, if it touches a location accessed
// atomically: the others were never candidates.
func (c *checker) traceAccess(a *access, isAtomic func(memloc.Loc, *types.TypeName) bool) {
	if !trace.On() || a.unused && !c.blankRead(a) {
		return
	}
	if a.hasLoc && isAtomic(a.loc, a.owner) {
		c.trace(touch{access: a, loc: a.loc, owner: a.owner, atomic: true}, a.excuse)
		return
	}
	if !a.hasLoc || atomicType(a.typ) == "" {
		for _, f := range c.containedFields(a.typ) {
			if isAtomic(memloc.Loc{Var: f.field}, f.owner) {
				c.trace(touch{access: a, loc: memloc.Loc{Var: f.field}, owner: f.owner, path: f.path, atomic: true}, a.excuse)
				return
			}
		}
	}
}

// judge returns the finding for t, a candidate, or the exception that
// clears it; s holds the package's atomic accesses of t's location.
func (c *checker) judge(t touch, s *atomicSummary) (*finding, *exception) {
	k := &candidate{a: t.access, t: t, sum: s}
	k.f, k.loadsOnly = c.racesWith(t, s)
	if e := c.excuse(perCandidate, k); e != nil {
		return nil, e
	}
	return k.f, nil
}

// racesWith returns the finding for t by rule 2: a plain write races
// with any atomic access, a plain read with an atomic write. An atomic
// access of this package is preferred for the finding's related
// information. When t is a read and no atomic access writes, loadsOnly
// is set and the finding is against any atomic access: rule 12 clears
// it unless -atomicmix.disable turns the rule off.
func (c *checker) racesWith(t touch, s *atomicSummary) (f *finding, loadsOnly bool) {
	if s != nil {
		switch {
		case t.write:
			return &finding{touch: t, other: s.first}, false
		case s.write != nil:
			return &finding{touch: t, other: s.write}, false
		}
	}
	// Another package accesses the location atomically; its writes
	// are unknown here, so no lock can be shown to guard them.
	key := locKey(t.loc, t.owner)
	if a, ok := c.imports.find(key, true, !t.write); ok {
		return &finding{touch: t, posn: a.Posn}, false
	}
	if s != nil {
		return &finding{touch: t, other: s.first}, true
	}
	if a, ok := c.imports.find(key, true, false); ok {
		return &finding{touch: t, posn: a.Posn}, true
	}
	panic("internal error: atomicmix judges a plain access of a location that nothing accesses atomically")
}

// readOfUpdate reports whether t is the read of x++ or x op= y, whose
// finding is at its write (rule 20).
func (c *checker) readOfUpdate(t touch) bool {
	if t.write || t.path != "" {
		return false
	}
	e := c.syntax().expr(t.pos)
	return e != nil && c.syntax().update(e) != nil
}

// checkImportedPlain reports an atomic access of a location that an
// imported package accesses plainly: a write against any plain access,
// a read against a plain write.
func (c *checker) checkImportedPlain(a *access, key string) {
	if key == "" || c.encl[a.loc] != nil {
		return // no other package reaches an enclosed field (rule 15)
	}
	p, ok := c.imports.find(key, false, !a.write)
	if !ok {
		return
	}
	c.reportImported(a, p)
}

// sortFindings orders findings by position, for deterministic output.
func sortFindings(fs []*finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].pos < fs[j].pos })
}
