package driver

import (
	"bufio"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// A fixChecker type-checks the packages that fixes change, with the
// fixed content of their files, before anything is written: a fix that
// parses can still break the build (it calls a package a local name
// shadows, it declares a name a test file declares too, it uses an
// import the file lacks). A package is checked as the run loaded it:
// its other files' syntax, the types of its imports, its Go version and
// sizes. A package a fix newly imports is taken from the packages the
// run loaded, or else read from its export data.
type fixChecker struct {
	owners     map[string][]*packages.Package // file → the packages compiled from it (a package and its test variant)
	imports    map[string]*types.Package      // package path → types, for imports a fix adds (test variants excluded)
	buildFlags []string
}

// newFixChecker indexes pkgs and their dependencies.
func newFixChecker(pkgs []*packages.Package, buildFlags []string) *fixChecker {
	c := &fixChecker{
		owners:     make(map[string][]*packages.Package),
		imports:    make(map[string]*types.Package),
		buildFlags: buildFlags,
	}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if p.Types == nil || p.Fset == nil {
			return
		}
		for _, f := range p.Syntax {
			name := p.Fset.File(f.FileStart).Name()
			c.owners[name] = append(c.owners[name], p)
		}
		if p.ID == p.PkgPath { // not a test variant
			c.imports[p.PkgPath] = p.Types
		}
	})
	return c
}

// refusals type-checks each package that owns a file of contents (file
// → fixed content) with those contents, and returns, for each file that
// must not be written, why. A package whose fixed form has a type error
// its original form has not, or whose exported declarations change (its
// importers were not checked against them), gets none of its files
// written. Since a file refused for one package (a test variant) is
// then left as it was in the other, the packages are checked again
// until what is checked is what will be written.
func (c *fixChecker) refusals(contents map[string][]byte) map[string]error {
	refused := make(map[string]error)
	checked := make(map[*packages.Package]string) // package → the files it was checked with
	for changed := true; changed; {
		changed = false
		for _, p := range c.affected(contents, refused) {
			files := c.fixedFiles(p, contents, refused)
			key := strings.Join(files, "\x00")
			if checked[p] == key {
				continue
			}
			checked[p] = key
			if err := c.check(p, contents, refused); err != nil {
				for _, name := range files {
					refused[name] = fmt.Errorf("%s: %v; not written", relPath(name), err)
				}
				changed = true
			}
		}
	}
	return refused
}

// affected returns the packages that own a file of contents not yet
// refused, in a stable order.
func (c *fixChecker) affected(contents map[string][]byte, refused map[string]error) []*packages.Package {
	seen := make(map[*packages.Package]bool)
	var out []*packages.Package
	for name := range contents {
		if refused[name] != nil {
			continue
		}
		for _, p := range c.owners[name] {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// fixedFiles returns p's files that are to be written, sorted.
func (c *fixChecker) fixedFiles(p *packages.Package, contents map[string][]byte, refused map[string]error) []string {
	var names []string
	for _, f := range p.Syntax {
		name := p.Fset.File(f.FileStart).Name()
		if _, ok := contents[name]; ok && refused[name] == nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// check type-checks p with the contents of its files not refused, and
// returns why they must not be written, or nil.
func (c *fixChecker) check(p *packages.Package, contents map[string][]byte, refused map[string]error) error {
	fixed, err := withFixes(p.Fset, p.Syntax, func(name string) ([]byte, bool) {
		src, ok := contents[name]
		return src, ok && refused[name] == nil
	})
	if err != nil {
		return err
	}
	typeCheck := func(files []*ast.File) (*types.Package, []error) { return c.typeCheck(p, files) }
	return judgeFixed(p.ID, typeCheck, p.Syntax, fixed, api(p.Types))
}

// withFixes returns files with each one that fixed has content for
// parsed anew from that content, into fset.
func withFixes(fset *token.FileSet, files []*ast.File, fixed func(name string) ([]byte, bool)) ([]*ast.File, error) {
	out := make([]*ast.File, len(files))
	for i, f := range files {
		out[i] = f
		name := fset.File(f.FileStart).Name()
		src, ok := fixed(name)
		if !ok {
			continue
		}
		nf, err := parser.ParseFile(fset, name, src, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("the fixed file would not parse (%v)", err)
		}
		out[i] = nf
	}
	return out, nil
}

// judgeFixed type-checks the fixed files of the package id with
// typeCheck, and returns why they must not be written, or nil: the
// package has a type error that its original files have not, or its
// exported declarations differ from origAPI (its importers were not
// checked against them).
func judgeFixed(id string, typeCheck func([]*ast.File) (*types.Package, []error), orig, fixed []*ast.File, origAPI string) error {
	pkg, errs := typeCheck(fixed)
	if len(errs) > 0 {
		// Only the errors the original has not: a package analyzed
		// despite errors may have some already.
		_, before := typeCheck(orig)
		if errs = newErrors(errs, before); len(errs) > 0 {
			msg := fmt.Sprintf("with the fixes, package %s would not type-check: %s", id, typeErrorString(errs[0]))
			if len(errs) > 1 {
				msg += fmt.Sprintf(" (and %d more)", len(errs)-1)
			}
			return errors.New(msg)
		}
	}
	if api(pkg) != origAPI {
		return fmt.Errorf("the fixes change the exported declarations of package %s, which its importers were not checked against", id)
	}
	return nil
}

// typeCheck type-checks files as p, and returns the package and its
// errors.
func (c *fixChecker) typeCheck(p *packages.Package, files []*ast.File) (*types.Package, []error) {
	var errs []error
	conf := types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) { return c.importFor(p, path) }),
		Sizes:    p.TypesSizes,
		Error:    func(err error) { errs = append(errs, err) },
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion // as go/packages does
	}
	pkg, _ := conf.Check(p.PkgPath, p.Fset, files, nil)
	return pkg, errs
}

// importFor returns the package path imports in p: the one p imported
// when it was loaded, else, for an import a fix adds, the one the run
// loaded or its export data, which the go command builds.
func (c *fixChecker) importFor(p *packages.Package, path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if dep := p.Imports[path]; dep != nil && dep.Types != nil {
		return dep.Types, nil
	}
	if pkg := c.imports[path]; pkg != nil && pkg.Complete() {
		return pkg, nil
	}
	dir := ""
	if len(p.GoFiles) > 0 {
		dir = filepath.Dir(p.GoFiles[0]) // the module that imports it
	}
	return loadExportData(dir, path, c.buildFlags, p.Fset, c.imports)
}

// loadExportData has the go command build the export data of the
// package path imports in dir, and reads it into imports (package path
// → package), so that the types it shares with those are the same
// objects.
func loadExportData(dir, path string, buildFlags []string, fset *token.FileSet, imports map[string]*types.Package) (*types.Package, error) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedExportFile, Dir: dir, BuildFlags: buildFlags}
	loaded, err := packages.Load(cfg, path)
	if err != nil {
		return nil, err
	}
	if len(loaded) != 1 || len(loaded[0].Errors) > 0 || loaded[0].ExportFile == "" {
		return nil, fmt.Errorf("could not import %s", path)
	}
	return readExportFile(loaded[0].ExportFile, loaded[0].PkgPath, fset, imports)
}

// readExportFile reads the export data of the package path from file
// into imports.
func readExportFile(file, path string, fset *token.FileSet, imports map[string]*types.Package) (*types.Package, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %v", path, err)
	}
	return gcexportdata.Read(r, fset, imports, path)
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// newErrors returns the errors of after whose message no error of
// before has (as many times): positions move with the fixes.
func newErrors(after, before []error) []error {
	count := make(map[string]int)
	for _, e := range before {
		count[typeErrorMsg(e)]++
	}
	var out []error
	for _, e := range after {
		if msg := typeErrorMsg(e); count[msg] > 0 {
			count[msg]--
		} else {
			out = append(out, e)
		}
	}
	return out
}

func typeErrorMsg(err error) string {
	if te, ok := err.(types.Error); ok {
		return te.Msg
	}
	return err.Error()
}

// typeErrorString prints a type error with its position relative to
// the current directory.
func typeErrorString(err error) string {
	if te, ok := err.(types.Error); ok && te.Pos.IsValid() {
		return relPosition(te.Fset.Position(te.Pos)) + ": " + te.Msg
	}
	return err.Error()
}

// api returns the exported declarations of pkg, with their types (and
// methods, and constants' values), in a form that does not depend on
// which type-check produced them; "" for nil.
func api(pkg *types.Package) string {
	if pkg == nil {
		return ""
	}
	qualify := func(p *types.Package) string { return p.Path() }
	var b strings.Builder
	for _, name := range pkg.Scope().Names() {
		obj := pkg.Scope().Lookup(name)
		if !obj.Exported() {
			continue
		}
		b.WriteString(types.ObjectString(obj, qualify))
		switch obj := obj.(type) {
		case *types.Const:
			b.WriteString(" = " + obj.Val().ExactString())
		case *types.TypeName:
			if named, ok := obj.Type().(*types.Named); ok {
				for m := range named.Methods() {
					if m.Exported() {
						b.WriteString("; " + types.ObjectString(m, qualify))
					}
				}
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
