package lspproxy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
)

// fakeGo is a go command that logs each start of go vet to
// $FAKEGO_LOG, and the end of its child's $FAKEGO_SLEEP seconds of
// work, for the engine's tests.
const fakeGo = `#!/bin/sh
# go list, asked for the package analyzed, is not an analysis.
if [ "$1" = list ]; then echo example.com/fake; exit 0; fi
echo "start $$" >> "$FAKEGO_LOG"
# The work happens in a child, as go vet's tool does.
sh -c 'sleep "$FAKEGO_SLEEP"; echo "end" >> "$FAKEGO_LOG"'

echo '{}'
`

// TestEngineSchedule checks that requests during a pause coalesce into
// one analysis, and that a request while an analysis runs cancels it:
// only the newest analysis reports.
func TestEngineSchedule(t *testing.T) {
	dir := t.TempDir()
	goCmd := filepath.Join(dir, "go")
	log := filepath.Join(dir, "log")
	if err := os.WriteFile(goCmd, []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKEGO_LOG", log)
	t.Setenv("FAKEGO_SLEEP", "0.5")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newEngine(ctx, goCmd, "sharedvet", dir)
	e.snapshot = func() []openFile { return nil }
	var mu sync.Mutex
	done := 0
	e.done = func(string, []finding, time.Duration) { mu.Lock(); done++; mu.Unlock() }
	e.logf = func(typ protocol.MessageType, format string, args ...any) {
		if typ == protocol.MessageTypeError {
			t.Errorf(format, args...)
		}
	}
	count := func() (starts, ends, reports int) {
		data, _ := os.ReadFile(log)
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(string(data), "start"), strings.Count(string(data), "end"), done
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}

	// Three edits in a pause: one analysis.
	for range 3 {
		e.schedule(dir, 200*time.Millisecond)
	}
	waitUntil("one report", func() bool { _, _, r := count(); return r == 1 })
	if s, en, _ := count(); s != 1 || en != 1 {
		t.Errorf("after three requests in a pause: %d analyses started, %d finished; want 1, 1", s, en)
	}

	// A save while an analysis runs: the running one is killed, with
	// its child.
	e.schedule(dir, 0)
	waitUntil("the second analysis to start", func() bool { s, _, _ := count(); return s == 2 })
	e.schedule(dir, 0)
	waitUntil("the third report", func() bool { _, _, r := count(); return r == 2 })
	time.Sleep(800 * time.Millisecond) // a surviving child would end by now
	if s, en, r := count(); s != 3 || en != 2 || r != 2 {
		t.Errorf("after a request during an analysis: %d started, %d finished, %d reported; want 3, 2, 2 (the stale one killed)", s, en, r)
	}
}
