package loader

import (
	"fmt"
	"go/token"
	"go/types"
	"os"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
)

// A Universe shares the types decoded from export data among the
// packages of one run. Upstream, every package decodes its direct
// imports afresh; a module whose packages all import a few large ones
// (client-go and k8s.io/api) spent a third of its run decoding the same
// export data again and again.
//
// A dependency's export data is decoded once, after the export data of
// its own imports, so each decoding finds the complete types of
// everything it refers to and creates objects of its own package only:
// nothing a type-checker running at the same time may look at is
// changed under it. That is go/packages' discipline for export data,
// and like go/packages one lock serializes the decoding.
//
// The positions of decoded objects and of the files parsed for the
// packages analyzed from source are in one FileSet, so an analyzer can
// print any position it is handed. The universe lives as long as the
// run: its types and its FileSet's line tables are what the sharing
// costs in memory.
type Universe struct {
	mu      sync.Mutex
	fset    *token.FileSet
	decoded map[*PackageSpec]*types.Package
}

// NewUniverse returns an empty universe.
func NewUniverse() *Universe {
	return &Universe{
		fset:    token.NewFileSet(),
		decoded: map[*PackageSpec]*types.Package{},
	}
}

// imports returns the types of spec's direct imports by path,
// decoding what no earlier package needed.
func (u *Universe) imports(spec *PackageSpec, opts *Options) (map[string]*types.Package, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[string]*types.Package, len(spec.Imports))
	for _, imp := range spec.Imports {
		if imp.PkgPath == "unsafe" {
			continue
		}
		tpkg, err := u.decode(imp, opts)
		if err != nil {
			return nil, err
		}
		out[imp.PkgPath] = tpkg
	}
	return out, nil
}

// exported returns spec's own types from its export data.
func (u *Universe) exported(spec *PackageSpec, opts *Options) (*types.Package, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.decode(spec, opts)
}

// decode returns spec's types, decoding its export data, and first its
// imports', if no package has needed them yet. u.mu is held.
func (u *Universe) decode(spec *PackageSpec, opts *Options) (*types.Package, error) {
	if tpkg, ok := u.decoded[spec]; ok {
		return tpkg, nil
	}
	for _, imp := range spec.Imports {
		if imp.PkgPath != "unsafe" {
			if _, err := u.decode(imp, opts); err != nil {
				return nil, err
			}
		}
	}
	// The export data names packages anywhere below spec; all of them
	// are decoded by now, and the decoder must find them all.
	view := map[string]*types.Package{}
	var visit func(*PackageSpec)
	visit = func(s *PackageSpec) {
		for _, imp := range s.Imports {
			if _, seen := view[imp.PkgPath]; !seen && imp.PkgPath != "unsafe" {
				view[imp.PkgPath] = u.decoded[imp]
				visit(imp)
			}
		}
	}
	visit(spec)

	if spec.ExportFile == "" {
		// A test variant, which Graph asks no export data for, or any
		// package of a run that has not asked for it (Exports.Fill).
		tpkg, err := u.check(spec, view, opts)
		if err != nil {
			return nil, err
		}
		u.decoded[spec] = tpkg
		return tpkg, nil
	}
	f, err := os.Open(spec.ExportFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	//lint:ignore SA1019 NewReader does exactly what we need: it supports Go
	//  1.27 compiler export data and Go 1.28 cmd/export data.
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		return nil, err
	}
	tpkg, err := gcexportdata.Read(r, u.fset, view, spec.PkgPath)
	if err != nil {
		return nil, err
	}
	u.decoded[spec] = tpkg
	return tpkg, nil
}

// check type-checks spec from source against the decoded types of its
// imports, for a package that others import and Graph asked no export
// data for: a test variant, which the go command would have to compile
// with its test main and external test. u.mu is held.
func (u *Universe) check(spec *PackageSpec, view map[string]*types.Package, opts *Options) (*types.Package, error) {
	if len(spec.Errors) > 0 {
		return nil, fmt.Errorf("%s: %v", spec.ID, spec.Errors[0])
	}
	imports := make(map[string]*types.Package, len(spec.Imports))
	for _, imp := range spec.Imports {
		imports[imp.PkgPath] = view[imp.PkgPath]
	}
	prog := &program{universe: u, fset: u.fset, packages: imports, options: opts}
	pkg, err := prog.loadFromSource(spec)
	if err == nil && len(pkg.Errors) > 0 {
		err = fmt.Errorf("type-checking %s: %v", spec.ID, pkg.Errors[0])
	}
	if err != nil {
		return nil, err
	}
	return pkg.Types, nil
}
