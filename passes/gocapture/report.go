package gocapture

import (
	"fmt"
	"go/token"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/report"
)

// A raceKey identifies a report: one per variable and pair of sites.
type raceKey struct {
	kind        raceKind
	name        string
	site, other token.Pos
}

// add records r, unless a better race of its report is known: only the
// best of each report is kept, so that memory does not grow with the
// pairs of accesses.
func (st *starter) add(r race) {
	k := raceKey{kind: r.kind, name: r.name, site: r.site.Pos}
	if r.otherSite != nil {
		k.other = r.otherSite.Pos
		if k.other < k.site && r.otherSite.Instr != r.site.Instr {
			k.site, k.other = k.other, k.site
		}
	}
	if old, ok := st.races[k]; !ok || better(r, old) {
		st.races[k] = r
	}
}

// report reports the races, one per variable and pair of sites, at
// the earliest access.
func (c *checker) report(races map[raceKey]race) {
	keys := make([]raceKey, 0, len(races))
	for k := range races {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := races[keys[i]], races[keys[j]]
		if ri.at.pos != rj.at.pos {
			return ri.at.pos < rj.at.pos
		}
		if keys[i].site != keys[j].site {
			return keys[i].site < keys[j].site
		}
		if keys[i].other != keys[j].other {
			return keys[i].other < keys[j].other
		}
		if keys[i].kind != keys[j].kind {
			return keys[i].kind < keys[j].kind
		}
		return keys[i].name < keys[j].name
	})
	for _, k := range keys {
		if c.reported[k] {
			// Reported from another starter: a go statement of a
			// loop body is judged in the body and lifted to the
			// function that holds the loop (lift.go).
			continue
		}
		c.reported[k] = true
		c.reportRace(races[k])
	}
}

// better reports whether r is a better representative of its
// variable and sites than old: its access comes first, or it races
// with a write rather than a read, or with an earlier access.
func better(r, old race) bool {
	if r.at.pos != old.at.pos {
		return r.at.pos < old.at.pos
	}
	if r.other.write != old.other.write {
		return r.other.write
	}
	return r.other.pos < old.other.pos
}

// reportRace reports r at its access, with the other access and the
// go statement (or the other goroutine's) as related information.
func (c *checker) reportRace(r race) {
	what := describe(r.name, r.at)
	otherWhat := describe(r.name, r.other)
	after := "after the go statement"
	start := ssa.Instruction(r.site.Instr)
	if l := c.lifted[r.site.Closure]; l != nil {
		start = l.site.Instr // in a loop body (lift.go)
	}
	if _, ok := start.(*ssa.Go); !ok {
		after = "after the goroutine is started"
	}
	var msg, category string
	var related []analysis.RelatedInformation
	switch r.kind {
	case goWritesParentAccesses:
		category = "gocapture-after-go"
		msg = fmt.Sprintf("goroutine writes %s, which is %s %s without synchronization", what, verb(r.other), after)
		related = report.Related(r.other.pos, otherWhat+" "+verb(r.other)+" here")
	case parentWritesGoAccesses:
		category = "gocapture-write-after-go"
		msg = fmt.Sprintf("%s is written %s, while the goroutine reads it without synchronization", what, after)
		related = report.Related(r.other.pos, "goroutine reads "+otherWhat+" here")
	case goroutinesRace:
		category = "gocapture-goroutines"
		if r.otherSite.Fn == r.site.Fn {
			// The same closure, started in a loop or more than once.
			msg = fmt.Sprintf("goroutine writes %s, and more than one such goroutine may run at once without synchronization", what)
			if r.otherSite.Instr != r.site.Instr {
				related = report.Related(r.otherSite.Pos, "started again here")
			}
		} else {
			msg = fmt.Sprintf("goroutine writes %s, which another goroutine %s without synchronization", what, present(r.other))
			related = report.Related(r.otherSite.Pos, "other goroutine started here")
		}
		if r.other.instr != r.at.instr {
			related = append(related, report.Related(r.other.pos, otherWhat+" "+verb(r.other)+" here")...)
		}
	}
	related = append(related, report.Related(r.site.Pos, "goroutine started here")...)
	report.Report(c.pass, report.Finding{Pos: r.at.pos, Category: category, Message: msg, Related: related})
}

// verb says what a does, as a participle: "read" or "written".
func verb(a access) string {
	if a.write {
		return "written"
	}
	return "read"
}

// present says what a does, in the present tense: "reads" or "writes".
func present(a access) string {
	if a.write {
		return "writes"
	}
	return "reads"
}
