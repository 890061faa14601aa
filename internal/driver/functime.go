package driver

import (
	"bufio"
	"fmt"
	"go/types"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/functime"
)

// The -functime flag checks the budget that no function's analysis
// take more than 1% of its package's: it analyzes the packages one at
// a time (in parallel, GC and scheduling make wall times several times
// too long, as x/tools' checker notes), times each function's analysis
// by every check that goes through safefunc, and writes one line per
// function with the time of its package: the sum of the times of every
// analyzer on the package, buildssa's included. Type checking, done
// before, is not in it, so the share is an upper bound.

// A funcTimer sums, per package and function, the time of the
// per-function analyses.
type funcTimer struct {
	mu    sync.Mutex
	times map[*types.Package]map[string]*funcTime
	out   *os.File // where write writes, opened before the analysis
}

// A funcTime is the time of one function's analyses, in all and by
// analyzer.
type funcTime struct {
	total time.Duration
	by    map[string]time.Duration
}

func newFuncTimer(out *os.File) *funcTimer {
	t := &funcTimer{times: make(map[*types.Package]map[string]*funcTime), out: out}
	functime.Record = t.record
	return t
}

func (t *funcTimer) record(pass *analysis.Pass, fn *ssa.Function, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.times[pass.Pkg]
	if m == nil {
		m = make(map[string]*funcTime)
		t.times[pass.Pkg] = m
	}
	ft := m[fn.String()]
	if ft == nil {
		ft = &funcTime{by: make(map[string]time.Duration)}
		m[fn.String()] = ft
	}
	ft.total += d
	ft.by[pass.Analyzer.Name] += d
}

// write writes, for each function timed, a tab-separated line: package
// ID, package time in ms, function, function time in ms, the
// function's share of its package's time, and its time by analyzer;
// largest share first.
func (t *funcTimer) write(graph *checker.Graph) error {
	functime.Record = nil
	pkgTime := make(map[*types.Package]time.Duration)
	pkgID := make(map[*types.Package]string)
	for act := range graph.All() {
		pkgTime[act.Package.Types] += act.Duration
		pkgID[act.Package.Types] = act.Package.ID
	}
	type row struct {
		pkg      string
		pkgTime  time.Duration
		fn       string
		fnTime   time.Duration
		fraction float64
		by       string
	}
	var rows []row
	for p, fns := range t.times {
		for fn, ft := range fns {
			r := row{pkg: pkgID[p], pkgTime: pkgTime[p], fn: fn, fnTime: ft.total, by: byAnalyzer(ft.by)}
			if r.pkgTime > 0 {
				r.fraction = float64(ft.total) / float64(r.pkgTime)
			}
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].fraction > rows[j].fraction })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	w := bufio.NewWriter(t.out)
	fmt.Fprintf(w, "package\tpackage_ms\tfunction\tfunction_ms\tshare\tby_analyzer_ms\n")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%.3f\t%s\t%.3f\t%.4f\t%s\n", r.pkg, ms(r.pkgTime), r.fn, ms(r.fnTime), r.fraction, r.by)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return t.out.Close()
}

// byAnalyzer formats times by analyzer as name=ms,name=ms, by name.
func byAnalyzer(by map[string]time.Duration) string {
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%.3f", n, float64(by[n])/float64(time.Millisecond))
	}
	return b.String()
}
