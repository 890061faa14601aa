package lspproxy

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nvimScript attaches `sharedvet gopls` to the current buffer with
// Neovim's built-in client, waits until the buffer has diagnostics of
// sharedvet and of gopls (or 60 s pass), and writes vim.diagnostic.get()
// to $OUT. Debian's Neovim (0.7) has vim.lsp.start_client; newer ones
// also have vim.lsp.config, which the README shows.
const nvimScript = `
local client = vim.lsp.start_client({
  name = 'sharedvet',
  cmd = { os.getenv('SV'), 'gopls', '-gopls=' .. os.getenv('GOPLS') },
  root_dir = vim.fn.getcwd(),
})
vim.lsp.buf_attach_client(0, client)
local function both()
  local mine, other = false, false
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.source == 'sharedvet' then mine = true else other = true end
  end
  return mine and other
end
vim.wait(60000, both, 100)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(out, { source = d.source or '', message = d.message, lnum = d.lnum, code = lsp.code or '' })
end
local f = io.open(os.getenv('OUT'), 'w')
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qall!')
`

// TestNeovim opens the fixture in a real editor, headless Neovim, with
// sharedvet gopls as its language server, and checks that
// vim.diagnostic.get() has sharedvet's diagnostic beside gopls's.
func TestNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("no nvim (apt-get install neovim; .ci/run installs it)")
	}
	gopls := testGopls(t)
	sv := testSharedvet(t)
	dir, _ := writeFixture(t)
	script := filepath.Join(t.TempDir(), "test.lua")
	out := filepath.Join(t.TempDir(), "diagnostics.json")
	if err := os.WriteFile(script, []byte(nvimScript), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "fx.go", "-c", "luafile "+script)
	cmd.Dir = dir
	// Neovim's own files go to temporary directories; the go command's
	// build cache stays where it was (XDG_CACHE_HOME would move it).
	cmd.Env = append(os.Environ(), "SV="+sv, "GOPLS="+gopls, "OUT="+out, "XDG_STATE_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir(), "GOCACHE="+goCache(t))
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nvim: %v\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var diags []struct {
		Source, Message, Code string
		Lnum                  int
	}
	if err := json.Unmarshal(data, &diags); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	var mine, other bool
	for _, d := range diags {
		if d.Source == source && d.Lnum == 12 && d.Code == "atomicmix-read" && strings.Contains(d.Message, "non-atomic read of `s.n`") {
			mine = true
		}
		if d.Source != source {
			other = true
		}
	}
	if !mine || !other {
		t.Errorf("vim.diagnostic.get() = %s, want sharedvet's atomicmix-read on line 13 and a gopls diagnostic", data)
	}
}
