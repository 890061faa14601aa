package lspproxy

import (
	"encoding/json"
	"path/filepath"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// source names sharedvet's diagnostics in the editor.
const source = "sharedvet"

// publishParams is textDocument/publishDiagnostics's parameters with
// gopls's diagnostics kept as it sent them.
type publishParams struct {
	URI         string            `json:"uri"`
	Version     json.RawMessage   `json:"version,omitempty"`
	Diagnostics []json.RawMessage `json:"diagnostics"`
}

// goplsDiagnostics remembers gopls's list for a file and returns the
// notification to send the editor: gopls's own if sharedvet has nothing
// to add, the union otherwise. It sends it itself, under pubMu, so that
// it cannot overtake a later union for the same file.
func (p *proxy) goplsDiagnostics(params json.RawMessage, body []byte) []byte {
	var pd publishParams
	if json.Unmarshal(params, &pd) != nil {
		return body
	}
	path := pathOf(pd.URI)
	if path == "" {
		return body
	}
	p.pubMu.Lock()
	defer p.pubMu.Unlock()
	p.mu.Lock()
	st := p.file(path, pd.URI)
	st.gopls = pd.Diagnostics
	out := body
	if len(st.findings) > 0 {
		out = p.unionLocked(st, pd.Version)
	}
	p.mu.Unlock()
	if out != nil {
		p.toEditor.write(out)
	}
	return nil
}

// publishFindings replaces sharedvet's findings in the package in dir
// and publishes the union for each file whose findings changed.
func (p *proxy) publishFindings(dir string, fs []finding, elapsed time.Duration) {
	byPath := map[string][]finding{}
	for _, f := range fs {
		byPath[f.path] = append(byPath[f.path], f)
	}
	p.pubMu.Lock()
	defer p.pubMu.Unlock()
	p.mu.Lock()
	var out [][]byte
	for path, st := range p.files {
		if filepath.Dir(path) == dir && len(st.findings) > 0 && byPath[path] == nil {
			st.findings = nil
			out = append(out, p.unionLocked(st, nil))
		}
	}
	for _, path := range sortedKeys(byPath) {
		st := p.file(path, "")
		st.findings = byPath[path]
		out = append(out, p.unionLocked(st, nil))
	}
	p.mu.Unlock()
	for _, msg := range out {
		if msg != nil {
			p.toEditor.write(msg)
		}
	}
}

// file returns the state of path, made on first use. u is the file's
// URI as the caller knows it, or "".
func (p *proxy) file(path, u string) *fileState {
	st := p.files[path]
	if st == nil {
		st = &fileState{}
		p.files[path] = st
	}
	if st.uri == "" {
		st.uri = u
	}
	if st.uri == "" {
		if d := p.docs[path]; d != nil {
			st.uri = d.uri
		} else {
			st.uri = fileURI(path)
		}
	}
	return st
}

// unionLocked encodes the publishDiagnostics notification of gopls's
// last list and sharedvet's findings for st. The caller holds p.mu.
func (p *proxy) unionLocked(st *fileState, version json.RawMessage) []byte {
	params := publishParams{URI: st.uri, Version: version, Diagnostics: make([]json.RawMessage, 0, len(st.gopls)+len(st.findings))}
	params.Diagnostics = append(params.Diagnostics, st.gopls...)
	for _, f := range st.findings {
		d, err := protocol.Marshal(p.diagnostic(f))
		if err != nil {
			continue
		}
		params.Diagnostics = append(params.Diagnostics, d)
	}
	data, err := json.Marshal(params)
	if err != nil {
		return nil
	}
	out, err := jsonrpc2.EncodeMessage(jsonrpc2.NewNotification("textDocument/publishDiagnostics", data))
	if err != nil {
		return nil
	}
	return out
}

// diagnostic returns the LSP diagnostic of a finding: the check's
// category as its code, linked to the check's documentation.
func (p *proxy) diagnostic(f finding) protocol.Diagnostic {
	code := f.category
	if code == "" {
		code = f.check
	}
	d := protocol.Diagnostic{
		Range:              f.rng,
		Severity:           severity(f),
		Code:               protocol.String(code),
		Source:             protocol.NewOptional(source),
		Message:            protocol.String(f.message),
		RelatedInformation: f.related,
	}
	if u := p.urls[f.check]; u != "" {
		d.CodeDescription = protocol.CodeDescription{Href: uri.URI(u)}
	}
	return d
}

// severities are the severities of categories that are not warnings:
// lockchan's deadlock tier is an error (the program can hang), its
// opt-in stall tier stays a warning, and an unused directive is
// information (it hides nothing).
var severities = map[string]protocol.DiagnosticSeverity{
	"lockchan-deadlock":    protocol.DiagnosticSeverityError,
	"lintdirective-unused": protocol.DiagnosticSeverityInformation,
}

// severity returns the severity of a finding by its category: a
// warning unless severities says otherwise.
func severity(f finding) protocol.DiagnosticSeverity {
	if s, ok := severities[f.category]; ok {
		return s
	}
	return protocol.DiagnosticSeverityWarning
}

// mergeAnswer adds sharedvet's part to gopls's answer to a request the
// proxy noted, and returns the answer to send the editor.
func (p *proxy) mergeAnswer(m *jsonrpc2.Response, a asked, body []byte) []byte {
	var extra []json.RawMessage
	switch a.method {
	case "textDocument/codeAction":
		extra = p.codeActions(a)
	case "textDocument/diagnostic":
		return p.mergePull(m, a, body)
	}
	if len(extra) == 0 {
		return body
	}
	var items []json.RawMessage
	if r := m.Result(); len(r) > 0 && string(r) != "null" {
		if json.Unmarshal(r, &items) != nil {
			return body
		}
	}
	return p.answer(m.ID(), append(items, extra...), body)
}

// answer encodes a response with result, or returns fallback if it
// cannot.
func (p *proxy) answer(id jsonrpc2.ID, result any, fallback []byte) []byte {
	data, err := json.Marshal(result)
	if err != nil {
		return fallback
	}
	out, err := jsonrpc2.EncodeMessage(jsonrpc2.NewResponse(id, data, nil))
	if err != nil {
		return fallback
	}
	return out
}

// codeActions returns sharedvet's quick fixes for its findings in the
// requested range, as code actions carrying workspace edits.
func (p *proxy) codeActions(a asked) []json.RawMessage {
	if !wantsQuickFix(a.only) {
		return nil
	}
	p.mu.Lock()
	var fs []finding
	if st := p.files[a.path]; st != nil {
		fs = st.findings
	}
	p.mu.Unlock()
	var out []json.RawMessage
	kind := protocol.CodeActionKindQuickFix
	for _, f := range fs {
		if !overlaps(f.rng, a.rng) {
			continue
		}
		for _, fix := range f.fixes {
			edit := &protocol.WorkspaceEdit{}
			for _, fe := range fix.files {
				elems := make([]protocol.TextDocumentEditElement, len(fe.edits))
				for i := range fe.edits {
					elems[i] = &fe.edits[i]
				}
				edit.DocumentChanges = append(edit.DocumentChanges, &protocol.TextDocumentEdit{
					TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
						TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri.URI(fe.uri)},
						Version:                fe.version,
					},
					Edits: elems,
				})
			}
			preferred := len(f.fixes) == 1
			action := protocol.CodeAction{
				Title:       fix.title,
				Kind:        &kind,
				Diagnostics: []protocol.Diagnostic{p.diagnostic(f)},
				IsPreferred: &preferred,
				Edit:        edit,
			}
			if data, err := protocol.Marshal(action); err == nil {
				out = append(out, data)
			}
		}
	}
	return out
}

// wantsQuickFix reports whether a code action request that lists the
// kinds in only accepts quick fixes.
func wantsQuickFix(only []protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == "" || k == protocol.CodeActionKindQuickFix {
			return true
		}
	}
	return false
}

// overlaps reports whether two ranges share a position; a range that
// only touches another (a cursor at a diagnostic's end) counts.
func overlaps(a, b protocol.Range) bool {
	return !less(a.End, b.Start) && !less(b.End, a.Start)
}

func less(a, b protocol.Position) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Character < b.Character
}

// mergePull adds sharedvet's findings to a full report of pull
// diagnostics: one with items (gopls v0.23 leaves its kind empty). An
// "unchanged" report is left as it is: the editor keeps its last list,
// and the pushed diagnostics carry sharedvet's.
func (p *proxy) mergePull(m *jsonrpc2.Response, a asked, body []byte) []byte {
	var report map[string]json.RawMessage
	if json.Unmarshal(m.Result(), &report) != nil || report["items"] == nil || string(report["kind"]) == `"unchanged"` {
		return body
	}
	var items []json.RawMessage
	if json.Unmarshal(report["items"], &items) != nil {
		items = nil
	}
	p.mu.Lock()
	var fs []finding
	if st := p.files[a.path]; st != nil {
		fs = st.findings
	}
	p.mu.Unlock()
	if len(fs) == 0 {
		return body
	}
	for _, f := range fs {
		if d, err := protocol.Marshal(p.diagnostic(f)); err == nil {
			items = append(items, d)
		}
	}
	data, err := json.Marshal(items)
	if err != nil {
		return body
	}
	report["items"] = data
	return p.answer(m.ID(), report, body)
}
