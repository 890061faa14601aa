package lspproxy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/lintdirective"
)

// changeDelay is how long edits must pause before the unsaved buffer
// is analyzed.
const changeDelay = 500 * time.Millisecond

// Invoked reports whether the command line argv asks for the proxy:
// `sharedvet gopls ARGS`, or the executable called by a name ending in
// gopls (a link an editor runs as its gopls). It returns the arguments
// meant for gopls.
func Invoked(argv []string) ([]string, bool) {
	if len(argv) >= 2 && argv[1] == "gopls" {
		return argv[2:], true
	}
	if len(argv) >= 1 && strings.HasSuffix(strings.TrimSuffix(filepath.Base(argv[0]), ".exe"), "gopls") {
		return argv[1:], true
	}
	return nil, false
}

// Main runs the proxy on standard input and output with the arguments
// for gopls (less -gopls=PATH, the proxy's own) and returns the exit
// status. analyzers are the checks go vet runs; they name the
// documentation each diagnostic links to.
func Main(args []string, analyzers []*analysis.Analyzer) int {
	return run(context.Background(), args, analyzers, os.Stdin, os.Stdout, os.Stderr)
}

func run(ctx context.Context, args []string, analyzers []*analysis.Analyzer, stdin io.Reader, stdout, stderr io.Writer) int {
	goplsFlag, goplsArgs := splitArgs(args)
	gopls, err := findGopls(goplsFlag)
	if err != nil {
		fmt.Fprintf(stderr, "sharedvet gopls: %v\n", err)
		return 1
	}
	if !servesLSP(goplsArgs) {
		// gopls version, gopls check, ...: editors run these to learn
		// about their gopls; there is no session to join.
		return passThrough(gopls, goplsArgs, stdin, stdout, stderr)
	}
	if err := serve(ctx, gopls, goplsArgs, analyzers, stdin, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "sharedvet gopls: %v\n", err)
		return 1
	}
	return 0
}

// serve runs gopls with args and relays the session between it and the
// editor until gopls exits. It returns an error unless the session
// ended as the editor asked (exit, or closing its end) and gopls exited
// cleanly.
func serve(ctx context.Context, gopls string, args []string, analyzers []*analysis.Analyzer, stdin io.Reader, stdout, stderr io.Writer) error {
	tmp, err := os.MkdirTemp("", "sharedvet-gopls")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	vettool, err := vetTool(tmp)
	if err != nil {
		return err
	}
	cmd := exec.Command(gopls, args...)
	cmd.Stderr = stderr
	toGopls, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	fromGopls, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %v", gopls, err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := newProxy(analyzers, &frameWriter{w: stdout}, &frameWriter{w: toGopls})
	p.readOnlyDirs = goEnvDirs("GOROOT", "GOMODCACHE")
	p.engine = newEngine(ctx, "go", vettool, tmp)
	p.engine.snapshot = p.snapshot
	p.engine.done = p.publishFindings
	p.engine.logf = p.logf

	editorErr := make(chan error, 1)
	go func() {
		err := p.relayEditor(bufio.NewReader(stdin))
		p.mu.Lock()
		p.editorGone = true
		p.mu.Unlock()
		editorErr <- err
		// gopls exits when its input ends.
		toGopls.Close()
	}()
	goplsErr := p.relayGopls(bufio.NewReader(fromGopls))
	waitErr := cmd.Wait()
	p.engine.stop()
	cancel()
	if p.exitRequested() || p.lostEditor() {
		select {
		case err := <-editorErr:
			if err != nil {
				return fmt.Errorf("reading from the editor: %v", err)
			}
		default:
		}
		return waitErr
	}
	// The editor restarts a server that exits; say why this one did.
	msg := fmt.Sprintf("gopls exited unexpectedly (%v)", exitStatus(waitErr))
	if goplsErr != nil {
		msg = fmt.Sprintf("reading from gopls: %v", goplsErr)
	}
	p.notify("window/showMessage", protocol.ShowMessageParams{
		Type:    protocol.MessageTypeError,
		Message: "sharedvet gopls: " + msg + "; restart the language server",
	})
	return errors.New(msg)
}

func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// A proxy holds what it relays and what it adds.
type proxy struct {
	toEditor, toGopls *frameWriter
	engine            *engine
	checks            map[string]bool   // names of the checks, for the settings
	urls              map[string]string // documentation by check

	pubMu sync.Mutex // orders the diagnostics published for one file

	mu       sync.Mutex
	docs     map[string]*openFile  // the editor's open files, by path
	files    map[string]*fileState // diagnostics, by path
	pending  map[jsonrpc2.ID]asked // the editor's requests whose answers gain sharedvet's part
	onChange bool                  // analyze unsaved edits after a pause
	exit     bool                  // the editor sent exit
	// editorGone: the editor closed its end (then gopls exits too).
	editorGone bool

	// readOnlyDirs hold code the user does not edit (GOROOT, the module
	// cache), opened by going to a definition: it is not analyzed.
	readOnlyDirs []string

	configurable bool                 // the editor answers workspace/configuration
	ownCalls     map[jsonrpc2.ID]bool // the proxy's requests to the editor, awaiting answers
	nextCall     int
	goplsAsks    map[jsonrpc2.ID]int // gopls's workspace/configuration requests: index of the "gopls" item
}

// A fileState is what each side last reported for one file.
type fileState struct {
	uri      string            // as the editor or gopls spells it
	gopls    []json.RawMessage // gopls's last list, as it sent it
	findings []finding         // sharedvet's last findings
}

// An asked is an editor's request the proxy adds to the answer of.
type asked struct {
	method string
	path   string
	rng    protocol.Range
	only   []protocol.CodeActionKind
}

func newProxy(analyzers []*analysis.Analyzer, toEditor, toGopls *frameWriter) *proxy {
	p := &proxy{
		toEditor:  toEditor,
		toGopls:   toGopls,
		checks:    map[string]bool{},
		urls:      map[string]string{},
		docs:      map[string]*openFile{},
		files:     map[string]*fileState{},
		pending:   map[jsonrpc2.ID]asked{},
		ownCalls:  map[jsonrpc2.ID]bool{},
		goplsAsks: map[jsonrpc2.ID]int{},
		onChange:  true,
	}
	// lintdirective runs under go vet beside the checks.
	for _, a := range append(analyzers, lintdirective.New(analyzers)) {
		p.checks[a.Name] = true
		p.urls[a.Name] = a.URL
	}
	return p
}

// relayEditor relays the editor's messages to gopls until the editor
// closes its end. A message that is not JSON-RPC is dropped and logged:
// gopls would close the connection on it.
func (p *proxy) relayEditor(r *bufio.Reader) error {
	return relay(r, p.toGopls, p.fromEditor, func(body []byte, err error) []byte {
		p.logf(protocol.MessageTypeError, "sharedvet gopls: dropped a malformed message from the editor (%v): %.200q", err, body)
		return nil
	})
}

// relayGopls relays gopls's messages to the editor until gopls closes
// its end. What the proxy cannot decode goes on as it came.
func (p *proxy) relayGopls(r *bufio.Reader) error {
	return relay(r, p.toEditor, p.fromGopls, func(body []byte, _ error) []byte { return body })
}

// relay copies messages from r to w until r ends, passing each through
// handle, or malformed if it is not JSON-RPC; they return what to send
// (nil: nothing).
func relay(r *bufio.Reader, w *frameWriter, handle func(jsonrpc2.Message, []byte) []byte, malformed func([]byte, error) []byte) error {
	for {
		body, err := readFrame(r)
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if msg, err := jsonrpc2.DecodeMessage(body); err != nil {
			body = malformed(body, err)
		} else {
			body = handle(msg, body)
		}
		if body == nil {
			continue
		}
		if err := w.write(body); err != nil {
			return err
		}
	}
}

// fromEditor observes a message of the editor and returns what to send
// gopls: body itself, unless the message carries sharedvet's settings,
// or nil for an answer to the proxy's own request.
func (p *proxy) fromEditor(msg jsonrpc2.Message, body []byte) []byte {
	switch m := msg.(type) {
	case *jsonrpc2.Response:
		if p.answered(m) {
			return nil
		}
		p.goplsSettingsAnswered(m)
	case *jsonrpc2.Call:
		switch m.Method() {
		case "initialize":
			return p.initialize(m, body)
		case "textDocument/codeAction":
			var params protocol.CodeActionParams
			if protocol.Unmarshal(m.Params(), &params) == nil {
				p.ask(m.ID(), asked{method: m.Method(), path: pathOf(string(params.TextDocument.URI)), rng: params.Range, only: params.Context.Only})
			}
		case "textDocument/diagnostic":
			var params protocol.DocumentDiagnosticParams
			if protocol.Unmarshal(m.Params(), &params) == nil {
				p.ask(m.ID(), asked{method: m.Method(), path: pathOf(string(params.TextDocument.URI))})
			}
		}
	case *jsonrpc2.Notification:
		p.observe(m)
	}
	return body
}

func (p *proxy) ask(id jsonrpc2.ID, a asked) {
	p.mu.Lock()
	p.pending[id] = a
	p.mu.Unlock()
}

// observe tracks the editor's buffers and schedules analyses.
func (p *proxy) observe(m *jsonrpc2.Notification) {
	switch m.Method() {
	case "textDocument/didOpen":
		var params protocol.DidOpenTextDocumentParams
		if protocol.Unmarshal(m.Params(), &params) != nil {
			return
		}
		d := params.TextDocument
		path := pathOf(string(d.URI))
		if path == "" || !strings.HasSuffix(path, ".go") || p.readOnly(path) {
			return
		}
		p.mu.Lock()
		p.docs[path] = &openFile{path: path, uri: string(d.URI), version: d.Version, text: []byte(d.Text)}
		p.mu.Unlock()
		p.engine.schedule(filepath.Dir(path), 0)
	case "textDocument/didChange":
		var params protocol.DidChangeTextDocumentParams
		if protocol.Unmarshal(m.Params(), &params) != nil {
			return
		}
		path := pathOf(string(params.TextDocument.URI))
		p.mu.Lock()
		d, ok := p.docs[path]
		if ok {
			d.version = params.TextDocument.Version
			for _, c := range params.ContentChanges {
				switch c := c.(type) {
				case *protocol.TextDocumentContentChangeWholeDocument:
					d.text = []byte(c.Text)
				case *protocol.TextDocumentContentChangePartial:
					d.text = replaceRange(d.text, c.Range, c.Text)
				}
			}
		}
		onChange := p.onChange
		p.mu.Unlock()
		if ok && onChange {
			p.engine.schedule(filepath.Dir(path), changeDelay)
		}
	case "textDocument/didSave":
		var params protocol.DidSaveTextDocumentParams
		if protocol.Unmarshal(m.Params(), &params) != nil {
			return
		}
		path := pathOf(string(params.TextDocument.URI))
		p.mu.Lock()
		d, ok := p.docs[path]
		if ok && params.Text != nil {
			d.text = []byte(*params.Text)
		}
		p.mu.Unlock()
		if ok {
			p.engine.schedule(filepath.Dir(path), 0)
		}
	case "textDocument/didClose":
		var params protocol.DidCloseTextDocumentParams
		if protocol.Unmarshal(m.Params(), &params) != nil {
			return
		}
		path := pathOf(string(params.TextDocument.URI))
		p.mu.Lock()
		d, ok := p.docs[path]
		delete(p.docs, path)
		p.mu.Unlock()
		// Closing without saving reverts to the disk: analyze that.
		if disk, err := os.ReadFile(path); ok && (err != nil || string(disk) != string(d.text)) {
			p.engine.schedule(filepath.Dir(path), 0)
		}
	case "workspace/didChangeWatchedFiles":
		var params protocol.DidChangeWatchedFilesParams
		if protocol.Unmarshal(m.Params(), &params) != nil {
			return
		}
		for _, dir := range p.watchedDirs(params.Changes) {
			p.engine.schedule(dir, changeDelay)
		}
	case "initialized", "workspace/didChangeConfiguration":
		p.requestSettings()
	case "exit":
		p.mu.Lock()
		p.exit = true
		p.mu.Unlock()
	}
}

func (p *proxy) exitRequested() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exit
}

func (p *proxy) lostEditor() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.editorGone
}

// watchedDirs returns the package directories to analyze again after
// Go files changed on disk (a branch switch, a generator, another
// tool): those with files open or with findings published, since the
// others are not on the user's screen. Open files are left out: the
// editor reports their saves as didSave.
func (p *proxy) watchedDirs(changes []protocol.FileEvent) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	shown := map[string]bool{}
	for path := range p.docs {
		shown[filepath.Dir(path)] = true
	}
	for path, st := range p.files {
		if len(st.findings) > 0 {
			shown[filepath.Dir(path)] = true
		}
	}
	dirs := map[string]bool{}
	for _, c := range changes {
		path := pathOf(string(c.URI))
		if p.docs[path] != nil {
			// Its saves come as didSave, which this must not cancel.
			continue
		}
		if strings.HasSuffix(path, ".go") && shown[filepath.Dir(path)] {
			dirs[filepath.Dir(path)] = true
		}
	}
	return sortedKeys(dirs)
}

// readOnly reports whether path is in one of p.readOnlyDirs.
func (p *proxy) readOnly(path string) bool {
	for _, dir := range p.readOnlyDirs {
		if rel, err := filepath.Rel(dir, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// goEnvDirs returns the directories the go command names for vars
// (GOROOT, GOMODCACHE), leaving out the ones it cannot tell.
func goEnvDirs(vars ...string) []string {
	out, err := exec.Command("go", append([]string{"env"}, vars...)...).Output()
	if err != nil {
		return nil
	}
	var dirs []string
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			dirs = append(dirs, filepath.Clean(line))
		}
	}
	return dirs
}

// snapshot returns a copy of the editor's open files.
func (p *proxy) snapshot() []openFile {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]openFile, 0, len(p.docs))
	for _, d := range p.docs {
		out = append(out, *d)
	}
	return out
}

// fromGopls merges sharedvet's part into gopls's diagnostics and into
// its answers to the requests the proxy noted, and returns what to send
// the editor (nil if it sent it already).
func (p *proxy) fromGopls(msg jsonrpc2.Message, body []byte) []byte {
	switch m := msg.(type) {
	case *jsonrpc2.Notification:
		if m.Method() == "textDocument/publishDiagnostics" {
			return p.goplsDiagnostics(json.RawMessage(m.Params()), body)
		}
	case *jsonrpc2.Call:
		if m.Method() == "workspace/configuration" {
			p.goplsAsksSettings(m)
		}
	case *jsonrpc2.Response:
		p.mu.Lock()
		a, ok := p.pending[m.ID()]
		delete(p.pending, m.ID())
		p.mu.Unlock()
		if ok && m.Err() == nil {
			return p.mergeAnswer(m, a, body)
		}
	}
	return body
}

// notify sends the editor a notification of the proxy's own.
func (p *proxy) notify(method string, params any) {
	data, err := protocol.Marshal(params)
	if err != nil {
		return
	}
	out, err := jsonrpc2.EncodeMessage(jsonrpc2.NewNotification(method, data))
	if err != nil {
		return
	}
	p.toEditor.write(out)
}

// logf writes to the editor's log of this language server.
func (p *proxy) logf(typ protocol.MessageType, format string, args ...any) {
	p.notify("window/logMessage", protocol.LogMessageParams{Type: typ, Message: fmt.Sprintf(format, args...)})
}

// pathOf returns the file path of a file: URI, or "".
func pathOf(u string) string {
	if !strings.HasPrefix(u, "file:") {
		return ""
	}
	path := uri.URI(u).FsPath()
	if path == "" {
		return ""
	}
	return filepath.Clean(path)
}

func fileURI(path string) string { return string(uri.File(path)) }

func protocolURI(s string) uri.URI { return uri.URI(s) }

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

var errNoGopls = errors.New("cannot find gopls: install it (go install golang.org/x/tools/gopls@latest), or name it with -gopls=PATH or $SHAREDVET_GOPLS")
