package lspproxy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRobustness checks that an analysis error is logged while gopls's
// traffic goes on, that opening a file analyzes its package only, and
// that gopls exiting ends the proxy with a message and status 1.
func TestRobustness(t *testing.T) {
	gopls := testGopls(t)
	sv := testSharedvet(t)
	dir, file := writeFixture(t)
	uri := fileURI(file)
	// A second package with a finding: never analyzed, as never opened.
	other := filepath.Join(dir, "other", "other.go")
	os.MkdirAll(filepath.Dir(other), 0o755)
	os.WriteFile(other, []byte("package other\n\nimport \"sync/atomic\"\n\nvar n int64\n\nfunc Inc() { atomic.AddInt64(&n, 1) }\n\nfunc Get() int64 { return n }\n"), 0o644)

	// A wrapper that tells the test gopls's process ID.
	pidFile := filepath.Join(t.TempDir(), "pid")
	wrapper := filepath.Join(t.TempDir(), "gopls")
	os.WriteFile(wrapper, []byte("#!/bin/sh\necho $$ > "+pidFile+"\nexec "+gopls+" \"$@\"\n"), 0o755)

	c := startClient(t, dir, sv, "gopls", "-gopls="+wrapper)
	// An unknown analyzer flag makes every go vet run fail. It comes
	// from the editor's settings, which replace initializationOptions.
	c.settings = map[string]any{"sharedvet": map[string]any{
		"flags": map[string]any{"lockchan": map[string]any{"nosuchflag": 1}}}}
	c.initialize(dir, map[string]any{"sharedvet": map[string]any{"disable": []string{"atomicmix"}}})
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "go", "version": 1, "text": fixture}})
	c.waitLog("nosuchflag")
	c.mu.Lock()
	logs := strings.Join(c.logs, "\n")
	c.mu.Unlock()
	if !strings.Contains(logs, "window/logMessage 1: sharedvet gopls: analysis of "+dir+" failed: go vet -vettool="+sv+" -json -report-dependencies -lockchan.nosuchflag=1 .") {
		t.Errorf("analysis error not logged as an error, or initializationOptions not replaced by the settings:\n%s", logs)
	}
	c.waitFor("gopls's diagnostics despite the analysis error", uri, hasOther)
	hover := c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 8, "character": 6}})
	if !strings.Contains(string(hover), "Stats") {
		t.Errorf("hover after an analysis error = %s", hover)
	}
	if strings.Contains(logs, filepath.Join(dir, "other")) {
		t.Errorf("opening fx.go analyzed another package:\n%s", logs)
	}
	c.mu.Lock()
	for u, ds := range c.diags {
		if hasSource(ds, source, "") {
			t.Errorf("sharedvet diagnostics for %s after a failed analysis: %+v", u, ds)
		}
	}
	c.mu.Unlock()

	// gopls dies: the proxy says so and exits 1, so the editor restarts it.
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the proxy did not exit after gopls died")
	}
	c.mu.Lock()
	code, logs := c.exitCode, strings.Join(c.logs, "\n")
	c.mu.Unlock()
	if code != 1 || !strings.Contains(logs, "window/showMessage 1: sharedvet gopls: gopls exited unexpectedly") {
		t.Errorf("after gopls died: exit status %d, logs:\n%s", code, logs)
	}
}

// TestMissingGopls checks that a missing gopls is named on stderr.
func TestMissingGopls(t *testing.T) {
	sv := testSharedvet(t)
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"gopls", "-gopls=/nonexistent/gopls"}, nil, "/nonexistent/gopls"},
		{[]string{"gopls"}, []string{"PATH=/nonexistent", "GOBIN=", "GOPATH=" + t.TempDir(), "SHAREDVET_GOPLS="}, "cannot find gopls"},
	} {
		cmd := exec.Command(sv, tc.args...)
		cmd.Env = append(os.Environ(), tc.env...)
		out, err := cmd.CombinedOutput()
		if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: %v, output %q; want exit status 1 and %q", tc.args, err, out, tc.want)
		}
	}
}

// TestEditorCloses checks that an editor closing its end of the
// session (without shutdown) ends gopls and the proxy quietly, and that
// a gopls subcommand other than serve runs as gopls itself.
func TestEditorCloses(t *testing.T) {
	gopls := testGopls(t)
	sv := testSharedvet(t)
	cmd := exec.Command(sv, "gopls", "-gopls="+gopls, "-mode=stdio")
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Errorf("with the editor's input closed: %v, output %q; want exit status 0 and nothing", err, out)
	}
	out, err = exec.Command(sv, "gopls", "-gopls="+gopls, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "golang.org/x/tools/gopls") {
		t.Errorf("gopls version through the proxy: %v, %q", err, out)
	}
}

// TestAnalysisDoesNotBlock checks that gopls's traffic flows while an
// analysis runs: a wrapper on PATH holds go vet until the test has
// gopls's answer to a hover (or 30 s pass).
func TestAnalysisDoesNotBlock(t *testing.T) {
	gopls := testGopls(t)
	sv := testSharedvet(t)
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	release := filepath.Join(bin, "release")
	wrapper := "#!/bin/sh\nif [ \"$1\" = vet ]; then\n\ti=0\n\twhile [ ! -e " + release + " ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\nfi\nexec " + realGo + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir, file := writeFixture(t)
	uri := fileURI(file)
	c := startClient(t, dir, sv, "gopls", "-gopls="+gopls)
	c.initialize(dir, nil)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "go", "version": 1, "text": fixture}})
	start := time.Now()
	hover := c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 8, "character": 6}})
	took := time.Since(start)
	c.mu.Lock()
	analyzed := strings.Contains(strings.Join(c.logs, "\n"), "sharedvet gopls: analyzed ")
	c.mu.Unlock()
	if !strings.Contains(string(hover), "Stats") || analyzed {
		t.Errorf("hover during the analysis = %s after %v (analysis already done: %v)", hover, took, analyzed)
	}
	os.WriteFile(release, nil, 0o644)
	c.waitLog("sharedvet gopls: analyzed ")
	c.shutdown()
}
