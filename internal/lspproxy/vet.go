package lspproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/sharedvet/sharedvet/internal/vetjson"
)

// The analysis runs sharedvet as a go vet tool on one package: the go
// command type-checks only that package from source, takes the export
// data and analysis facts of its dependencies from the build cache,
// and reads the editor's unsaved buffers from an -overlay file. On a
// warm cache this costs a fraction of a standalone run, which loads
// the whole dependency closure from source (see the README's Editors
// section for numbers).

// An openFile is the editor's copy of a file at the start of an
// analysis.
type openFile struct {
	path    string
	uri     string // as the editor spells it
	version int32
	text    []byte
}

// A finding is one sharedvet diagnostic, positioned in the text that
// was analyzed.
type finding struct {
	path     string
	check    string // the analyzer
	category string // unique across the suite, e.g. "lockchan-deadlock"
	message  string
	rng      protocol.Range
	related  []protocol.DiagnosticRelatedInformation
	fixes    []suggestedFix
}

// A suggestedFix is one fix of a finding: edits to apply all together.
type suggestedFix struct {
	title string
	files []fileEdits
}

// fileEdits are the edits of a fix in one file, and the version of the
// editor's document they apply to (nil for a file not open).
type fileEdits struct {
	uri     string
	version *int32
	edits   []protocol.TextEdit
}

// A buildError is a package that does not build or type-check: gopls
// reports why, so it is logged quietly.
type buildError struct{ msg string }

func (e *buildError) Error() string { return e.msg }

// vet analyzes the package in dir, seeing the editor's buffers open
// instead of the files on disk, and returns its findings.
func vet(ctx context.Context, goCmd, vettool string, cfg vetConfig, dir, tmpRoot string, open []openFile) ([]finding, error) {
	tmp, err := os.MkdirTemp(tmpRoot, "run")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ov, err := writeOverlay(tmp, open)
	if err != nil {
		return nil, err
	}
	var env []string
	if len(cfg.env) > 0 {
		env = append(os.Environ(), cfg.env...)
	}
	// The package in dir, so that go vet can be asked to print its
	// dependencies' findings too, which its cache then holds for when
	// they are opened (vetjson.ReportDepsFlag).
	roots, rootsErr := vetjson.Roots(ctx, goCmd, dir, env, cfg.build, []string{"."})
	args := append([]string{"vet"}, cfg.build...)
	args = append(args, "-vettool="+vettool, "-json")
	if rootsErr == nil {
		args = append(args, "-"+vetjson.ReportDepsFlag)
	}
	if len(ov.replace) > 0 {
		args = append(args, "-overlay="+filepath.Join(tmp, "overlay.json"))
	}
	args = append(append(args, cfg.flags...), ".")
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.WaitDelay = time.Second
	killGroup(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	fs, parseErr := parseVet(stdout.Bytes(), ov, roots)
	if runErr != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = runErr.Error()
		}
		if isBuildFailure(msg) {
			return nil, &buildError{msg}
		}
		return nil, fmt.Errorf("go %s: %s", strings.Join(args, " "), msg)
	}
	return fs, parseErr
}

// isBuildFailure reports whether go vet's stderr says only that the
// package does not build: "# pkg" headers and positioned errors
// ("./x.go:3:2: undefined: y", "vet: x.go:3:2: ..."), a package that
// cannot be loaded, or a file outside any module. A failing tool (a bad
// flag, a panic) says more.
func isBuildFailure(stderr string) bool {
	for _, line := range strings.Split(stderr, "\n") {
		switch {
		case line == "", strings.HasPrefix(line, "# "), vetjson.IsPositionedError(line),
			strings.Contains(line, "no required module provides"),
			strings.Contains(line, "build constraints exclude"),
			strings.Contains(line, "no Go files"),
			// A file outside any module: nothing to analyze it with.
			strings.Contains(line, "go.mod file not found"),
			strings.Contains(line, "cannot find main module"):
			continue
		}
		return false
	}
	return true
}

// An overlay maps files on disk to the temporary files holding the
// editor's unsaved text.
type overlay struct {
	replace map[string]string   // path on disk -> temporary file
	back    map[string]string   // temporary file -> path on disk
	files   map[string]openFile // path on disk -> editor's copy
}

// writeOverlay writes the open Go files whose text differs from the
// disk into tmp, and the go command's overlay file naming them.
func writeOverlay(tmp string, open []openFile) (*overlay, error) {
	ov := &overlay{replace: map[string]string{}, back: map[string]string{}, files: map[string]openFile{}}
	for _, f := range open {
		ov.files[f.path] = f
		if !strings.HasSuffix(f.path, ".go") {
			continue
		}
		if disk, err := os.ReadFile(f.path); err == nil && bytes.Equal(disk, f.text) {
			continue
		}
		name := filepath.Join(tmp, strconv.Itoa(len(ov.replace))+"_"+filepath.Base(f.path))
		if err := os.WriteFile(name, f.text, 0o600); err != nil {
			return nil, err
		}
		ov.replace[f.path] = name
		ov.back[name] = f.path
	}
	if len(ov.replace) == 0 {
		return ov, nil
	}
	data, err := json.Marshal(struct{ Replace map[string]string }{ov.replace})
	if err != nil {
		return nil, err
	}
	return ov, os.WriteFile(filepath.Join(tmp, "overlay.json"), data, 0o600)
}

// parseVet decodes go vet's JSON output into findings. A package's
// test variant repeats the findings in its non-test files; they are
// kept once. Entries of packages other than roots (the package
// analyzed), if known, are dependencies' and dropped.
func parseVet(out []byte, ov *overlay, roots map[string]bool) ([]finding, error) {
	texts := &textCache{ov: ov, disk: map[string][]byte{}}
	var fs []finding
	var errs []error
	seen := map[string]bool{}
	entries, err := vetjson.Decode(bytes.NewReader(out))
	if err != nil {
		errs = append(errs, err)
	}
	for _, e := range entries {
		if roots != nil && !vetjson.FromRoot(e.Package, roots) {
			continue // a dependency's (vetjson.ReportDepsFlag)
		}
		if e.Err != "" {
			errs = append(errs, fmt.Errorf("%s: %s: %s", e.Package, e.Analyzer, e.Err))
			continue
		}
		for _, d := range e.Diagnostics {
			key := d.Posn + "\x00" + d.Category + "\x00" + d.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			if f, ok := texts.finding(e.Analyzer, d); ok {
				fs = append(fs, f)
			}
		}
	}
	return fs, errors.Join(errs...)
}

// A textCache holds the text each position refers to: the editor's
// buffer for an open file, the disk otherwise.
type textCache struct {
	ov   *overlay
	disk map[string][]byte
}

// resolve returns the path on disk of a file go vet named and its text.
func (tc *textCache) resolve(name string) (string, []byte) {
	if orig, ok := tc.ov.back[name]; ok {
		name = orig
	}
	if f, ok := tc.ov.files[name]; ok {
		return name, f.text
	}
	text, ok := tc.disk[name]
	if !ok {
		text, _ = os.ReadFile(name)
		tc.disk[name] = text
	}
	return name, text
}

// uri returns the URI of a file on disk, as the editor spells it if it
// has the file open.
func (tc *textCache) uri(path string) string {
	if f, ok := tc.ov.files[path]; ok {
		return f.uri
	}
	return fileURI(path)
}

// finding converts one diagnostic of go vet's output.
func (tc *textCache) finding(check string, d vetjson.Diagnostic) (finding, bool) {
	path, start, ok := tc.position(d.Posn)
	if !ok {
		return finding{}, false
	}
	_, text := tc.resolve(path)
	f := finding{
		path:     path,
		check:    check,
		category: d.Category,
		message:  d.Message,
		rng:      protocol.Range{Start: positionOf(text, start), End: positionOf(text, wordEnd(text, start))},
	}
	if _, end, ok := tc.position(d.End); ok && end > start {
		f.rng.End = positionOf(text, end)
	}
	for _, r := range d.Related {
		rpath, off, ok := tc.position(r.Posn)
		if !ok {
			continue
		}
		_, rtext := tc.resolve(rpath)
		f.related = append(f.related, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{
				URI:   protocolURI(tc.uri(rpath)),
				Range: protocol.Range{Start: positionOf(rtext, off), End: positionOf(rtext, wordEnd(rtext, off))},
			},
			Message: r.Message,
		})
	}
	for _, sf := range d.SuggestedFixes {
		fix := suggestedFix{title: sf.Message}
		byFile := map[string]int{}
		for _, e := range sf.Edits {
			epath, etext := tc.resolve(e.Filename)
			i, ok := byFile[epath]
			if !ok {
				i = len(fix.files)
				byFile[epath] = i
				fe := fileEdits{uri: tc.uri(epath)}
				if of, ok := tc.ov.files[epath]; ok {
					v := of.version
					fe.version = &v
				}
				fix.files = append(fix.files, fe)
			}
			fix.files[i].edits = append(fix.files[i].edits, protocol.TextEdit{
				Range:   protocol.Range{Start: positionOf(etext, e.Start), End: positionOf(etext, e.End)},
				NewText: e.New,
			})
		}
		f.fixes = append(f.fixes, fix)
	}
	return f, true
}

// position parses a go/token position ("file:line:col") into the path
// on disk and a byte offset in its text.
func (tc *textCache) position(posn string) (string, int, bool) {
	name, line, col, ok := vetjson.SplitPosn(posn)
	if !ok {
		return "", 0, false
	}
	path, text := tc.resolve(name)
	start := lineStart(text, line-1)
	if start < 0 {
		return "", 0, false
	}
	return path, min(start+max(col-1, 0), len(text)), true
}

// wordEnd returns the end of the expression that starts at offset (an
// identifier or selector such as b.mu, or its address &c.n), so a
// diagnostic that the analysis reports at a point underlines the name
// it is about. If no name starts there, it covers one character.
func wordEnd(text []byte, offset int) int {
	i := offset
	if i < len(text) && text[i] == '&' {
		offset++
		i++
	}
	for i < len(text) && (isWordByte(text[i]) || text[i] == '.' && i > offset && i+1 < len(text) && isWordByte(text[i+1])) {
		i++
	}
	if i == offset && i < len(text) && text[i] != '\n' {
		i++
	}
	return i
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}
