package gocapture_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestManyGoStatements checks that a function with 3000 go statements
// is analyzed in time linear in them. Loading and building SSA take a
// few seconds; the quadratic analysis took minutes (207 s in issue
// 11), so a generous bound catches it without flaking on a busy
// machine (23 s was seen under a load average of 14).
func TestManyGoStatements(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a package of 3000 go statements")
	}
	dir := writeBig(t, 3000)
	start := time.Now()
	analysistest.Run(t, dir, gocapture.Analyzer, "big")
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("3000 go statements took %v, want well under 60s", d)
	}
}

func BenchmarkManyGoStatements(b *testing.B) {
	dir := writeBig(b, 3000)
	for b.Loop() {
		analysistest.Run(b, dir, gocapture.Analyzer, "big")
	}
}
