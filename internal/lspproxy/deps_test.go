package lspproxy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDependencyFirst checks that a package the proxy analyzed first
// as a dependency of another (the user opened caller.go, then bad.go)
// keeps its findings: go vet's cache does not key on whether it asked
// for a package's findings (vetjson.ReportDepsFlag). The dependency's
// findings are not shown for the package that imports it.
func TestDependencyFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds sharedvet")
	}
	tool := testSharedvet(t)
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"bad/bad.go": `package bad

import "sync"

type B struct {
	mu  sync.Mutex
	out chan int
}

func (b *B) Send(v int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.out <- v
}

func NewB() *B {
	b := &B{out: make(chan int)}
	go func() {
		for range b.out {
			b.mu.Lock()
			b.mu.Unlock()
		}
	}()
	return b
}
`,
		"caller/caller.go": "package caller\n\nimport \"example.com/m/bad\"\n\nfunc Use() { bad.NewB().Send(1) }\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	fs, err := vet(ctx, "go", tool, vetConfig{}, filepath.Join(dir, "caller"), t.TempDir(), nil)
	if err != nil || len(fs) != 0 {
		t.Fatalf("caller: findings %+v, error %v; want none (bad's are not caller's)", fs, err)
	}
	fs, err = vet(ctx, "go", tool, vetConfig{}, filepath.Join(dir, "bad"), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fs {
		found = found || (strings.HasSuffix(f.path, "bad.go") && f.check == "lockchan" && f.rng.Start.Line == 12)
	}
	if !found {
		t.Errorf("bad after caller: findings %+v, want lockchan's at bad.go:13", fs)
	}
}
