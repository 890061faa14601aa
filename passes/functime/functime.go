// Package functime lets a driver time the per-function analyses of
// sharedvet's passes, to check the budget that no function's analysis
// take more than 1% of its package's (the standalone driver's
// -functime flag).
package functime

import (
	"sync/atomic"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Record, when set, is called with the time that each per-function
// analysis took. It must be safe for concurrent use, and be set before
// the analysis starts.
var Record func(pass *analysis.Pass, fn *ssa.Function, d time.Duration)

// packageWork is the time spent in PackageWork since the start.
var packageWork atomic.Int64

// PackageWork runs f, work for the whole package that a per-function
// analysis started lazily (a syntax index built on first use), and
// keeps its time out of that function's: it is a cost of the package.
// The accounting assumes that the timed analyses run one at a time, as
// the -functime flag makes them.
func PackageWork(f func()) {
	if Record == nil {
		f()
		return
	}
	t0 := time.Now()
	f()
	packageWork.Add(int64(time.Since(t0)))
}

// Start returns a function that reports the time since Start, less the
// PackageWork done in between.
func Start() (elapsed func() time.Duration) {
	t0, w0 := time.Now(), packageWork.Load()
	return func() time.Duration {
		return time.Since(t0) - time.Duration(packageWork.Load()-w0)
	}
}
