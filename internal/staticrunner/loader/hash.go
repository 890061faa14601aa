package loader

import (
	"fmt"
	"runtime"
	"sort"

	"honnef.co/go/tools/lintcmd/cache"
)

// computeHash computes a package's hash. The hash is based on all Go
// files that make up the package, the language version its go.mod
// file sets, and the hashes of imported packages.
//
// Upstream used the build ID of the package's export data in place of
// its files, and its imports' build IDs, "because it is virtually
// identical to hashing all CompiledGoFiles". Here the export data is
// asked for only when a package must be loaded (Exports), so a run
// that finds everything cached never makes the go command compute it;
// hashing the files instead costs a fraction of that (the go command
// hashes the same files to compute the build IDs).
func computeHash(pkg *PackageSpec) (cache.ActionID, error) {
	key := cache.NewHash("package " + pkg.PkgPath)
	fmt.Fprintf(key, "goos %s goarch %s\n", runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(key, "import %q\n", pkg.PkgPath)

	for _, f := range pkg.CompiledGoFiles {
		h, err := cache.FileHash(f)
		if err != nil {
			return cache.ActionID{}, err
		}
		fmt.Fprintf(key, "file %s %x\n", f, h)
	}
	if pkg.Module != nil {
		// The language version the type-checker is given (see
		// loadFromSource): all that the go.mod file changes in the
		// analysis of the package's files.
		fmt.Fprintf(key, "go %s\n", pkg.Module.GoVersion)
	}

	imps := make([]*PackageSpec, 0, len(pkg.Imports))
	for _, v := range pkg.Imports {
		imps = append(imps, v)
	}
	sort.Slice(imps, func(i, j int) bool {
		return imps[i].PkgPath < imps[j].PkgPath
	})
	for _, dep := range imps {
		fmt.Fprintf(key, "import %s %x\n", dep.PkgPath, dep.Hash)
	}
	return key.Sum(), nil
}
