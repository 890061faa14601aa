package driver

import (
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sync"

	"golang.org/x/tools/go/packages"
)

// A fixGuard knows which files -fix may write and what they held when
// they were parsed. The edits of a fix are offsets into the content
// the analysis saw: applied to a file changed since (by an editor, or a
// second -fix run), they would land in the wrong places, so such a
// file is refused. A file the build generated (cgo's, in the build
// cache) is not the user's source, and is refused too.
type fixGuard struct {
	mu     sync.Mutex
	hashes map[string][sha256.Size]byte // file → hash of the content parsed
	source map[string]bool              // the packages' own Go files

	// typeCheck, if not nil, checks that the fixed packages type-check.
	typeCheck *fixChecker
}

func newFixGuard() *fixGuard {
	return &fixGuard{hashes: make(map[string][sha256.Size]byte)}
}

// parse is a packages.Config.ParseFile that records each file's hash,
// parsing as go/packages does by default.
func (g *fixGuard) parse(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	sum := sha256.Sum256(src)
	g.mu.Lock()
	g.hashes[filename] = sum
	g.mu.Unlock()
	return parser.ParseFile(fset, filename, src, parser.AllErrors|parser.ParseComments)
}

// sources records the Go files of pkgs and their dependencies as the
// files fixes may edit, and the packages to type-check with their
// fixes, loaded with buildFlags.
func (g *fixGuard) sources(pkgs []*packages.Package, buildFlags []string) {
	g.typeCheck = newFixChecker(pkgs, buildFlags)
	g.source = make(map[string]bool)
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, f := range p.GoFiles {
			g.source[f] = true
		}
	})
}

// generated returns the first of files that is not a source file of
// the packages (cgo generates files in the build cache), if any.
func (g *fixGuard) generated(files []fileFix) (string, bool) {
	if g == nil || g.source == nil {
		return "", false
	}
	for _, ff := range files {
		if !g.source[ff.name] {
			return ff.name, true
		}
	}
	return "", false
}

// check reports why the file name, which now holds content, must not
// be written, or nil.
func (g *fixGuard) check(name string, content []byte) error {
	if g == nil {
		return nil
	}
	if g.source != nil && !g.source[name] {
		return fmt.Errorf("%s is not a source file of the packages (the build generated it, as cgo does); not written", relPath(name))
	}
	g.mu.Lock()
	want, ok := g.hashes[name]
	g.mu.Unlock()
	if !ok || sha256.Sum256(content) != want {
		return fmt.Errorf("%s changed since it was analyzed; not written (run again)", relPath(name))
	}
	return nil
}
