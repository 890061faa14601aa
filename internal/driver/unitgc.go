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
// put 14% of the units' CPU in the collector's mark workers. GOGC=1000
// took the CPU of a cold run to 0.77x, and 3000 to another 0.97x (etcd,
// farm-bench, 4 pairs, each lower; GOGC=300 cost 1.14x of 1000): past
// that, what collection saves is spent on page faults for new memory. The
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
	unitGCPercent   = 3000
	unitMemoryLimit = 4 << 30
)
