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
func exportFiles(cfg *packages.Config, roots []*packages.Package) (files map[string]string, errs map[string][]packages.Error, err error) {
	var paths []string
	seen := map[string]bool{}
	packages.Visit(roots, func(pkg *packages.Package) bool {
		for _, imp := range pkg.Imports {
			if imp.ID == imp.PkgPath && imp.PkgPath != "unsafe" && !seen[imp.ID] {
				seen[imp.ID] = true
				paths = append(paths, imp.ID)
			}
		}
		return true
	}, nil)
	if len(paths) == 0 {
		return nil, nil, nil
	}
	slices.Sort(paths)

	var ecfg packages.Config
	if cfg != nil {
		ecfg = *cfg
	}
	ecfg.Mode = packages.NeedName | packages.NeedExportFile
	ecfg.Tests = false
	pkgs, err := packages.Load(&ecfg, paths...)
	if err != nil {
		return nil, nil, err
	}
	files = make(map[string]string, len(pkgs))
	errs = make(map[string][]packages.Error)
	for _, pkg := range pkgs {
		if pkg.ExportFile != "" {
			files[pkg.ID] = pkg.ExportFile
		}
		if len(pkg.Errors) > 0 {
			// Chiefly the go command's failure to compile it.
			errs[pkg.ID] = pkg.Errors
		}
	}
	return files, errs, nil
}
