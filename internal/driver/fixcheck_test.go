package driver

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	scriptedtest "github.com/sharedvet/sharedvet/internal/driver/testdata/scripted/scripted"
)

// scripted offers the fixes that the fixture's "// fix: TEXT" comments
// spell.
var scripted = scriptedtest.Analyzer

// writeFixtures writes a module example.com/fc holding files in a
// temporary directory, and makes it the current directory.
func writeFixtures(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := copyFixture(t, "fix") // skips under -short, and chdirs
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/fc\n\ngo 1.22\n")
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	return dir
}

// badFixes is a module with a package, bad, whose fixes parse but do
// not type-check together (a.go's), and a package, good, whose fix
// does.
var badFixes = map[string]string{
	"bad/a.go":  "package bad\n\nfunc f(n int) int {\n\t// fix: n = n + \"one\"\n\treturn n\n}\n",
	"bad/b.go":  "package bad\n\n// fix: var b = 1\n",
	"good/g.go": "package good\n\n// fix: var g = 1\n",
}

// checkBadFixes checks a run with badFixes in dir: each file of bad is
// refused with one line (file names relative to prefix), nothing of bad
// is written, good/g.go is written unless diff, and a diff shows
// good/g.go's fix only.
func checkBadFixes(t *testing.T, dir, prefix, stdout, stderr string, diff bool) {
	t.Helper()
	for _, want := range []string{
		prefix + `a.go: with the fixes, package example.com/fc/bad would not type-check: ` + prefix + `a.go:4:6: invalid operation: n + "one" (mismatched types int and untyped string); not written`,
		prefix + `b.go: with the fixes, package example.com/fc/bad would not type-check: ` + prefix + `a.go:4:6: invalid operation`,
	} {
		if strings.Count(stderr, want) != 1 {
			t.Errorf("stderr:\n%s\nwant once: %s", stderr, want)
		}
	}
	for name, content := range badFixes {
		got := golden(t, filepath.Join(dir, name))
		if fixed := got != content; fixed != (!diff && name == "good/g.go") {
			t.Errorf("%s written: %v:\n%s", name, fixed, got)
		}
	}
	if diff && (strings.Contains(stdout, "bad/") || !strings.Contains(stdout, "+var g = 1")) {
		t.Errorf("the diff:\n%s\nwant good/g.go's only", stdout)
	}
}

// TestFixTypeChecked checks that a fix that parses but does not
// type-check is not written, nor are the other fixes of its package;
// each of its files is refused with one message, the exit status is 1,
// -diff shows only what -fix writes, and another package's fixes are
// written.
func TestFixTypeChecked(t *testing.T) {
	for _, mode := range []string{"-fix", "-diff"} {
		t.Run(mode, func(t *testing.T) {
			dir := writeFixtures(t, badFixes)
			stdout, stderr, code := runDriver(t, []*analysis.Analyzer{scripted}, mode, "./bad", "./good")
			if code != exitError {
				t.Errorf("exit %d, want 1", code)
			}
			checkBadFixes(t, dir, "bad/", stdout, stderr, mode == "-diff")
		})
	}
}

// TestFixTypeCheckedTestVariant checks that a fix that type-checks in
// its package but not in the package's test variant (it declares a
// name a test file declares) is not written, and is without -test.
func TestFixTypeCheckedTestVariant(t *testing.T) {
	files := map[string]string{
		"p/p.go":      "package p\n\n// fix: func helper() {}\n",
		"p/p_test.go": "package p\n\nfunc helper() {}\n",
	}
	dir := writeFixtures(t, files)
	_, stderr, code := runDriver(t, []*analysis.Analyzer{scripted}, "-fix", "./...")
	want := "p/p.go: with the fixes, package example.com/fc/p [example.com/fc/p.test] would not type-check: p/p_test.go:3:6: helper redeclared in this block"
	if code != exitError || strings.Count(stderr, want) != 1 {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and once: %s", code, stderr, want)
	}
	if got := golden(t, filepath.Join(dir, "p", "p.go")); got != files["p/p.go"] {
		t.Errorf("p.go written:\n%s", got)
	}

	if _, stderr, code := runDriver(t, []*analysis.Analyzer{scripted}, "-fix", "-test=false", "./..."); code != exitClean {
		t.Errorf("-test=false: exit %d, stderr:\n%s", code, stderr)
	}
	if got := golden(t, filepath.Join(dir, "p", "p.go")); !strings.Contains(got, "func helper() {}") {
		t.Errorf("-test=false: p.go not written:\n%s", got)
	}
}

// TestFixTypeCheckedImport checks that a fix may import a package the
// run did not load (hash/adler32), read from its export data, and one
// it did (sync/atomic, which sync imports).
func TestFixTypeCheckedImport(t *testing.T) {
	files := map[string]string{
		"none/n.go": "package none\n\n// fix: import \"hash/adler32\"\n\nfunc f() uint32 {\n\treturn 0 // fix: + adler32.Checksum(nil)\n}\n",
		"some/s.go": "package some\n\nimport \"sync\"\n\n// fix: import \"sync/atomic\"\n\nvar mu sync.Mutex\nvar n int64\n\nfunc f() {\n\t// fix: atomic.AddInt64(&n, 1)\n}\n",
	}
	dir := writeFixtures(t, files)
	_, stderr, code := runDriver(t, []*analysis.Analyzer{scripted}, "-fix", "./...")
	if code != exitClean {
		t.Errorf("exit %d, stderr:\n%s\nwant 0", code, stderr)
	}
	for name, want := range map[string]string{"none/n.go": "return 0 + adler32.Checksum(nil)", "some/s.go": "atomic.AddInt64(&n, 1)"} {
		if got := golden(t, filepath.Join(dir, name)); !strings.Contains(got, want) {
			t.Errorf("%s not written:\n%s", name, got)
		}
	}
}

// TestFixAPIChange checks that a fix that changes a package's exported
// declarations, which its importers were not checked against, is not
// written.
func TestFixAPIChange(t *testing.T) {
	files := map[string]string{
		"api/api.go":   "package api\n\nfunc F(n int) int { return n }\n\n// fix: func G() {}\n",
		"user/user.go": "package user\n\nimport \"example.com/fc/api\"\n\nvar _ = api.F(1)\n",
	}
	dir := writeFixtures(t, files)
	_, stderr, code := runDriver(t, []*analysis.Analyzer{scripted}, "-fix", "./...")
	if want := "api/api.go: the fixes change the exported declarations of package example.com/fc/api"; code != exitError || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and: %s", code, stderr, want)
	}
	if got := golden(t, filepath.Join(dir, "api", "api.go")); got != files["api/api.go"] {
		t.Errorf("api.go written:\n%s", got)
	}
}

// buildScriptedTool builds the driver with the scripted analyzer as a
// go vet tool.
func buildScriptedTool(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a vet tool and runs go vet")
	}
	tool := filepath.Join(t.TempDir(), "scripted")
	if out, err := exec.Command("go", "build", "-o", tool, "./testdata/scripted/tool").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return tool
}

// goVet runs go vet with args in the current directory and returns
// its stdout, stderr and whether it failed.
func goVet(t *testing.T, args ...string) (stdout, stderr string, failed bool) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"vet"}, args...)...)
	cmd.Env = append(cmd.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("go vet: %v", err)
	}
	return out.String(), errOut.String(), err != nil
}

// TestVetFixTypeChecked checks TestFixTypeChecked's promises under go
// vet -fix and go vet -fix -diff, where the go command writes what the
// tool hands it. The tool runs in each package's directory.
func TestVetFixTypeChecked(t *testing.T) {
	tool := buildScriptedTool(t)
	for _, diff := range []bool{false, true} {
		args := []string{"-vettool=" + tool, "-fix"}
		if diff {
			args = append(args, "-diff")
		}
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			dir := writeFixtures(t, badFixes)
			stdout, stderr, failed := goVet(t, append(args, "./...")...)
			if !failed {
				t.Errorf("go vet succeeded")
			}
			checkBadFixes(t, dir, "", stdout, stderr, diff)
		})
	}
}

// TestVetFixUnparsable checks that under go vet -fix a fixed file that
// does not parse is not written: unitchecker writes what it cannot
// format as it is, and the go command would write it.
func TestVetFixUnparsable(t *testing.T) {
	tool := buildScriptedTool(t)
	const src = "package p\n\n// fix: func (\n"
	dir := writeFixtures(t, map[string]string{"p/p.go": src})
	_, stderr, failed := goVet(t, "-vettool="+tool, "-fix", "./...")
	if !failed || !strings.Contains(stderr, "p.go: the fixed file would not parse") {
		t.Errorf("go vet -fix: failed %v, stderr:\n%s\nwant a failure and a refusal", failed, stderr)
	}
	if got := golden(t, filepath.Join(dir, "p", "p.go")); got != src {
		t.Errorf("p.go written:\n%s", got)
	}
}
