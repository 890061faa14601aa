package analyzer_test

// The robustness tests feed programs nobody wrote by hand through the
// whole suite and check that it neither panics nor fails: no analyzer
// error, no internal-error diagnostic (a panic that safefunc
// recovered), and every diagnostic at a valid position of the file.
// FuzzSuite generates programs from the shared-state operations the
// checks reason about; TestGOROOT runs the Go toolchain's own odd test
// programs. See docs/reliability.md.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/sharedvet/sharedvet/analyzer"
	"github.com/sharedvet/sharedvet/internal/internalerr"
	"github.com/sharedvet/sharedvet/passes/lintdirective"
)

// A loader type-checks single-file packages in process, importing the
// standard library from source once for all of them (fuzzing runs
// thousands of programs; the go command per program would dominate).
type loader struct {
	fset *token.FileSet
	imp  types.Importer
}

func newLoader() *loader {
	fset := token.NewFileSet()
	return &loader{fset: fset, imp: importer.ForCompiler(fset, "source", nil)}
}

// load parses and type-checks src as package path, or returns an error.
func (l *loader) load(name string, src []byte) (*packages.Package, error) {
	f, err := parser.ParseFile(l.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	info := &types.Info{
		Types:        make(map[ast.Expr]types.TypeAndValue),
		Defs:         make(map[*ast.Ident]types.Object),
		Uses:         make(map[*ast.Ident]types.Object),
		Implicits:    make(map[ast.Node]types.Object),
		Selections:   make(map[*ast.SelectorExpr]*types.Selection),
		Scopes:       make(map[ast.Node]*types.Scope),
		Instances:    make(map[*ast.Ident]types.Instance),
		FileVersions: make(map[*ast.File]string),
	}
	conf := types.Config{Importer: l.imp, GoVersion: "go1.26", Sizes: types.SizesFor("gc", runtime.GOARCH)}
	pkg, err := conf.Check(f.Name.Name, l.fset, []*ast.File{f}, info)
	if err != nil {
		return nil, err
	}
	return &packages.Package{
		ID: pkg.Path(), Name: pkg.Name(), PkgPath: pkg.Path(),
		GoFiles: []string{name}, CompiledGoFiles: []string{name},
		Fset: l.fset, Syntax: []*ast.File{f}, Types: pkg, TypesInfo: info, TypesSizes: conf.Sizes,
	}, nil
}

// suite is what the sharedvet command runs: the checks and the
// lintdirective analyzer built for them.
func suite() []*analysis.Analyzer {
	all := analyzer.All()
	return append(all, lintdirective.New(all))
}

// checkSuite runs the suite on pkg and reports what went wrong.
func checkSuite(t *testing.T, pkg *packages.Package) {
	t.Helper()
	graph, err := checker.Analyze(suite(), []*packages.Package{pkg}, nil)
	if err != nil {
		t.Fatalf("%s: %v", pkg.GoFiles[0], err)
	}
	file := pkg.Fset.File(pkg.Syntax[0].Pos())
	valid := func(p token.Pos) bool {
		return p.IsValid() && int(p) >= file.Base() && int(p) <= file.Base()+file.Size()
	}
	for act := range graph.All() {
		if act.Err != nil {
			t.Errorf("%s: %s failed: %v", pkg.GoFiles[0], act.Analyzer.Name, act.Err)
		}
		for _, d := range act.Diagnostics {
			posn := pkg.Fset.Position(d.Pos)
			switch {
			case internalerr.Is(d):
				t.Errorf("%s: %s", posn, d.Message)
			case !valid(d.Pos):
				t.Errorf("%s: %s reported %q at an invalid position", pkg.GoFiles[0], act.Analyzer.Name, d.Message)
			}
			for _, r := range d.Related {
				if !valid(r.Pos) && r.Pos.IsValid() == false {
					t.Errorf("%s: %s: related %q at an invalid position", posn, d.Message, r.Message)
				}
			}
		}
	}
}

// FuzzSuite runs the suite on programs generated from the fuzzer's
// bytes (see generate). The seeds are the programs of issue 13 that
// broke it, as byte strings of the generator, among others.
//
// go test runs the seeds; go test -fuzz=FuzzSuite ./analyzer explores
// (CI gives it a short budget, .ci/run).
func FuzzSuite(f *testing.F) {
	for _, seed := range [][]byte{
		{opNilSend},                   // syncapi.DrainedBefore on an *ssa.Const (item 1)
		{opLock, opCall, opUnlock},    // a call that sends, under a lock
		{opLock, opNilSend, opUnlock}, // a nil channel under a lock
		{opAssignAtomics, opAddAtomics, opAtomicAdd, opAtomicStore}, // two atomic fields in one statement (item 5)
		{opLock, opRangeFunc, opSend, opEnd, opUnlock},              // range-over-func body (item 3)
		{opGo, opSend, opEnd, opRecv},
		{opLock, opSelect, opRecv, opEnd, opUnlock},
		{opWGGo, opLock, opUnlock, opEnd, opWait},
		{opDeferUnlock, opLock, opFor, opIf, opReturn, opEnd, opEnd},
	} {
		f.Add(seed)
	}
	l := newLoader()
	f.Fuzz(func(t *testing.T, data []byte) {
		src := generate(data)
		pkg, err := l.load("fuzz.go", src)
		if err != nil {
			t.Fatalf("the generator wrote a program that does not type-check: %v\n%s", err, src)
		}
		checkSuite(t, pkg)
	})
}

// Statement kinds of generated programs, by byte value (mod opCount).
const (
	opLock = iota
	opUnlock
	opDeferUnlock
	opSend
	opRecv
	opNilSend
	opAtomicAdd
	opAtomicStore
	opPlainInc
	opAssignAtomics
	opAddAtomics
	opGo
	opIf
	opFor
	opRangeChan
	opRangeFunc
	opSelect
	opSelectSend
	opRLock
	opRUnlock
	opWGAdd
	opWait
	opWGGo
	opClose
	opCall
	opReturn
	opFieldLock
	opLocalChan
	opSwitch
	opClosureCall
	opEnd // ends the innermost block
	opCount
)

const header = `package fuzz

import (
	"sync"
	"sync/atomic"
)

type S struct {
	mu sync.Mutex
	rw sync.RWMutex
	wg sync.WaitGroup
	ch chan int
	n  int64
	m  int64
	p  *S
}

var global chan int

func use(...any) {}

var _ = atomic.AddInt64
`

// generate writes a package of up to three methods of S whose
// statements the bytes of data choose: the shared-state operations the
// checks reason about, nested in blocks (if, for, range over a channel
// or a function, select, go, closures) up to depth 3.
func generate(data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	nfuncs := 1
	if len(data) > 0 {
		nfuncs = 1 + int(data[0])%3
	}
	g := &generator{data: data, nfuncs: nfuncs}
	for i := range nfuncs {
		fmt.Fprintf(&b, "\nfunc (s *S) f%d(x int, seq func(func(int) bool)) {\n", i)
		g.block(&b, 1)
		b.WriteString("}\n")
	}
	return b.Bytes()
}

type generator struct {
	data   []byte
	i      int
	nfuncs int
	vars   int
}

// block writes statements until opEnd or the end of the data.
func (g *generator) block(b *bytes.Buffer, depth int) {
	for g.i < len(g.data) {
		op := int(g.data[g.i]) % opCount
		g.i++
		if op == opEnd {
			return
		}
		g.stmt(b, op, depth)
	}
}

func (g *generator) stmt(b *bytes.Buffer, op, depth int) {
	ind := strings.Repeat("\t", depth)
	nest := func(open, close string) {
		b.WriteString(ind + open + "\n")
		if depth < 4 {
			g.block(b, depth+1)
		}
		b.WriteString(ind + close + "\n")
	}
	switch op {
	case opLock:
		b.WriteString(ind + "s.mu.Lock()\n")
	case opUnlock:
		b.WriteString(ind + "s.mu.Unlock()\n")
	case opDeferUnlock:
		b.WriteString(ind + "defer s.mu.Unlock()\n")
	case opSend:
		b.WriteString(ind + "s.ch <- x\n")
	case opRecv:
		b.WriteString(ind + "x = <-s.ch\n")
	case opNilSend:
		b.WriteString(ind + "{\n" + ind + "\tvar c chan int\n" + ind + "\tc <- 1\n" + ind + "}\n")
	case opAtomicAdd:
		b.WriteString(ind + "atomic.AddInt64(&s.n, 1)\n")
	case opAtomicStore:
		b.WriteString(ind + "atomic.StoreInt64(&s.m, 2)\n")
	case opPlainInc:
		b.WriteString(ind + "s.n++\n")
	case opAssignAtomics:
		b.WriteString(ind + "s.m = s.n\n")
	case opAddAtomics:
		b.WriteString(ind + "s.m += s.n\n")
	case opGo:
		nest("go func() {", "}()")
	case opIf:
		nest("if x > 0 {", "}")
	case opFor:
		g.vars++
		nest(fmt.Sprintf("for i%d := 0; i%d < x; i%d++ {", g.vars, g.vars, g.vars), "}")
	case opRangeChan:
		nest("for range s.ch {", "}")
	case opRangeFunc:
		g.vars++
		nest(fmt.Sprintf("for v%d := range seq {\n%s\tuse(v%d)", g.vars, ind, g.vars), "}")
	case opSelect:
		nest("select {\n"+ind+"case <-global:", "default:\n"+ind+"}")
	case opSelectSend:
		b.WriteString(ind + "select {\n" + ind + "case s.ch <- 1:\n" + ind + "case x = <-global:\n" + ind + "}\n")
	case opRLock:
		b.WriteString(ind + "s.rw.RLock()\n")
	case opRUnlock:
		b.WriteString(ind + "s.rw.RUnlock()\n")
	case opWGAdd:
		b.WriteString(ind + "s.wg.Add(1)\n")
	case opWait:
		b.WriteString(ind + "s.wg.Wait()\n")
	case opWGGo:
		nest("s.wg.Go(func() {", "})")
	case opClose:
		b.WriteString(ind + "close(s.ch)\n")
	case opCall:
		fmt.Fprintf(b, "%ss.f%d(x, seq)\n", ind, (g.i+x0(g))%g.nfuncs)
	case opReturn:
		b.WriteString(ind + "return\n")
	case opFieldLock:
		b.WriteString(ind + "s.p.mu.Lock()\n")
	case opLocalChan:
		g.vars++
		fmt.Fprintf(b, "%sc%d := make(chan int, 1)\n%sc%d <- 1\n%ss.ch = c%d\n", ind, g.vars, ind, g.vars, ind, g.vars)
	case opSwitch:
		nest("switch x {\n"+ind+"case 1:", "}")
	case opClosureCall:
		nest("func() {", "}()")
	}
}

// x0 picks a callee from the next byte, if any.
func x0(g *generator) int {
	if g.i < len(g.data) {
		return int(g.data[g.i])
	}
	return 0
}

// TestGOROOT runs the suite on every program of $GOROOT/test that the
// Go toolchain's tests mark "// run" or "// compile" and that
// type-checks as one file: programs written to break compilers. It
// takes minutes, so -short skips it:
//
//	go test -run TestGOROOT ./analyzer
func TestGOROOT(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks and analyzes over a thousand programs")
	}
	var files []string
	root := filepath.Join(runtime.GOROOT(), "test")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && strings.HasSuffix(path, ".dir"):
			return filepath.SkipDir // the packages of a multi-package test
		case !d.IsDir() && strings.HasSuffix(path, ".go"):
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no $GOROOT/test programs")
	}
	l := newLoader()
	ran, skipped := 0, 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if kind := testKind(src); kind != "// run" && kind != "// compile" {
			continue
		}
		pkg, err := l.load(name, src)
		if err != nil {
			skipped++ // a build constraint, cgo, or a program meant for one GOEXPERIMENT
			continue
		}
		ran++
		checkSuite(t, pkg)
	}
	t.Logf("analyzed %d programs of $GOROOT/test; %d did not type-check alone (a build constraint, cgo, an experiment) and were skipped", ran, skipped)
	if ran < 100 {
		t.Errorf("only %d programs analyzed", ran)
	}
}

// testKind returns the first line of a $GOROOT/test program after its
// build constraints: how the toolchain's test harness runs it.
func testKind(src []byte) string {
	for line := range bytes.Lines(src) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || bytes.HasPrefix(line, []byte("//go:build")) || bytes.HasPrefix(line, []byte("// +build")) {
			continue
		}
		return string(line)
	}
	return ""
}
