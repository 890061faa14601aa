// Command baseline is the cost floor of the corpus harness: the work
// that any go/ssa analyzer with facts makes the driver do, and nothing
// more. It is run beside sharedvet so that sharedvet's time and memory
// can be read as a ratio to this floor rather than as raw numbers.
//
// Its one analyzer (package internal/baseline, shared with the Go
// benchmarks of package analyzer) requires buildssa, so every analyzed
// package is built in SSA form, and declares a fact type, so the driver
// also analyzes (and builds SSA for) every dependency, as it does for
// sharedvet. It reports nothing. It uses sharedvet's own driver, so
// loading, flags and output are the same in both runs; its runs take
// the standalone engine unless -engine says otherwise (it serves as a
// go vet tool too, to measure the floor of the vet engine).
//
// Usage:
//
//	baseline [-json] [-test=false] [-cpuprofile file] [-memprofile file] packages...
package main

import (
	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/internal/baseline"
	"github.com/sharedvet/sharedvet/internal/driver"
)

func main() {
	driver.MainStandalone([]*analysis.Analyzer{baseline.Analyzer})
}
