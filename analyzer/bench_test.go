package analyzer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/sharedvet/sharedvet/analyzer"
	"github.com/sharedvet/sharedvet/internal/baseline"
)

// benchPackages is the fixed workload of the benchmarks: concurrent
// packages of the standard library, which change only with the Go
// release, and the repository's fixtures would be too small to time.
var benchPackages = []string{"net/http", "database/sql", "sync", "context"}

// The two benchmarks analyze the same packages and dependencies; the
// difference between them is what sharedvet's checks cost on top of
// type checking and SSA construction. Compare them with benchstat:
//
//	go test -run=NONE -bench=. -count=6 ./analyzer | tee bench.txt
func BenchmarkBaseline(b *testing.B) { benchAnalyze(b, []*analysis.Analyzer{baseline.Analyzer}) }

func BenchmarkSuite(b *testing.B) { benchAnalyze(b, analyzer.All()) }

func benchAnalyze(b *testing.B, analyzers []*analysis.Analyzer) {
	cfg := &packages.Config{Mode: packages.LoadAllSyntax}
	pkgs, err := packages.Load(cfg, benchPackages...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		// Analyze builds SSA anew each time: go/ssa has no cache
		// across runs, so each iteration pays the full cost.
		if _, err := checker.Analyze(analyzers, pkgs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
