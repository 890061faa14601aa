package driver

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/packages"

	"github.com/sharedvet/sharedvet/internal/vetjson"
	"github.com/sharedvet/sharedvet/passes/atomicmix"
	"github.com/sharedvet/sharedvet/passes/lockchan"
)

// incr is a test analyzer with a suggested fix: it reports x = x + 1
// and offers x++, so that the driver's fix machinery can be tested
// whatever fixes the real checks offer.
var incr = &analysis.Analyzer{
	Name:     "incr",
	Doc:      "incr: report x = x + 1",
	URL:      "https://example.com/incr",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
		ins.Preorder([]ast.Node{(*ast.AssignStmt)(nil)}, func(n ast.Node) {
			as := n.(*ast.AssignStmt)
			x, ok := increment(as)
			if !ok {
				return
			}
			pass.Report(analysis.Diagnostic{
				Pos:      as.Pos(),
				End:      as.End(),
				Category: "incr",
				Message:  x + " = " + x + " + 1 is " + x + "++",
				SuggestedFixes: []analysis.SuggestedFix{{
					Message:   "Replace with " + x + "++",
					TextEdits: []analysis.TextEdit{{Pos: as.Pos(), End: as.End(), NewText: []byte(x + "++")}},
				}},
			})
		})
		return nil, nil
	},
}

// increment matches x = x + 1.
func increment(as *ast.AssignStmt) (string, bool) {
	if as.Tok != token.ASSIGN || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return "", false
	}
	lhs, ok1 := as.Lhs[0].(*ast.Ident)
	bin, ok2 := as.Rhs[0].(*ast.BinaryExpr)
	if !ok1 || !ok2 || bin.Op != token.ADD {
		return "", false
	}
	x, ok1 := bin.X.(*ast.Ident)
	one, ok2 := bin.Y.(*ast.BasicLit)
	if !ok1 || !ok2 || x.Name != lhs.Name || one.Value != "1" {
		return "", false
	}
	return x.Name, true
}

// clash offers, for the same statements, a fix that overlaps incr's.
var clash = &analysis.Analyzer{
	Name:     "clash",
	Doc:      "clash: report x = x + 1 differently",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
		ins.Preorder([]ast.Node{(*ast.AssignStmt)(nil)}, func(n ast.Node) {
			as := n.(*ast.AssignStmt)
			if x, ok := increment(as); ok {
				pass.Report(analysis.Diagnostic{
					Pos:     as.Pos(),
					Message: "clash",
					SuggestedFixes: []analysis.SuggestedFix{{
						Message:   "Replace with " + x + " += 1",
						TextEdits: []analysis.TextEdit{{Pos: as.Pos(), End: as.End(), NewText: []byte(x + " += 1")}},
					}},
				})
			}
		})
		return nil, nil
	},
}

// copyFixture copies testdata/NAME to a temporary directory and makes
// it the current directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("loads packages with the go command")
	}
	src := filepath.Join("testdata", name)
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dst)
	return dst
}

func runDriver(t *testing.T, analyzers []*analysis.Analyzer, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, analyzers, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func golden(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestFix(t *testing.T) {
	want := golden(t, filepath.Join("testdata", "fix", "fix.go.golden"))
	wantOther := golden(t, filepath.Join("testdata", "fix", "other.go"))
	dir := copyFixture(t, "fix")

	// Every finding is fixed: -fix says what it fixed on stderr,
	// prints no finding and exits 0.
	stdout, stderr, code := runDriver(t, []*analysis.Analyzer{incr}, "-fix", "./...")
	if code != exitClean || stdout != "" {
		t.Errorf("exit %d, stdout %q; want exit 0 and no finding left", code, stdout)
	}
	for _, want := range []string{
		"fixed fix.go:5:3: n = n + 1 is n++ (incr): Replace with n++\n",
		"fixed fix.go:8:2: n = n + 1 is n++ (incr): Replace with n++\n",
		"applied 3 fix(es) in 1 file(s); 0 finding(s) remain\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if got := golden(t, filepath.Join(dir, "fix.go")); got != want {
		t.Errorf("fixed fix.go:\n%s\nwant:\n%s", got, want)
	}
	if got := golden(t, filepath.Join(dir, "other.go")); got != wantOther {
		t.Errorf("other.go changed:\n%s", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*sharedvet*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	// Fixed, the package is clean.
	if stdout, _, code := runDriver(t, []*analysis.Analyzer{incr}, "./..."); code != exitClean {
		t.Errorf("after -fix: exit %d, stdout:\n%s", code, stdout)
	}
}

func TestDiff(t *testing.T) {
	want := golden(t, filepath.Join("testdata", "fix", "fix.diff.golden"))
	orig := golden(t, filepath.Join("testdata", "fix", "fix.go"))
	dir := copyFixture(t, "fix")

	stdout, stderr, _ := runDriver(t, []*analysis.Analyzer{incr}, "-diff", "./...")
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
	if stdout != want {
		t.Errorf("-diff printed:\n%s\nwant:\n%s", stdout, want)
	}
	if got := golden(t, filepath.Join(dir, "fix.go")); got != orig {
		t.Errorf("-diff changed fix.go:\n%s", got)
	}
}

// TestFixConflict checks that of two overlapping fixes one is applied
// and the other refused with a message, never both; the refused
// fixes' findings remain, are printed, and make the exit status.
// Findings are taken in order of position, then message: clash's come
// first.
func TestFixConflict(t *testing.T) {
	want := golden(t, filepath.Join("testdata", "fix", "fix.go.clash.golden"))
	dir := copyFixture(t, "fix")

	stdout, stderr, code := runDriver(t, []*analysis.Analyzer{incr, clash}, "-fix", "./...")
	if code != exitFindings || strings.Count(stderr, "conflicts with another fix") != 3 ||
		!strings.Contains(stderr, `fix.go:5:3: fix "Replace with n++" conflicts with another fix in fix.go; not applied`) ||
		!strings.Contains(stderr, "applied 3 fix(es) in 1 file(s); 3 finding(s) remain") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 3 and the conflicts refused", code, stderr)
	}
	if strings.Count(stdout, "(incr)\n") != 3 || strings.Contains(stdout, "(clash)") {
		t.Errorf("stdout:\n%s\nwant incr's three findings, which remain, and none of clash's", stdout)
	}
	if got := golden(t, filepath.Join(dir, "fix.go")); got != want {
		t.Errorf("fixed fix.go:\n%s\nwant:\n%s", got, want)
	}
}

// TestFixNeverCorrupts checks that a fix that would leave a file that
// does not parse is not written.
func TestFixNeverCorrupts(t *testing.T) {
	dir := copyFixture(t, "fix")
	name := filepath.Join(dir, "fix.go")
	orig := golden(t, name)
	_, _, err := fixedContent(name, []edit{{start: 0, end: len("package"), text: "pakage"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "would not parse") {
		t.Errorf("fixFile: err = %v, want a refusal", err)
	}
	if got := golden(t, name); got != orig {
		t.Errorf("the file was written:\n%s", got)
	}
}

// TestSARIF validates -format=sarif against the SARIF 2.1.0 schema and
// checks what GitHub code scanning relies on.
func TestSARIF(t *testing.T) {
	schema := sarifSchema(t)
	dir := copyFixture(t, "sarif")
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil { // the repository root
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(dir, "sub")) // paths are relative to the root, not the working directory

	stdout, stderr, code := runDriver(t, []*analysis.Analyzer{lockchan.Analyzer, incr}, "-format=sarif", "..")
	if code != exitFindings {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	validateSARIF(t, schema, stdout)

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version string
					Rules   []struct {
						ID               string
						ShortDescription struct{ Text string }
						Help             struct{ Text string }
						HelpURI          string
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
				RelatedLocations []struct{ Message struct{ Text string } }
				Fixes            []struct {
					Description     struct{ Text string }
					ArtifactChanges []struct {
						Replacements []struct{ InsertedContent struct{ Text string } }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if v := run.Tool.Driver.Version; v == "" || v != version() {
		t.Errorf("tool.driver.version = %q, want %q", v, version())
	}
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
		if r.ID == "lockchan" && (r.ShortDescription.Text != "report channel waits under a lock that can deadlock" ||
			r.HelpURI != lockchan.Analyzer.URL || !strings.Contains(r.Help.Text, "WRONG")) {
			t.Errorf("lockchan rule: %+v", r)
		}
	}
	if got := strings.Join(ids, ","); got != "lockchan,incr,lintdirective" {
		t.Errorf("rules %s, want one per check: lockchan,incr,lintdirective", got)
	}
	var sawRelated, sawFix bool
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s has ruleIndex %d", r.RuleID, r.RuleIndex)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "sarif.go" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("location %+v, want sarif.go relative to %%SRCROOT%%", loc.ArtifactLocation)
		}
		switch r.RuleID {
		case "lockchan":
			// "\t/* é */ b.out <- ": the arrow is at byte column 17,
			// UTF-16 column 16.
			if loc.Region.StartLine != 16 || loc.Region.StartColumn != 16 {
				t.Errorf("lockchan region %+v, want 16:16", loc.Region)
			}
			sawRelated = len(r.RelatedLocations) == 3 && r.RelatedLocations[0].Message.Text == "`b.mu` locked here" &&
				r.RelatedLocations[1].Message.Text == "receiver (`function literal in NewB`) takes `b.mu` here"
		case "incr":
			sawFix = len(r.Fixes) == 1 && r.Fixes[0].Description.Text == "Replace with n++" &&
				r.Fixes[0].ArtifactChanges[0].Replacements[0].InsertedContent.Text == "n++"
		}
	}
	if !sawRelated || !sawFix {
		t.Errorf("related location seen: %v, fix seen: %v\n%s", sawRelated, sawFix, stdout)
	}
}

// sarifSchema compiles the vendored SARIF 2.1.0 schema.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	return compileSchema(t, path)
}

// validateSARIF fails the test unless out is a SARIF log that the
// schema accepts.
func validateSARIF(t *testing.T, schema *jsonschema.Schema, out string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("invalid SARIF: %v\n%s", err, out)
	}
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFormats(t *testing.T) {
	copyFixture(t, "fix")
	analyzers := []*analysis.Analyzer{incr}

	// editor: text on stdout, exit 0, "." by default.
	stdout, _, code := runDriver(t, analyzers, "-format=editor")
	if code != exitClean || !strings.Contains(stdout, "fix.go:5:3: n = n + 1 is n++ (incr)\n") {
		t.Errorf("-format=editor: exit %d, stdout:\n%s", code, stdout)
	}
	// json: the go vet tree, exit 0.
	stdout, _, code = runDriver(t, analyzers, "-format=json", "./...")
	if code != exitClean || !strings.Contains(stdout, `"incr": [`) {
		t.Errorf("-format=json: exit %d, stdout:\n%s", code, stdout)
	}
	if _, stderr, code := runDriver(t, analyzers, "-format=xml", "./..."); code != exitError || !strings.Contains(stderr, `unknown -format "xml"`) {
		t.Errorf("-format=xml: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runDriver(t, analyzers, "-fix", "-diff", "./..."); code != exitError || stderr == "" {
		t.Errorf("-fix -diff: exit %d, stderr %q", code, stderr)
	}
}

func TestExplain(t *testing.T) {
	stdout, _, code := runDriver(t, []*analysis.Analyzer{lockchan.Analyzer}, "-explain", "lockchan")
	if code != exitClean || !strings.HasPrefix(stdout, lockchan.Analyzer.Doc) || !strings.Contains(stdout, lockchan.Analyzer.URL) {
		t.Errorf("-explain lockchan: exit %d, stdout:\n%s", code, stdout)
	}
	stdout, _, code = runDriver(t, []*analysis.Analyzer{lockchan.Analyzer}, "-explain", "lintdirective")
	if code != exitClean || !strings.Contains(stdout, "//lint:ignore") {
		t.Errorf("-explain lintdirective: exit %d, stdout:\n%s", code, stdout)
	}
	_, stderr, code := runDriver(t, []*analysis.Analyzer{lockchan.Analyzer}, "-explain", "nosuch")
	if code != exitError || !strings.Contains(stderr, `unknown check "nosuch" (known: lockchan, lintdirective)`) {
		t.Errorf("-explain nosuch: exit %d, stderr %q", code, stderr)
	}
}

// TestPrintText checks that the text format prints related locations
// indented under their finding, and the editor format leaves them out.
func TestPrintText(t *testing.T) {
	fset := token.NewFileSet()
	file := fset.AddFile("/nonexistent/broker.go", -1, 100)
	file.SetLines([]int{0, 10, 20, 30})
	f := finding{
		analyzer: lockchan.Analyzer,
		fset:     fset,
		posn:     fset.Position(file.Pos(32)),
		diag: analysis.Diagnostic{
			Pos:     file.Pos(32),
			Message: "send on b.out while holding b.mu",
			Related: []analysis.RelatedInformation{
				{Pos: file.Pos(12), Message: "b.mu locked here"},
				{Pos: token.NoPos, Message: "dropped: no position"},
			},
		},
	}
	var text, editor bytes.Buffer
	printText(&text, f, true)
	printText(&editor, f, false)
	const first = "/nonexistent/broker.go:4:3: send on b.out while holding b.mu (lockchan)\n"
	if want := first + "\t/nonexistent/broker.go:2:3: b.mu locked here\n"; text.String() != want {
		t.Errorf("text:\n%q\nwant\n%q", text.String(), want)
	}
	if editor.String() != first {
		t.Errorf("editor:\n%q\nwant\n%q", editor.String(), first)
	}
}

// TestChecks checks that -checks, -NAME and -NAME=false select the
// same checks as go vet's unitchecker would.
func TestChecks(t *testing.T) {
	copyFixture(t, "fix")
	analyzers := []*analysis.Analyzer{incr, clash}
	for _, tc := range []struct {
		args []string
		want string // the checks that report, sorted
	}{
		{nil, "clash incr"},
		{[]string{"-checks=incr"}, "incr"},
		{[]string{"-checks=all,-incr"}, "clash"},
		{[]string{"-checks=-clash"}, "incr"},
		{[]string{"-incr"}, "incr"},
		{[]string{"-incr=false"}, "clash"},
		{[]string{"-checks=incr", "-clash"}, "clash incr"},
		{[]string{"-checks=all", "-clash=false"}, "incr"},
	} {
		stdout, stderr, code := runDriver(t, analyzers, append(tc.args, "./...")...)
		if code == exitError {
			t.Errorf("%v: exit %d, stderr:\n%s", tc.args, code, stderr)
			continue
		}
		var got []string
		for _, check := range []string{"clash", "incr"} {
			if strings.Contains(stdout, "("+check+")") {
				got = append(got, check)
			}
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%v: checks that reported: %q, want %q; stdout:\n%s", tc.args, s, tc.want, stdout)
		}
	}
	_, stderr, code := runDriver(t, analyzers, "-checks=incr,nosuch", "./...")
	if code != exitError || !strings.Contains(stderr, `unknown check "nosuch" (known: all, incr, clash, lintdirective)`) {
		t.Errorf("-checks=incr,nosuch: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestList(t *testing.T) {
	stdout, _, code := runDriver(t, []*analysis.Analyzer{lockchan.Analyzer}, "-list")
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if code != exitClean || len(lines) != 2 ||
		!regexp.MustCompile(`^lockchan +report \S.* +lockchan-[a-z]+, lockchan-`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^lintdirective +report .* +lintdirective-malformed, lintdirective-unused$`).MatchString(lines[1]) {
		t.Errorf("-list: exit %d, stdout:\n%s", code, stdout)
	}
}

func TestVersionOf(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}
	if got, want := versionOf(info), "devel (go1.26.8)"; got != want {
		t.Errorf("no VCS stamp: %q, want %q", got, want)
	}
	info.Settings = []debug.BuildSetting{
		{Key: "vcs.revision", Value: "f59315d451ee4857064732baaa24fe7c53283976"},
		{Key: "vcs.time", Value: "2026-12-04T13:33:07Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	if got, want := versionOf(info), "devel (vcs f59315d451ee, 2026-12-04T13:33:07Z, modified; go1.26.8)"; got != want {
		t.Errorf("VCS stamp: %q, want %q", got, want)
	}
	info = &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.0"}}
	if got, want := versionOf(info), "v0.3.0 (go1.26.8)"; got != want {
		t.Errorf("module version: %q, want %q", got, want)
	}
	stdout, _, code := runDriver(t, nil, "-version")
	if code != exitClean || stdout != progname()+" "+version()+"\n" {
		t.Errorf("-version: exit %d, stdout %q", code, stdout)
	}
}

// TestTagsAndCgo checks that -tags reaches the build and that files
// left out because cgo is disabled are named on stderr.
func TestTagsAndCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads packages with the go command")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":    "module example.com/tags\n\ngo 1.22\n",
		"plain.go":  "package tags\n\nfunc plain(n int) int {\n\tn = n + 1\n\treturn n\n}\n",
		"tagged.go": "//go:build special\n\npackage tags\n\nfunc tagged(n int) int {\n\tn = n + 1\n\treturn n\n}\n",
		"cgo.go":    "package tags\n\nimport \"C\"\n\nfunc cgo(n int) int {\n\tn = n + 1\n\treturn n\n}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	t.Setenv("CGO_ENABLED", "0")
	analyzers := []*analysis.Analyzer{incr}

	stdout, stderr, code := runDriver(t, analyzers, "./...")
	if code != exitFindings || !strings.Contains(stdout, "plain.go:4:2:") || strings.Contains(stdout, "tagged.go") {
		t.Errorf("no -tags: exit %d, stdout:\n%s\nstderr:\n%s\nwant plain.go's finding only", code, stdout, stderr)
	}
	if want := "1 file(s) that use it were not analyzed: cgo.go; set CGO_ENABLED=1"; !strings.Contains(stderr, want) {
		t.Errorf("CGO_ENABLED=0: stderr %q, want %q", stderr, want)
	}
	if strings.Contains(stderr, "tagged.go") {
		t.Errorf("tagged.go is named as a cgo file: %q", stderr)
	}

	stdout, stderr, code = runDriver(t, analyzers, "-tags=special", "./...")
	if code != exitFindings || !strings.Contains(stdout, "tagged.go:6:2:") {
		t.Errorf("-tags=special: exit %d, stdout:\n%s\nstderr:\n%s\nwant tagged.go's finding", code, stdout, stderr)
	}
}

// flagged reports each package once, with the value of its -msg flag,
// so that a test sees which value a run used.
var flagged = func() *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:  "flagged",
		Doc:   "flagged: report each package with the message of -flagged.msg",
		Flags: *flag.NewFlagSet("flagged", flag.ContinueOnError),
	}
	msg := a.Flags.String("msg", "default", "the message")
	a.Run = func(pass *analysis.Pass) (any, error) {
		pass.Reportf(pass.Files[0].Package, "msg=%s", *msg)
		return nil, nil
	}
	return a
}()

// TestConfig checks that sharedvet.conf, found by walking up from the
// packages, chooses checks and sets their flags, that the command line
// overrides it, and that a bad file is an error that names it.
func TestConfig(t *testing.T) {
	copyFixture(t, "fix")
	analyzers := []*analysis.Analyzer{incr, clash, flagged}
	t.Cleanup(func() { flagged.Flags.Set("msg", "default") })
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sharedvet.conf", "checks = [\"incr\", \"flagged\"]\n\n[flags.flagged]\nmsg = \"from the file\"\n")
	write("sub/sub.go", "package sub\n")

	for _, tc := range []struct {
		args []string
		want []string // substrings of stdout; a leading ! means absent
	}{
		{[]string{"./..."}, []string{"(incr)", "!(clash)", "msg=from the file"}},
		{[]string{"./sub"}, []string{"msg=from the file"}}, // found by walking up
		{[]string{"-checks=clash", "./..."}, []string{"!(incr)", "(clash)", "!msg="}},
		{[]string{"-clash", "./..."}, []string{"(incr)", "(clash)"}},
		{[]string{"-flagged.msg=cli", "./..."}, []string{"msg=cli"}},
	} {
		stdout, stderr, code := runDriver(t, analyzers, tc.args...)
		if code == exitError {
			t.Errorf("%v: exit %d, stderr:\n%s", tc.args, code, stderr)
			continue
		}
		for _, w := range tc.want {
			if absent, ok := strings.CutPrefix(w, "!"); ok {
				if strings.Contains(stdout, absent) {
					t.Errorf("%v: stdout has %q:\n%s", tc.args, absent, stdout)
				}
			} else if !strings.Contains(stdout, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, w, stdout)
			}
		}
	}

	// A package under another configuration.
	write("other/sharedvet.conf", "checks = [\"clash\"]\n")
	write("other/other.go", "package other\n\nfunc f(n int) int {\n\tn = n + 1\n\treturn n\n}\n")
	if _, stderr, code := runDriver(t, analyzers, "./sub", "./other"); code != exitError || !strings.Contains(stderr, "different sharedvet.conf files") {
		t.Errorf("two configurations: exit %d, stderr %q", code, stderr)
	}
	if stdout, stderr, code := runDriver(t, analyzers, "./other"); code == exitError || !strings.Contains(stdout, "(clash)") || strings.Contains(stdout, "(incr)") {
		t.Errorf("./other: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	for content, want := range map[string]string{
		"chekcs = [\"incr\"]\n":         `sharedvet.conf: unknown setting "chekcs"`,
		"checks = [\"nosuch\"]\n":       `sharedvet.conf: invalid value "nosuch" for flag -checks: unknown check "nosuch"`,
		"[flags.flagged]\nnosuch = 1\n": "sharedvet.conf: flag provided but not defined: -flagged.nosuch",
		"checks = [\"incr\"\n":          "sharedvet.conf: toml:",
	} {
		write("sharedvet.conf", content)
		if _, stderr, code := runDriver(t, analyzers, "./sub"); code != exitError || !strings.Contains(stderr, want) {
			t.Errorf("config %q: exit %d, stderr %q, want %q", content, code, stderr, want)
		}
	}
}

// TestExcused runs -excused in every format: the trace entry is
// printed (as text, as a JSON diagnostic with its exception, as a SARIF
// result of kind "pass" that the schema accepts) and the exit status
// is that of a clean run. Without the flag nothing is printed.
func TestExcused(t *testing.T) {
	schema := sarifSchema(t)
	t.Chdir(copyFixture(t, "excused"))
	suite := []*analysis.Analyzer{atomicmix.Analyzer}

	stdout, stderr, code := runDriver(t, suite, ".")
	if code != exitClean || stdout != "" {
		t.Errorf("without -excused: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0 and no output", code, stdout, stderr)
	}

	const want = "excused.go:26:7: excused by guard: a mutex held here orders this access with every access it could race with (atomicmix)\n"
	stdout, stderr, code = runDriver(t, suite, "-excused", ".")
	if code != exitClean || stdout != want {
		t.Errorf("-excused: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0 and\n%s", code, stdout, stderr, want)
	}

	stdout, stderr, code = runDriver(t, suite, "-excused", "-json", ".")
	var tree map[string]map[string][]vetjson.Diagnostic
	if err := json.Unmarshal([]byte(stdout), &tree); code != exitClean || err != nil {
		t.Fatalf("-excused -json: exit %d, %v, stdout:\n%s\nstderr:\n%s", code, err, stdout, stderr)
	}
	if ds := tree["example.com/excused"]["atomicmix"]; len(ds) != 1 || ds[0].Excused != "guard" || ds[0].Category != "atomicmix-excused" {
		t.Errorf("-excused -json: %+v, want one diagnostic excused by guard, category atomicmix-excused", ds)
	}

	stdout, stderr, code = runDriver(t, suite, "-excused", "-format=sarif", ".")
	if code != exitClean {
		t.Fatalf("-excused -format=sarif: exit %d, stderr:\n%s", code, stderr)
	}
	validateSARIF(t, schema, stdout)
	var log struct {
		Runs []struct {
			Results []struct {
				Kind, Level string
				Properties  map[string]string
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	if rs := log.Runs[0].Results; len(rs) != 1 || rs[0].Kind != "pass" || rs[0].Level != "none" || rs[0].Properties["excused"] != "guard" {
		t.Errorf("-excused -format=sarif: results %+v, want one of kind pass, level none, excused guard", rs)
	}
}

// TestProgress checks the progress line: silent when stderr is not a
// terminal, and on one, a count of the root packages every check has
// finished, cleared at the end, with the checks' Run restored.
func TestProgress(t *testing.T) {
	if p := newProgress(&bytes.Buffer{}); p != nil {
		t.Errorf("progress on a buffer: %v", p)
	}
	var out bytes.Buffer
	p := &progress{w: &out}
	root, dep := types.NewPackage("example.com/root", "root"), types.NewPackage("example.com/dep", "dep")
	a1 := &analysis.Analyzer{Name: "a1", Run: func(*analysis.Pass) (any, error) { return nil, nil }}
	a2 := &analysis.Analyzer{Name: "a2", Run: func(*analysis.Pass) (any, error) { return nil, nil }}
	orig := a1.Run
	stop := p.track([]*analysis.Analyzer{a1, a2}, []*packages.Package{{Types: root}})
	for _, run := range []struct {
		a   *analysis.Analyzer
		pkg *types.Package
	}{{a1, dep}, {a1, root}, {a2, dep}, {a2, root}} {
		run.a.Run(&analysis.Pass{Pkg: run.pkg})
	}
	stop()
	prog := progname()
	want := "\r\033[K" + prog + ": analyzed 0/1 packages\r\033[K" + prog + ": analyzed 1/1 packages\r\033[K"
	if out.String() != want {
		t.Errorf("progress wrote %q, want %q", out.String(), want)
	}
	if fmt.Sprintf("%p", a1.Run) != fmt.Sprintf("%p", orig) {
		t.Error("a1.Run not restored")
	}
}
