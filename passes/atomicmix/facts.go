package atomicmix

import (
	"fmt"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/internal/report"
)

// An AccessFact is a package fact: the struct fields and package-level
// variables, of this package or another, that the package accesses
// atomically, and the exported ones it accesses plainly. A package that
// imports it pairs its own accesses with these, in both directions.
// Only locations another package can name are listed: exported fields
// of declared types and exported variables.
type AccessFact struct {
	Accesses []Access // sorted by Loc, then Atomic, then Write; one per triple
}

// An Access is one kind of access to a location, and where one is.
type Access struct {
	Loc    string // "path/to/pkg.Type.Field" or "path/to/pkg.Var"
	Atomic bool
	Write  bool
	Posn   string // "import/path/file.go:line" of one such access
	// Within, for atomic accesses, names the unexported value fields
	// that enclose every atomic access of the field in the package
	// (comma-separated, as "stats"), when their addresses do not escape
	// (enclosure.go).
	Within string
}

func (*AccessFact) AFact() {}

func (f *AccessFact) String() string {
	var parts []string
	for _, a := range f.Accesses {
		part := fmt.Sprintf("%s %s of %s at %s", kindWord(a.Atomic), rwWord(a.Write), a.Loc, a.Posn)
		if a.Within != "" {
			part += " within " + a.Within
		}
		parts = append(parts, part)
	}
	return "accesses(" + strings.Join(parts, "; ") + ")"
}

func kindWord(atomic bool) string {
	if atomic {
		return "atomic"
	}
	return "plain"
}

func rwWord(write bool) string {
	if write {
		return "write"
	}
	return "read"
}

// locKey names a location across packages, or returns "" if another
// package cannot name it: a field of an unnamed struct type or an
// unexported field or variable.
func locKey(l memloc.Loc, owner *types.TypeName) string {
	v := l.Var
	if v == nil || v.Pkg() == nil || !v.Exported() {
		return ""
	}
	if v.IsField() {
		if owner == nil || owner.Pkg() == nil {
			return ""
		}
		return owner.Pkg().Path() + "." + owner.Name() + "." + v.Name()
	}
	if v.Parent() != v.Pkg().Scope() {
		return "" // a local variable
	}
	return v.Pkg().Path() + "." + v.Name()
}

// imported holds, for each location key, the accesses that the
// packages this one imports, directly or not, made of it.
type imported map[string][]Access

func importFacts(pass *analysis.Pass) imported {
	m := make(imported)
	for _, pf := range pass.AllPackageFacts() {
		f, ok := pf.Fact.(*AccessFact)
		if !ok || pf.Package == pass.Pkg {
			continue
		}
		for _, a := range f.Accesses {
			m[a.Loc] = append(m[a.Loc], a)
		}
	}
	return m
}

// find returns an imported access of key that is atomic (or plain) and,
// if write is set, a write.
func (m imported) find(key string, atomic, write bool) (Access, bool) {
	for _, a := range m[key] {
		if a.Atomic == atomic && (a.Write || !write) {
			return a, true
		}
	}
	return Access{}, false
}

// enclosedIn returns the names of the containers that enclose every
// imported atomic access of key, or false if one is not enclosed.
func (m imported) enclosedIn(key string) (map[string]bool, bool) {
	names := make(map[string]bool)
	for _, a := range m[key] {
		if !a.Atomic {
			continue
		}
		if a.Within == "" {
			return nil, false
		}
		for _, n := range strings.Split(a.Within, ",") {
			names[n] = true
		}
	}
	return names, len(names) > 0
}

// A factBuilder collects the accesses of a package for its fact,
// keeping the first position of each kind of access to a location.
type factBuilder map[Access]string // Access without Posn → Posn

func (b factBuilder) add(pass *analysis.Pass, key string, atomic, write bool, a *access) {
	k := Access{Loc: key, Atomic: atomic, Write: write}
	if key == "" || b[k] != "" {
		return
	}
	b[k] = report.Where(pass.Pkg.Path(), pass.Fset.Position(a.pos))
}

func (b factBuilder) export(pass *analysis.Pass, within map[string]string) {
	if len(b) == 0 {
		return
	}
	f := &AccessFact{}
	for a, posn := range b {
		a.Posn = posn
		if a.Atomic {
			a.Within = within[a.Loc]
		}
		f.Accesses = append(f.Accesses, a)
	}
	sort.Slice(f.Accesses, func(i, j int) bool {
		x, y := f.Accesses[i], f.Accesses[j]
		if x.Loc != y.Loc {
			return x.Loc < y.Loc
		}
		if x.Atomic != y.Atomic {
			return !x.Atomic
		}
		return !x.Write && y.Write
	})
	pass.ExportPackageFact(f)
}
