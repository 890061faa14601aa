package driver

import (
	"go/token"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/internal/sarif"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// writeSARIF writes the findings as a SARIF 2.1.0 log: one rule per
// analyzer that ran, locations relative to the repository root (the
// enclosing directory with a .git, else the current directory) under
// %SRCROOT%, related locations, and fixes. The problems are the
// invocation's error notifications, and make it unsuccessful.
func writeSARIF(w io.Writer, findings []finding, problems []problem, analyzers []*analysis.Analyzer) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	b := &sarifBuilder{root: repoRoot(wd), files: make(map[string][]byte)}
	run := sarif.Run{
		Tool: sarif.Tool{Driver: sarif.ToolComponent{
			Name:           "sharedvet",
			Version:        version(),
			InformationURI: "https://github.com/sharedvet/sharedvet",
		}},
		OriginalURIBaseIDs: map[string]sarif.ArtifactLocation{
			sarif.SrcRoot: {URI: fileURI(b.root) + "/"},
		},
		ColumnKind: "utf16CodeUnits",
		Results:    []sarif.Result{},
	}
	ruleIndex := make(map[*analysis.Analyzer]int)
	for _, a := range analyzers {
		ruleIndex[a] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule(a))
	}
	for _, f := range findings {
		run.Results = append(run.Results, b.result(f, ruleIndex[f.analyzer]))
	}
	inv := sarif.Invocation{ExecutionSuccessful: true}
	for _, p := range problems {
		n := sarif.Notification{Level: "error", Message: sarif.Message{Text: p.msg}}
		if p.warning {
			n.Level = "warning"
		} else {
			inv.ExecutionSuccessful = false
		}
		if p.posn.IsValid() {
			n.Locations = []sarif.Location{{PhysicalLocation: sarif.PhysicalLocation{
				ArtifactLocation: b.artifact(p.posn.Filename),
				Region:           &sarif.Region{StartLine: p.posn.Line, StartColumn: b.column(p.posn)},
			}}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []sarif.Invocation{inv}
	return sarif.Write(w, &sarif.Log{Schema: sarif.Schema, Version: sarif.Version, Runs: []sarif.Run{run}})
}

// rule describes an analyzer: its title, its documentation as help
// text, and its URL.
func rule(a *analysis.Analyzer) sarif.ReportingDescriptor {
	title, _, _ := strings.Cut(a.Doc, "\n")
	title = strings.TrimPrefix(title, a.Name+": ")
	return sarif.ReportingDescriptor{
		ID:                   a.Name,
		Name:                 a.Name,
		ShortDescription:     &sarif.Message{Text: title},
		FullDescription:      &sarif.Message{Text: a.Doc},
		Help:                 &sarif.Message{Text: a.Doc + "\n\n" + a.URL},
		HelpURI:              a.URL,
		DefaultConfiguration: &sarif.ReportingConfig{Level: "warning"},
	}
}

// A sarifBuilder converts positions, reading files to count columns
// in UTF-16 code units, as SARIF's default columnKind says.
type sarifBuilder struct {
	root  string
	files map[string][]byte
}

func (b *sarifBuilder) result(f finding, index int) sarif.Result {
	r := sarif.Result{
		RuleID:     f.analyzer.Name,
		RuleIndex:  index,
		Level:      "warning",
		Message:    sarif.Message{Text: f.diag.Message},
		Locations:  []sarif.Location{b.location(f.fset, f.diag.Pos, f.diag.End, "")},
		Properties: map[string]interface{}{},
	}
	if f.diag.Category != "" {
		r.Properties["category"] = f.diag.Category
	}
	if name := trace.ExceptionOf(f.diag); name != "" {
		// An entry of the trace (-excused): the rule was evaluated and
		// found no problem, which SARIF 2.1.0 says with kind "pass"
		// (3.27.9), whose level must then be "none" (3.27.10).
		r.Kind, r.Level = "pass", "none"
		r.Properties["excused"] = name
	}
	if reason, ok := silencedReason(f.diag); ok {
		// Shown by -show-ignored: code scanning lists it as
		// suppressed in source, with the directive's reason.
		r.Suppressions = []sarif.Suppression{{Kind: "inSource", Justification: reason}}
	}
	for i, rel := range f.diag.Related {
		loc := b.location(f.fset, rel.Pos, rel.End, rel.Message)
		id := i + 1
		loc.ID = &id
		r.RelatedLocations = append(r.RelatedLocations, loc)
	}
	for _, fix := range f.diag.SuggestedFixes {
		r.Fixes = append(r.Fixes, b.fix(f.fset, fix))
	}
	return r
}

// location returns the location of [pos, end), with a message if any.
func (b *sarifBuilder) location(fset *token.FileSet, pos, end token.Pos, msg string) sarif.Location {
	start := fset.Position(pos)
	loc := sarif.Location{PhysicalLocation: sarif.PhysicalLocation{
		ArtifactLocation: b.artifact(start.Filename),
		Region:           b.region(fset, pos, end),
	}}
	if msg != "" {
		loc.Message = &sarif.Message{Text: msg}
	}
	return loc
}

// region returns the region [pos, end); an invalid end is pos.
func (b *sarifBuilder) region(fset *token.FileSet, pos, end token.Pos) *sarif.Region {
	start := fset.Position(pos)
	stop := start
	if end.IsValid() && end >= pos {
		stop = fset.Position(end)
	}
	return &sarif.Region{
		StartLine:   start.Line,
		StartColumn: b.column(start),
		EndLine:     stop.Line,
		EndColumn:   b.column(stop),
	}
}

// column converts posn's byte column to UTF-16 code units, 1-based.
func (b *sarifBuilder) column(posn token.Position) int {
	content, ok := b.files[posn.Filename]
	if !ok {
		content, _ = os.ReadFile(posn.Filename)
		b.files[posn.Filename] = content
	}
	lineStart := posn.Offset - (posn.Column - 1)
	if posn.Column < 1 || lineStart < 0 || posn.Offset > len(content) {
		return max(posn.Column, 1)
	}
	n := 0
	for s := content[lineStart:posn.Offset]; len(s) > 0; {
		r, size := utf8.DecodeRune(s)
		n += utf16.RuneLen(r) // an invalid byte decodes as U+FFFD, one unit
		s = s[size:]
	}
	return n + 1
}

// fix converts a suggested fix.
func (b *sarifBuilder) fix(fset *token.FileSet, fix analysis.SuggestedFix) sarif.Fix {
	out := sarif.Fix{Description: &sarif.Message{Text: fix.Message}, ArtifactChanges: []sarif.ArtifactChange{}}
	byFile := make(map[string]int)
	for _, e := range fix.TextEdits {
		name := fset.Position(e.Pos).Filename
		i, ok := byFile[name]
		if !ok {
			i = len(out.ArtifactChanges)
			byFile[name] = i
			out.ArtifactChanges = append(out.ArtifactChanges, sarif.ArtifactChange{ArtifactLocation: b.artifact(name)})
		}
		end := e.End
		if !end.IsValid() {
			end = e.Pos
		}
		out.ArtifactChanges[i].Replacements = append(out.ArtifactChanges[i].Replacements, sarif.Replacement{
			DeletedRegion:   *b.region(fset, e.Pos, end),
			InsertedContent: &sarif.ArtifactContent{Text: string(e.NewText)},
		})
	}
	return out
}

// artifact names filename relative to the repository root, or by an
// absolute file URI if it is outside (a file of the module cache).
func (b *sarifBuilder) artifact(filename string) sarif.ArtifactLocation {
	if rel, err := filepath.Rel(b.root, filename); err == nil && filepath.IsAbs(filename) && !strings.HasPrefix(rel, "..") {
		return sarif.ArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(rel)}).String(), URIBaseID: sarif.SrcRoot}
	}
	return sarif.ArtifactLocation{URI: fileURI(filename)}
}

// repoRoot returns the nearest directory at or above dir holding .git,
// or dir itself.
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

func fileURI(path string) string {
	path = filepath.ToSlash(path)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path // a Windows drive path
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}
