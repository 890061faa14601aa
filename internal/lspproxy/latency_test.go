package lspproxy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSaveLatency measures, on a file of a real module named by
// $SHAREDVET_LATENCY_FILE, the time from didSave to the end of
// sharedvet's analysis (its "analyzed" log line, sent right after the
// diagnostics), over 5 saves that each change the file. It edits the
// file: point it at a copy. The README's Editors section quotes it.
//
//	SHAREDVET_LATENCY_FILE=/tmp/grpc/clientconn.go go test -run TestSaveLatency -v ./internal/lspproxy
func TestSaveLatency(t *testing.T) {
	file := os.Getenv("SHAREDVET_LATENCY_FILE")
	if file == "" {
		t.Skip("set SHAREDVET_LATENCY_FILE to a Go file in a copy of a module")
	}
	gopls := testGopls(t)
	sv := testSharedvet(t)
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(file, orig, 0o644)
	dir := filepath.Dir(file)
	uri := fileURI(file)
	c := startClient(t, dir, sv, "gopls", "-gopls="+gopls)
	c.initialize(dir, nil)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "go", "version": 1, "text": string(orig)}})
	analyses := func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		return strings.Count(strings.Join(c.logs, "\n"), "sharedvet gopls: analyzed ")
	}
	c.waitLog("sharedvet gopls: analyzed ")
	var times []string
	for i := 1; i <= 5; i++ {
		text := fmt.Sprintf("%s\n// edit %d %d\n", orig, i, time.Now().UnixNano())
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": 1 + i},
			"contentChanges": []any{map[string]any{"text": text}},
		})
		os.WriteFile(file, []byte(text), 0o644)
		n := analyses()
		start := time.Now()
		c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}})
		for analyses() == n {
			time.Sleep(5 * time.Millisecond)
		}
		times = append(times, time.Since(start).Round(time.Millisecond).String())
	}
	t.Logf("save to diagnostics, %s: %s", file, strings.Join(times, " "))
	c.shutdown()
}
