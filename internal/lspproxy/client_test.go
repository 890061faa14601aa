package lspproxy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// A testClient is a scripted editor: it talks LSP to a language server
// process and records what the server publishes.
type testClient struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    *frameWriter
	stderr *strings.Builder

	mu       sync.Mutex
	nextID   int
	answers  map[int]chan json.RawMessage
	diags    map[string][]lspDiagnostic // latest list by URI
	logs     []string                   // window/logMessage and showMessage texts
	changed  chan struct{}              // closed and replaced on each notification
	exited   chan struct{}              // closed when the server's output ends
	exitCode int
	settings map[string]any // answers to workspace/configuration, by section
}

// lspDiagnostic is the part of a diagnostic the tests look at.
type lspDiagnostic struct {
	Range           lspRange `json:"range"`
	Source          string   `json:"source"`
	Severity        int      `json:"severity"`
	Code            any      `json:"code"`
	Message         string   `json:"message"`
	CodeDescription *struct {
		Href string `json:"href"`
	} `json:"codeDescription"`
	RelatedInformation []struct {
		Location struct {
			URI   string   `json:"uri"`
			Range lspRange `json:"range"`
		} `json:"location"`
		Message string `json:"message"`
	} `json:"relatedInformation"`
}

type lspRange struct {
	Start lspPosition `json:"start"`
	End   lspPosition `json:"end"`
}

type lspPosition struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// startClient starts the server command in dir and the client's reader.
func startClient(t *testing.T, dir string, name string, args ...string) *testClient {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &testClient{
		t: t, cmd: cmd, out: &frameWriter{w: in}, stderr: &strings.Builder{},
		answers: map[int]chan json.RawMessage{}, diags: map[string][]lspDiagnostic{},
		changed: make(chan struct{}), exited: make(chan struct{}),
	}
	cmd.Stderr = &lockedWriter{w: c.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go c.read(bufio.NewReader(out))
	t.Cleanup(func() {
		in.Close()
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("server stderr:\n%s", c.stderrText())
			c.mu.Lock()
			t.Logf("server log:\n%s", strings.Join(c.logs, "\n"))
			c.mu.Unlock()
		}
	})
	return c
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

func (c *testClient) stderrText() string {
	w := c.cmd.Stderr.(*lockedWriter)
	w.mu.Lock()
	defer w.mu.Unlock()
	return c.stderr.String()
}

// read records the server's messages and answers its requests.
func (c *testClient) read(r *bufio.Reader) {
	defer func() {
		err := c.cmd.Wait()
		c.mu.Lock()
		c.exitCode = 0
		if exit, ok := err.(*exec.ExitError); ok {
			c.exitCode = exit.ExitCode()
		}
		c.mu.Unlock()
		close(c.exited)
	}()
	for {
		body, err := readFrame(r)
		if err != nil {
			return
		}
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			c.t.Errorf("server sent malformed JSON: %v: %s", err, body)
			continue
		}
		switch {
		case msg.Method != "" && msg.ID != nil:
			c.answerServer(msg.ID, msg.Method, msg.Params)
		case msg.Method != "":
			c.notified(msg.Method, msg.Params)
		default:
			var id int
			json.Unmarshal(msg.ID, &id)
			c.mu.Lock()
			ch := c.answers[id]
			delete(c.answers, id)
			c.mu.Unlock()
			if ch != nil {
				if msg.Error != nil {
					ch <- json.RawMessage(`{"error":` + string(msg.Error) + `}`)
				} else {
					ch <- msg.Result
				}
			}
		}
	}
}

// answerServer answers gopls's requests as a minimal editor does.
func (c *testClient) answerServer(id json.RawMessage, method string, params json.RawMessage) {
	result := "null"
	if method == "workspace/configuration" {
		var p struct {
			Items []struct{ Section string }
		}
		json.Unmarshal(params, &p)
		var answers []any
		for _, it := range p.Items {
			c.mu.Lock()
			v, ok := c.settings[it.Section]
			c.mu.Unlock()
			if !ok {
				v = map[string]any{}
			}
			answers = append(answers, v)
		}
		data, _ := json.Marshal(answers)
		result = string(data)
	}
	c.out.write([]byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"result":%s}`, id, result)))
}

func (c *testClient) notified(method string, params json.RawMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch method {
	case "textDocument/publishDiagnostics":
		var p struct {
			URI         string          `json:"uri"`
			Diagnostics []lspDiagnostic `json:"diagnostics"`
		}
		if err := json.Unmarshal(params, &p); err != nil {
			c.t.Errorf("bad publishDiagnostics: %v", err)
		}
		c.diags[p.URI] = p.Diagnostics
	case "window/logMessage", "window/showMessage":
		var p struct {
			Type    int
			Message string
		}
		json.Unmarshal(params, &p)
		c.logs = append(c.logs, fmt.Sprintf("%s %d: %s", method, p.Type, p.Message))
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// call sends a request and waits for its answer.
func (c *testClient) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan json.RawMessage, 1)
	c.answers[id] = ch
	c.mu.Unlock()
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	select {
	case r := <-ch:
		return r
	case <-time.After(60 * time.Second):
		c.t.Fatalf("no answer to %s", method)
		return nil
	}
}

// notify sends a notification.
func (c *testClient) notify(method string, params any) {
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

func (c *testClient) send(msg any) {
	c.t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.out.write(data); err != nil {
		c.t.Fatalf("writing to the server: %v", err)
	}
}

// waitFor waits until cond holds of the latest diagnostics of uri.
func (c *testClient) waitFor(what, uri string, cond func([]lspDiagnostic) bool) []lspDiagnostic {
	c.t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		c.mu.Lock()
		ds, changed := c.diags[uri], c.changed
		c.mu.Unlock()
		if cond(ds) {
			return ds
		}
		select {
		case <-changed:
		case <-c.exited:
			c.t.Fatalf("server exited waiting for %s", what)
		case <-deadline:
			c.t.Fatalf("timed out waiting for %s; last diagnostics of %s: %+v", what, uri, ds)
		}
	}
}

// waitLog waits for a log message containing s.
func (c *testClient) waitLog(s string) {
	c.t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		c.mu.Lock()
		logs, changed := strings.Join(c.logs, "\n"), c.changed
		c.mu.Unlock()
		if strings.Contains(logs, s) {
			return
		}
		select {
		case <-changed:
		case <-c.exited:
			c.t.Fatalf("server exited waiting for log %q", s)
		case <-deadline:
			c.t.Fatalf("timed out waiting for log %q; logs:\n%s", s, logs)
		}
	}
}

// initialize runs the LSP handshake with the workspace dir.
func (c *testClient) initialize(dir string, options any) {
	c.t.Helper()
	r := c.call("initialize", map[string]any{
		"processId": os.Getpid(),
		"rootUri":   fileURI(dir),
		"capabilities": map[string]any{
			"textDocument": map[string]any{
				"publishDiagnostics": map[string]any{"relatedInformation": true, "codeDescriptionSupport": true},
				"codeAction":         map[string]any{"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix", "refactor", "source"}}}},
				"hover":              map[string]any{"contentFormat": []string{"plaintext"}},
				"diagnostic":         map[string]any{},
			},
			"workspace": map[string]any{"workspaceEdit": map[string]any{"documentChanges": true}, "configuration": true},
		},
		"initializationOptions": options,
		"workspaceFolders":      []map[string]any{{"uri": fileURI(dir), "name": filepath.Base(dir)}},
	})
	if strings.Contains(string(r), `"error"`) {
		c.t.Fatalf("initialize failed: %s", r)
	}
	c.notify("initialized", map[string]any{})
}

// shutdown ends the session as an editor does and returns the server's
// exit status.
func (c *testClient) shutdown() int {
	c.t.Helper()
	c.call("shutdown", nil)
	c.notify("exit", nil)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		c.t.Fatal("server did not exit after exit")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exitCode
}
