package driver

import (
	"cmp"
	"encoding/json"
	"go/token"
	"io"
	"strings"

	"github.com/sharedvet/sharedvet/internal/internalerr"
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

type jsonDiagnostic struct {
	Category       string        `json:"category,omitempty"`
	Posn           string        `json:"posn"`
	End            string        `json:"end"`
	Message        string        `json:"message"`
	Excused        string        `json:"excused,omitempty"` // for an entry of the trace (-excused), the exception that cleared it
	SuggestedFixes []jsonFix     `json:"suggested_fixes,omitempty"`
	Related        []jsonRelated `json:"related,omitempty"`
}

type jsonFix struct {
	Message string     `json:"message"`
	Edits   []jsonEdit `json:"edits"`
}

type jsonEdit struct {
	Filename string `json:"filename"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	New      string `json:"new"`
}

type jsonRelated struct {
	Posn    string `json:"posn"`
	End     string `json:"end"`
	Message string `json:"message"`
}

type jsonError struct {
	Err string `json:"error"`
}

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
		list, _ := m[f.analyzer.Name].([]jsonDiagnostic)
		m[f.analyzer.Name] = append(list, toJSON(f))
	}
	errs := make(map[string][]string)
	for _, p := range problems {
		if p.warning {
			m := entry(p.pkgID)
			list, _ := m[jsonWarningKey].([]jsonDiagnostic)
			posn := p.posn.String()
			m[jsonWarningKey] = append(list, jsonDiagnostic{Category: internalerr.CategoryLimit, Posn: posn, End: posn, Message: p.msg})
			continue
		}
		errs[p.pkgID] = append(errs[p.pkgID], p.String())
	}
	for id, lines := range errs {
		entry(id)[jsonErrorKey] = jsonError{strings.Join(lines, "\n")}
	}
	data, err := json.MarshalIndent(tree, "", "\t")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func toJSON(f finding) jsonDiagnostic {
	fset, d := f.fset, f.diag
	posn := func(p token.Pos) string { return fset.Position(p).String() }
	out := jsonDiagnostic{
		Category: d.Category,
		Posn:     posn(d.Pos),
		End:      posn(cmp.Or(d.End, d.Pos)),
		Message:  d.Message,
		Excused:  trace.ExceptionOf(d),
	}
	for _, fix := range d.SuggestedFixes {
		jf := jsonFix{Message: fix.Message}
		for _, e := range fix.TextEdits {
			jf.Edits = append(jf.Edits, jsonEdit{
				Filename: fset.Position(e.Pos).Filename,
				Start:    fset.Position(e.Pos).Offset,
				End:      fset.Position(e.End).Offset,
				New:      string(e.NewText),
			})
		}
		out.SuggestedFixes = append(out.SuggestedFixes, jf)
	}
	for _, r := range d.Related {
		out.Related = append(out.Related, jsonRelated{Posn: posn(r.Pos), End: posn(cmp.Or(r.End, r.Pos)), Message: r.Message})
	}
	return out
}
