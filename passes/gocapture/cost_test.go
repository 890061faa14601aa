package gocapture_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/gocapture"
)

// manyGoStatements returns a package whose one function starts n
// goroutines that share a WaitGroup, a mutex-guarded total and error,
// and a slice each writes its own element of: race-free, and the shape
// of generated code that made the check's cost grow with the square of
// n (issue 11: 3000 go statements took 207 s and 12.9 GB).
func manyGoStatements(n int) string {
	var b strings.Builder
	b.WriteString("package big\n\nimport \"sync\"\n\nfunc work(i int) int { return i }\n\n")
	b.WriteString("func Big(xs []int) (int, error) {\n\tvar wg sync.WaitGroup\n\tvar mu sync.Mutex\n\tvar err error\n\ttotal := 0\n\tout := make([]int, len(xs)+1)\n")
	for i := range n {
		fmt.Fprintf(&b, "\tv%d := 0\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tv%d = work(%d)\n\t\tmu.Lock()\n\t\ttotal += v%d\n\t\tif v%d < 0 {\n\t\t\terr = nil\n\t\t}\n\t\tmu.Unlock()\n\t\tout[%d%%len(out)] = v%d\n\t}()\n", i, i, i, i, i, i, i)
	}
	b.WriteString("\twg.Wait()\n\treturn total + out[0], err\n}\n")
	return b.String()
}

// writeBig writes manyGoStatements(n) as package big of a GOPATH tree.
func writeBig(t testing.TB, n int) string {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "src", "big")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "big.go"), []byte(manyGoStatements(n)), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestManyGoStatements checks that gocapture's own run on a function
// with 3000 go statements, after loading, type checking and building
// SSA, takes time linear in them: about 0.3 s on a quiet machine,
// where the quadratic analysis of issue 11 took 207 s. The fastest of
// three runs is held to a bound that a loaded machine stays far under
// and a quadratic pairing of the goroutines exceeds (22 s, when
// findRaces paired every two goroutines).
func TestManyGoStatements(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a package of 3000 go statements")
	}
	dir := writeBig(t, 3000)
	fastest := time.Duration(1<<63 - 1)
	analysistest.Run(t, dir, checkOnly(func(pass *analysis.Pass) {
		for range 3 {
			start := time.Now()
			gocapture.Analyzer.Run(pass)
			fastest = min(fastest, time.Since(start))
		}
	}), "big")
	if fastest > 5*time.Second {
		t.Errorf("gocapture's run on 3000 go statements took %v, want well under 5s", fastest)
	}
	t.Logf("gocapture's run on 3000 go statements: %v", fastest)
}

// BenchmarkManyGoStatements times gocapture's own run on functions of
// 1000, 3000 and 9000 go statements, to show that it grows linearly.
func BenchmarkManyGoStatements(b *testing.B) {
	for _, n := range []int{1000, 3000, 9000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := writeBig(b, n)
			analysistest.Run(b, dir, checkOnly(func(pass *analysis.Pass) {
				for b.Loop() {
					gocapture.Analyzer.Run(pass)
				}
			}), "big")
		})
	}
}

// checkOnly returns an analyzer that requires what gocapture requires and
// runs do with its pass, so that do can time gocapture's own run: the
// loading, type checking and SSA building before it are done once.
func checkOnly(do func(*analysis.Pass)) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name:     "gocapturecost",
		Doc:      "gocapturecost: time gocapture's run alone",
		Requires: gocapture.Analyzer.Requires,
		Run: func(pass *analysis.Pass) (any, error) {
			do(pass)
			return nil, nil
		},
	}
}
