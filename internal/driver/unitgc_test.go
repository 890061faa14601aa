package driver

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

func TestUnitGC(t *testing.T) {
	restore := func() { debug.SetGCPercent(100); debug.SetMemoryLimit(math.MaxInt64) }
	defer restore()
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	unitGC()
	if got := debug.SetGCPercent(100); got != unitGCPercent {
		t.Errorf("GC percent after unitGC = %d, want %d", got, unitGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got <= 0 || got > unitMemoryLimit {
		t.Errorf("memory limit after unitGC = %d, want in (0, %d]", got, unitMemoryLimit)
	}
	restore()
	// A user's setting wins.
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	unitGC()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("with GOGC=50, GC percent after unitGC = %d, want 50", got)
	}
}
