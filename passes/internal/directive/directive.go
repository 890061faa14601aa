// Package directive indexes the //lint:ignore and //lint:file-ignore
// directives of a package, the staticcheck convention, so that the
// reporting funnel (package report) can drop the findings they silence
// in every driver: go vet, the standalone driver and golangci-lint.
//
// The directives are parsed by honnef.co/go/tools' lint.ParseDirectives,
// the one staticcheck uses, so the two tools read a comment alike:
//
//	//lint:ignore lockchan,atomicmix the send is to a buffered channel
//	//lint:file-ignore sharedvet generated code
//
// A line directive silences the findings on the line of the syntax it
// is attached to (the statement below it, or the statement it ends); a
// file directive silences the findings of its file.
package directive

import (
	"go/ast"
	"go/token"
	"path"
	"reflect"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"honnef.co/go/tools/analysis/lint"
)

// Analyzer builds the directive Index of a package. It reports
// nothing; srcname requires it, so every pass can reach the index.
var Analyzer = &analysis.Analyzer{
	Name:             "lintdirectives",
	Doc:              "index the //lint:ignore and //lint:file-ignore directives of a package",
	Run:              run,
	RunDespiteErrors: true,
	ResultType:       reflect.TypeOf((*Index)(nil)),
}

// Suite is the name that, in a directive, stands for every check.
const Suite = "sharedvet"

// A Directive is one //lint:ignore or //lint:file-ignore comment.
type Directive struct {
	Pos    token.Pos // of the comment
	File   string    // the file the directive is in
	Line   int       // the line it silences; 0 for a file directive
	Kind   string    // "ignore" or "file-ignore"
	Checks []string  // check names, categories or globs; "sharedvet" is all
	Reason string    // empty if the directive gives none (an error)
}

// Matches reports whether the directive names the check (an analyzer
// name) or the category of a finding.
func (d *Directive) Matches(check, category string) bool {
	for _, name := range d.Checks {
		if name == Suite || name == check || name == category {
			return true
		}
		if ok, _ := path.Match(name, check); ok {
			return true
		}
		if ok, _ := path.Match(name, category); ok && category != "" {
			return true
		}
	}
	return false
}

// Concerns reports whether the directive names one of the checks
// (analyzer names), a category of one (categories are prefixed with
// their analyzer's name), or the whole suite. Directives for other
// linters, such as staticcheck's own, concern sharedvet not at all.
func (d *Directive) Concerns(checks []string) bool {
	for _, name := range d.Checks {
		if name == Suite {
			return true
		}
		for _, c := range checks {
			if name == c || strings.HasPrefix(name, c+"-") {
				return true
			}
			if ok, _ := path.Match(name, c); ok {
				return true
			}
		}
	}
	return false
}

// An Index holds a package's directives and records which of them
// silenced a finding. The passes of a package may run in parallel, so
// the record is guarded by a mutex.
type Index struct {
	fset       *token.FileSet
	directives []*Directive

	mu   sync.Mutex
	used map[*Directive]bool
}

func run(pass *analysis.Pass) (any, error) {
	idx := &Index{fset: pass.Fset, used: make(map[*Directive]bool)}
	for _, d := range lint.ParseDirectives(filesWithDirectives(pass.Files), pass.Fset) {
		if dir := convert(pass.Fset, d); dir != nil {
			idx.directives = append(idx.directives, dir)
		}
	}
	return idx, nil
}

// filesWithDirectives returns the files that have a //lint: comment.
// ParseDirectives builds a comment map of every file it is given, which
// cost 5% of a whole run on containerd; most files have no directive.
func filesWithDirectives(files []*ast.File) []*ast.File {
	var out []*ast.File
	for _, f := range files {
	search:
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.HasPrefix(c.Text, "//lint:") {
					out = append(out, f)
					break search
				}
			}
		}
	}
	return out
}

// convert turns a parsed directive into ours, or nil if it is not an
// ignore directive (staticcheck has others, such as //lint:sha256).
func convert(fset *token.FileSet, d lint.Directive) *Directive {
	if d.Command != "ignore" && d.Command != "file-ignore" {
		return nil
	}
	dir := &Directive{
		Pos:  d.Directive.Pos(),
		File: fset.Position(d.Directive.Pos()).Filename,
		Kind: d.Command,
	}
	// ParseDirectives splits at spaces only: split again at any white
	// space, so that a tab separates too and a reason made of white
	// space is no reason (fixture badBlankReason).
	args := strings.Fields(strings.Join(d.Arguments, " "))
	if len(args) > 0 {
		dir.Checks = strings.Split(args[0], ",")
		dir.Reason = strings.Join(args[1:], " ")
	}
	if d.Command == "ignore" {
		// As staticcheck does: the line of the node the comment is
		// attached to, which for a comment on a line of its own is the
		// statement or declaration below it.
		dir.Line = fset.Position(d.Node.Pos()).Line
	}
	return dir
}

// Directives returns the package's ignore directives, in source order
// within each file.
func (idx *Index) Directives() []*Directive { return idx.directives }

// Suppressed reports whether a directive with a reason silences a
// finding of check (an analyzer name) with the category at pos, and
// records that the directive was used. A directive without a reason
// silences nothing: it is reported instead.
func (idx *Index) Suppressed(pos token.Pos, check, category string) bool {
	return idx.SuppressedBy(pos, check, category) != nil
}

// SuppressedBy is Suppressed, returning the first directive that
// silences the finding, or nil.
func (idx *Index) SuppressedBy(pos token.Pos, check, category string) *Directive {
	posn := idx.fset.Position(pos)
	var hit *Directive
	for _, d := range idx.directives {
		if d.Reason == "" || d.File != posn.Filename || !d.Matches(check, category) {
			continue
		}
		if d.Kind == "file-ignore" || d.Line == posn.Line {
			idx.mu.Lock()
			idx.used[d] = true
			idx.mu.Unlock()
			if hit == nil {
				hit = d
			}
		}
	}
	return hit
}

// ShowIgnored is -lintdirective.show-ignored (-show-ignored
// standalone): report the findings directives silence instead of
// dropping them, each with a related location at its directive whose
// message starts with SilencedPrefix, as staticcheck's -show-ignored
// shows what //lint:ignore hides.
var ShowIgnored bool

// SilencedPrefix starts the related message that marks a finding a
// directive silenced: "silenced by //lint:ignore: REASON".
const SilencedPrefix = "silenced by //lint:"

// Used reports whether d silenced a finding so far.
func (idx *Index) Used(d *Directive) bool {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	return idx.used[d]
}
