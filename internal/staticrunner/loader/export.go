package loader

import (
	"slices"

	"golang.org/x/tools/go/packages"
)

// exportFiles returns the export data files, by package ID, of the
// packages that others in the graph import, test variants aside.
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
func exportFiles(cfg *packages.Config, roots []*packages.Package) (files map[string]string, errs map[string][]packages.Error, err error) {
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
	if len(tops) == 0 {
		return nil, nil, nil
	}
	slices.Sort(tops)

	var ecfg packages.Config
	if cfg != nil {
		ecfg = *cfg
	}
	ecfg.Mode = packages.NeedName | packages.NeedImports | packages.NeedDeps | packages.NeedExportFile
	ecfg.Tests = false
	pkgs, err := packages.Load(&ecfg, tops...)
	if err != nil {
		return nil, nil, err
	}
	files = make(map[string]string, len(imported))
	errs = make(map[string][]packages.Error)
	packages.Visit(pkgs, nil, func(pkg *packages.Package) {
		if !imported[pkg.ID] {
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
