package driver

import (
	"os"
	"runtime"
	"runtime/debug"
)

// unitGC sets the garbage collector of a go vet unit, the process go
// vet starts for one package. A unit lives for a fraction of a second
// to a few seconds and holds little (etcd's largest: 0.2 GiB), so the
// default of collecting whenever the heap doubles spends CPU on memory
// that is freed at exit anyway: a perf profile of a cold run on etcd
// put 14% of the units' CPU in the collector's mark workers. The
// memory limit keeps the units go vet runs at once (one per CPU)
// within half the machine's memory, and bounds the largest units
// (tailscale's reached 3 GiB at the default): near it the collector
// runs as often as it must. A user's GOGC or GOMEMLIMIT is left alone.
func unitGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(unitGCPercent)
	debug.SetMemoryLimit(int64(min(unitMemoryLimit, memTotal()/uint64(2*runtime.NumCPU()))))
}

const (
	unitGCPercent   = 1000
	unitMemoryLimit = 4 << 30
)
