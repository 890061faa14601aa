package loader

import (
	"errors"
	"slices"
	"sync"

	"golang.org/x/tools/go/packages"
)

// Which packages the go command compiles.
//
// Upstream asked the go command for every package's export data at
// once (go list -export -deps -test), and the go command compiles every
// package it lists, the external tests and test mains included, which
// nothing imports: after an edit of a package most of quic-go imports,
// 61 compilations against go vet's 20. Here the go command compiles
// what the packages analyzed from source import, as go vet would; a
// test variant an external test imports is type-checked from source
// when it is needed (Universe.check), as it has no export data
// without compiling its test main.
//
// The packages others import are closed under imports, so they are the
// dependencies of those of them that no other imports: the go command
// is given these few (tailscale: 111 of 2441) with -deps. Given all,
// go/packages splits a long list into go list runs of 16 KB of
// arguments each, every one loading its part's dependencies again
// (a warm tailscale run spent 7 s of CPU in six of them).

// importedSet is the packages others in a graph import, test variants
// aside, and those of them no other of them imports.
type importedSet struct {
	all  map[string]bool
	tops []string
}

func importedTops(roots []*packages.Package) importedSet {
	imported := map[string]bool{}
	packages.Visit(roots, func(pkg *packages.Package) bool {
		for _, imp := range pkg.Imports {
			if imp.ID == imp.PkgPath && imp.PkgPath != "unsafe" {
				imported[imp.ID] = true
			}
		}
		return true
	}, nil)
	importedByImported := map[string]bool{}
	packages.Visit(roots, func(pkg *packages.Package) bool {
		if imported[pkg.ID] {
			for _, imp := range pkg.Imports {
				importedByImported[imp.ID] = true
			}
		}
		return true
	}, nil)
	var tops []string
	for id := range imported {
		if !importedByImported[id] {
			tops = append(tops, id)
		}
	}
	slices.Sort(tops)
	return importedSet{all: imported, tops: tops}
}

// listExports asks the go command for the export data of set.all.
func listExports(cfg *packages.Config, set importedSet) (files map[string]string, errs map[string][]packages.Error, err error) {
	if len(set.tops) == 0 {
		return nil, nil, nil
	}
	var ecfg packages.Config
	if cfg != nil {
		ecfg = *cfg
	}
	ecfg.Mode = packages.NeedName | packages.NeedImports | packages.NeedDeps | packages.NeedExportFile
	ecfg.Tests = false
	pkgs, err := packages.Load(&ecfg, set.tops...)
	if err != nil {
		return nil, nil, err
	}
	files = make(map[string]string, len(set.all))
	errs = make(map[string][]packages.Error)
	packages.Visit(pkgs, nil, func(pkg *packages.Package) {
		if !set.all[pkg.ID] {
			return // not asked for: a package of the graph keys on how it was listed
		}
		if pkg.ExportFile != "" {
			files[pkg.ID] = pkg.ExportFile
		}
		if len(pkg.Errors) > 0 {
			// Chiefly the go command's failure to compile it.
			errs[pkg.ID] = pkg.Errors
		}
	})
	return files, errs, nil
}

// Exports asks the go command for the export data of a graph's imported
// packages the first time a package must be loaded, not before: a run
// that finds everything in its cache never asks, and the go command's
// second look at the whole graph (computing what it would compile) was
// most of a warm run's time.
type Exports struct {
	cfg   *packages.Config
	set   importedSet             // not the graph's packages, which the run need not keep
	specs map[string]*PackageSpec // the graph's packages that are not test variants, by ID
	once  sync.Once
	err   error
}

// ErrExportFailed says that a package others import did not compile:
// the go command said why, and a run that wants it said as the go
// command says it lists the graph again with Graph's eager set.
var ErrExportFailed = errors.New("a package others import does not compile")

// Fill sets the imported packages' ExportFile, once.
func (ex *Exports) Fill() error {
	if ex == nil {
		return nil
	}
	ex.once.Do(func() {
		files, errs, err := listExports(ex.cfg, ex.set)
		if err != nil {
			ex.err = err
			return
		}
		if len(errs) > 0 {
			ex.err = ErrExportFailed
			return
		}
		for id, file := range files {
			if spec := ex.specs[id]; spec != nil {
				spec.ExportFile = file
			}
		}
	})
	return ex.err
}

// Failed reports whether Fill found a package others import that does
// not compile. It does not ask the go command; call it once no Fill
// can be running.
func (ex *Exports) Failed() bool {
	return ex != nil && ex.err == ErrExportFailed
}
