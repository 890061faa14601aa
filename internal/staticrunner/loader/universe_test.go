package loader

import (
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// A module with a dependency that two packages import, a package that
// only one imports indirectly, and a package with an external test.
var module = map[string]string{
	"go.mod":      "module m\n\ngo 1.22\n",
	"d/d.go":      "package d\n\ntype T struct{ X int }\n\nfunc New() T { return T{} }\n\nfunc Unused() {}\n",
	"a/a.go":      "package a\n\nimport \"m/d\"\n\nfunc A() d.T { return d.New() }\n",
	"b/b.go":      "package b\n\nimport \"m/a\"\n\nvar B = a.A()\n",
	"b/b_test.go": "package b\n\nfunc Helper() int { return B.X }\n",
	"b/x_test.go": "package b_test\n\nimport (\n\t\"m/a\"\n\t\"m/b\"\n)\n\nvar _, _, _ = a.A(), b.B, b.Helper\n",
	"c/c.go":      "package c\n\nimport \"m/a\"\n\nvar C = a.A().X\n",
}

func graph(t *testing.T) map[string]*PackageSpec {
	t.Helper()
	dir := t.TempDir()
	for name, src := range module {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	specs, _, err := Graph(&packages.Config{Dir: dir, Tests: true, Env: append(os.Environ(), "GOFLAGS=", "GOWORK=off")}, true, "./...")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*PackageSpec{}
	var visit func(*PackageSpec)
	visit = func(s *PackageSpec) {
		if byID[s.ID] == nil {
			byID[s.ID] = s
			for _, imp := range s.Imports {
				visit(imp)
			}
		}
	}
	for _, s := range specs {
		if len(s.Errors) > 0 {
			t.Fatalf("%s: %v", s.ID, s.Errors)
		}
		visit(s)
	}
	return byID
}

func load(t *testing.T, spec *PackageSpec, u *Universe) *Package {
	t.Helper()
	pkg, _, err := Load(spec, &Options{Universe: u})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Errors) > 0 {
		t.Fatalf("%s: %v", spec.ID, pkg.Errors)
	}
	return pkg
}

func imported(pkg *Package, path string) *types.Package {
	for _, imp := range pkg.Types.Imports() {
		if imp.Path() == path {
			return imp
		}
	}
	return nil
}

// Packages of one run share what they import: decoded once.
func TestUniverseShares(t *testing.T) {
	specs := graph(t)
	u := NewUniverse()
	b := load(t, specs["m/b"], u)
	c := load(t, specs["m/c"], u)
	if ab, ac := imported(b, "m/a"), imported(c, "m/a"); ab == nil || ab != ac {
		t.Errorf("m/b and m/c import m/a as %p and %p, want one package", ab, ac)
	}
	// Without a universe each package has its own.
	b1 := load(t, specs["m/b"], nil)
	if imported(b1, "m/a") == imported(b, "m/a") {
		t.Errorf("a package loaded without the universe got the universe's m/a")
	}
}

// A dependency is decoded whole, before what refers to it, so no
// decoding adds objects to a package a type-checker may be reading.
func TestUniverseDecodesDependenciesFirst(t *testing.T) {
	specs := graph(t)
	u := NewUniverse()
	load(t, specs["m/c"], u) // imports m/a only
	d := u.decoded[specs["m/d"]]
	if d == nil {
		t.Fatal("m/d, which m/a's export data refers to, was not decoded")
	}
	if !d.Complete() || d.Scope().Lookup("Unused") == nil {
		t.Errorf("m/d is a stub (complete %v, scope %v), want its whole export data", d.Complete(), d.Scope().Names())
	}
}

// A test variant has its own types: b_test's b is not c's b.
func TestUniverseKeepsTestVariantsApart(t *testing.T) {
	specs := graph(t)
	u := NewUniverse()
	xtest := load(t, specs["m/b_test [m/b.test]"], u)
	variant := imported(xtest, "m/b")
	if variant == nil || variant.Scope().Lookup("Helper") == nil {
		t.Fatalf("b_test imports m/b without its test file's Helper: %v", variant)
	}
	plain, err := u.exported(specs["m/b"], &Options{GoVersion: "module"})
	if err != nil {
		t.Fatal(err)
	}
	if plain == variant || plain.Scope().Lookup("Helper") != nil {
		t.Errorf("m/b and its test variant share types")
	}
}

// The go command compiles only what the packages analyzed import: not
// the packages nothing imports, not the test variants, not the external
// tests and test mains.
func TestGraphExportsOnlyImported(t *testing.T) {
	specs := graph(t)
	for id, spec := range specs {
		// m/a and m/d, and the standard library the test mains import.
		imported := id == "m/a" || id == "m/d" || !strings.HasPrefix(id, "m/") && id != "unsafe"
		if got := spec.ExportFile != ""; got != imported {
			t.Errorf("%s: has export data %v, want %v", id, got, imported)
		}
	}
}

// Without eager, the export data is asked for by the first Fill, and a
// package's key does not depend on when: the same as eager's.
func TestGraphLazyExports(t *testing.T) {
	specs := graph(t)
	dir := filepath.Dir(filepath.Dir(specs["m/a"].GoFiles[0]))
	cfg := &packages.Config{Dir: dir, Tests: true, Env: append(os.Environ(), "GOFLAGS=", "GOWORK=off")}
	lazy, exports, err := Graph(cfg, false, "./...")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*PackageSpec{}
	for _, spec := range lazy {
		byID[spec.ID] = spec
		if spec.Hash != specs[spec.ID].Hash {
			t.Errorf("%s: key differs from the eager graph's", spec.ID)
		}
	}
	a := byID["m/c"].Imports["m/a"]
	if a.ExportFile != "" {
		t.Fatalf("m/a has export data before Fill")
	}
	if err := exports.Fill(); err != nil {
		t.Fatal(err)
	}
	if a.ExportFile == "" || a.ExportFile != specs["m/a"].ExportFile {
		t.Errorf("after Fill m/a's export data is %q, want %q", a.ExportFile, specs["m/a"].ExportFile)
	}
}
