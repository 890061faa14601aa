package driver

import (
	"fmt"
	"go/build"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// loadConfig is the go/packages configuration of a standalone run:
// full syntax and types, test files with -test, build tags with -tags
// (the go command's own -tags, so GOFLAGS=-tags=... works too).
func loadConfig(opts *options) *packages.Config {
	cfg := &packages.Config{
		Mode:  packages.LoadAllSyntax | packages.NeedModule,
		Tests: opts.tests,
	}
	if opts.tags != "" {
		cfg.BuildFlags = []string{"-tags=" + opts.tags}
	}
	return cfg
}

// noteCgoSkipped says on stderr which files of the root packages the
// build left out only because cgo is disabled (CGO_ENABLED=0, or no C
// compiler): the go command drops them without a word, and their
// findings with them.
func noteCgoSkipped(pkgs []*packages.Package, tags string, stderr io.Writer) {
	files := cgoSkipped(pkgs, tags)
	if len(files) == 0 {
		return
	}
	shown := files
	if len(shown) > 3 {
		shown = append(shown[:3:3], "...")
	}
	fmt.Fprintf(stderr, "%s: cgo is disabled (CGO_ENABLED=0 or no C compiler), so %d file(s) that use it were not analyzed: %s; set CGO_ENABLED=1 to analyze them\n",
		progname(), len(files), strings.Join(shown, ", "))
}

// cgoSkipped returns the files of pkgs that the build ignored but that
// it would include with cgo enabled, relative to the current
// directory when under it, sorted.
func cgoSkipped(pkgs []*packages.Package, tags string) []string {
	// The go command's configuration but for cgo, which is on: the
	// go command may have turned it off for want of a C compiler,
	// which build.Default does not know.
	ctx := build.Default
	ctx.CgoEnabled = true
	if tags != "" {
		ctx.BuildTags = strings.Split(tags, ",")
	}
	seen := make(map[string]bool)
	var files []string
	for _, p := range pkgs {
		for _, name := range p.IgnoredFiles {
			if seen[name] || !strings.HasSuffix(name, ".go") {
				continue
			}
			seen[name] = true
			if ok, err := ctx.MatchFile(filepath.Dir(name), filepath.Base(name)); err == nil && ok {
				files = append(files, relPath(name))
			}
		}
	}
	sort.Strings(files)
	return files
}
