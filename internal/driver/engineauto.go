package driver

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// When the user does not choose an engine, the cache engine runs, except
// on a build cache that has not compiled the standard library: there
// the go command would compile every dependency for its export data
// before anything is analyzed (quic-go: 38 s, against 6 s for the
// standalone engine, which needs no compiled code), and that happens on
// every run of a CI job that keeps no cache, so nothing is gained by
// warming it. Such a run takes the standalone engine, unless the
// program is too large for one process's memory on this machine.
//
// What the go command would compile is asked of go vet itself: `go vet
// -n` prints the commands it would run, leaving out what its cache
// holds, in a fraction of a second. A run of the cache or the vet engine
// leaves a marker for the build cache it used, so later runs skip the
// question.

// standalonePerPackage is about what the standalone engine holds per
// package of the program (quic-go: 334 packages with dependencies and
// test variants, 2.0 GiB; etcd: 630, 3.0 GiB).
const standalonePerPackage = 6 << 20

// pickEngine returns the engine for a run when the user chose none;
// args are those of the same run through go vet (after "vet").
func pickEngine(args []string) string {
	dir, err := resultsCacheDir()
	if err == nil {
		err = os.MkdirAll(dir, 0o777)
	}
	if err != nil {
		return engineVet // no user cache directory we can write: the go build cache is the only cache
	}
	if marker := buildCacheMarker(); marker != "" {
		if _, err := os.Stat(marker); err == nil {
			return engineCache
		}
	}
	cmd := exec.Command("go", append([]string{"vet", "-n"}, args...)...)
	cmd.Env = append(os.Environ(), configAppliedEnv+"=1")
	plan, err := cmd.CombinedOutput()
	if err != nil {
		return engineCache // the run itself says what is wrong
	}
	analyses, stdCompiles := countPlan(plan)
	if stdCompiles == 0 || uint64(analyses)*standalonePerPackage > memTotal()/2 {
		return engineCache
	}
	return engineStandalone
}

// countPlan counts, in the output of go vet -n, the runs of the vet
// tool (one per package to analyze) and the compilations of packages of
// the standard library.
func countPlan(plan []byte) (analyses, stdCompiles int) {
	sc := bufio.NewScanner(bytes.NewReader(plan))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0 || fields[0] == "cat":
			// the config files go vet writes
		case strings.HasSuffix(fields[len(fields)-1], "/vet.cfg"):
			analyses++ // [TERM='dumb'] TOOL [flags] $WORK/bNNN/vet.cfg
		case filepath.Base(fields[0]) == "compile" && slices.Contains(fields, "-std"):
			stdCompiles++
		}
	}
	return analyses, stdCompiles
}

// buildCacheMarker returns the path of the file that says the cache or
// the vet engine has run on the go build cache in use (which then holds
// the compiled standard library), or "" if it cannot tell which cache
// that is.
func buildCacheMarker() string {
	gocache := os.Getenv("GOCACHE")
	if gocache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		gocache = filepath.Join(dir, "go-build")
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	const prefix = "build-cache-used-"
	return filepath.Join(dir, "sharedvet", fmt.Sprintf(prefix+"%x", sha256.Sum256([]byte(gocache)))[:len(prefix)+16])
}

// markBuildCacheUsed records that the cache or the vet engine ran on
// the build cache in use. Failing to is harmless: the next run asks go
// vet -n again.
func markBuildCacheUsed() {
	marker := buildCacheMarker()
	if marker == "" {
		return
	}
	if os.MkdirAll(filepath.Dir(marker), 0o755) == nil {
		os.WriteFile(marker, nil, 0o644)
	}
}

// memTotal returns the machine's memory in bytes, or 8 GiB if it
// cannot tell.
func memTotal() uint64 {
	const fallback = 8 << 30
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return fallback
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return fallback
			}
			return kb << 10
		}
	}
	return fallback
}
