package driver

import (
	"cmp"
	"encoding/json"
	"go/token"
	"io"
	"strings"

	"github.com/sharedvet/sharedvet/internal/internalerr"
	"github.com/sharedvet/sharedvet/internal/vetjson"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// The JSON format is go vet -json's tree: package ID → analyzer name →
// either the list of its diagnostics or {"error": "..."}. It is written
// here rather than by the checker's PrintJSON so that it holds the
// same findings as the other formats (each once, though a package and
// its test variant both report it) and the run's problems: the errors
// of a package under the key jsonErrorKey, one per line of the error,
// and its warnings (functions not analyzed) as diagnostics under
// jsonWarningKey.

// jsonErrorKey and jsonWarningKey are the entries that hold a
// package's problems. They are not names of analyzers.
const (
	jsonErrorKey   = "sharedvet"
	jsonWarningKey = "sharedvet-warnings"
)

// writeJSON writes the findings and problems as go vet's JSON tree.
func writeJSON(w io.Writer, findings []finding, problems []problem) error {
	tree := make(map[string]map[string]any)
	entry := func(id string) map[string]any {
		m, ok := tree[id]
		if !ok {
			m = make(map[string]any)
			tree[id] = m
		}
		return m
	}
	for _, f := range findings {
		m := entry(f.pkgID)
		list, _ := m[f.analyzer.Name].([]vetjson.Diagnostic)
		m[f.analyzer.Name] = append(list, toJSON(f))
	}
	errs := make(map[string][]string)
	for _, p := range problems {
		if p.warning {
			m := entry(p.pkgID)
			list, _ := m[jsonWarningKey].([]vetjson.Diagnostic)
			posn := p.posn.String()
			m[jsonWarningKey] = append(list, vetjson.Diagnostic{Category: internalerr.CategoryLimit, Posn: posn, End: posn, Message: p.msg})
			continue
		}
		errs[p.pkgID] = append(errs[p.pkgID], p.String())
	}
	for id, lines := range errs {
		entry(id)[jsonErrorKey] = vetjson.Error{Err: strings.Join(lines, "\n")}
	}
	data, err := json.MarshalIndent(tree, "", "\t")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func toJSON(f finding) vetjson.Diagnostic {
	fset, d := f.fset, f.diag
	posn := func(p token.Pos) string { return fset.Position(p).String() }
	out := vetjson.Diagnostic{
		Category: d.Category,
		Posn:     posn(d.Pos),
		End:      posn(cmp.Or(d.End, d.Pos)),
		Message:  d.Message,
		Excused:  trace.ExceptionOf(d),
	}
	for _, fix := range d.SuggestedFixes {
		jf := vetjson.Fix{Message: fix.Message}
		for _, e := range fix.TextEdits {
			jf.Edits = append(jf.Edits, vetjson.Edit{
				Filename: fset.Position(e.Pos).Filename,
				Start:    fset.Position(e.Pos).Offset,
				End:      fset.Position(e.End).Offset,
				New:      string(e.NewText),
			})
		}
		out.SuggestedFixes = append(out.SuggestedFixes, jf)
	}
	for _, r := range d.Related {
		out.Related = append(out.Related, vetjson.Related{Posn: posn(r.Pos), End: posn(cmp.Or(r.End, r.Pos)), Message: r.Message})
	}
	return out
}
