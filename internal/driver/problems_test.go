package driver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/internal/internalerr"
)

// faulty reports an internal error at the package clause, as safefunc
// does when a pass panics on a function.
var faulty = &analysis.Analyzer{
	Name: "faulty",
	Doc:  "faulty: report an internal error",
	Run: func(pass *analysis.Pass) (any, error) {
		pass.Report(analysis.Diagnostic{
			Pos:      pass.Files[0].Package,
			Category: internalerr.Category,
			Message:  "internal error: faulty skipped fix.counts: boom",
		})
		return nil, nil
	},
}

// crasher panics in its Run.
var crasher = &analysis.Analyzer{
	Name: "crasher",
	Doc:  "crasher: panic",
	Run:  func(pass *analysis.Pass) (any, error) { panic("crash") },
}

// TestInternalErrors checks that an internal error, reported as a
// diagnostic or as a panic of a whole analyzer, exits 1 in every
// format, is said in the format's place for errors, and costs no other
// finding.
func TestInternalErrors(t *testing.T) {
	copyFixture(t, "fix")
	analyzers := []*analysis.Analyzer{incr, faulty, crasher}
	const (
		wantFinding = "fix.go:5:3: n = n + 1 is n++ (incr)"
		wantFaulty  = "fix.go:1:1: internal error: faulty skipped fix.counts: boom"
		wantCrash   = "example.com/fix: crasher: internal error: crasher panicked: crash"
	)

	stdout, stderr, code := runDriver(t, analyzers, "./...")
	if code != exitError || !strings.Contains(stdout, wantFinding) ||
		!strings.Contains(stderr, wantFaulty) || !strings.Contains(stderr, wantCrash) || strings.Contains(stdout, "internal error") {
		t.Errorf("text: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 1, the finding on stdout, the internal errors on stderr", code, stdout, stderr)
	}

	stdout, _, code = runDriver(t, analyzers, "-json", "./...")
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &tree); err != nil {
		t.Fatalf("-json: %v\n%s", err, stdout)
	}
	pkg := tree["example.com/fix"]
	var errEntry struct{ Error string }
	json.Unmarshal(pkg[jsonErrorKey], &errEntry)
	if code != exitError || !strings.Contains(string(pkg["incr"]), "n = n + 1 is n++") ||
		!strings.Contains(errEntry.Error, "internal error: faulty skipped") || !strings.Contains(errEntry.Error, "crasher panicked") {
		t.Errorf("-json: exit %d, stdout:\n%s\nwant exit 1, incr's findings and an error entry", code, stdout)
	}

	stdout, _, code = runDriver(t, analyzers, "-format=sarif", "./...")
	validSARIF(t, stdout)
	var log struct {
		Runs []struct {
			Results     []struct{ RuleID string }
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct {
					Level     string
					Message   struct{ Text string }
					Locations []struct {
						PhysicalLocation struct {
							Region struct{ StartLine int }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if code != exitError || len(run.Results) != 3 || len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful ||
		len(run.Invocations[0].ToolExecutionNotifications) != 2 {
		t.Fatalf("-format=sarif: exit %d, output:\n%s\nwant exit 1, 3 results, an unsuccessful invocation with 2 notifications", code, stdout)
	}
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		if n.Level != "error" {
			t.Errorf("notification %q has level %q", n.Message.Text, n.Level)
		}
		if strings.Contains(n.Message.Text, "faulty") && (len(n.Locations) != 1 || n.Locations[0].PhysicalLocation.Region.StartLine != 1) {
			t.Errorf("the internal error has no location at line 1: %+v", n)
		}
	}
}

// testdataRoot is the module's testdata directory, found before the
// tests change directory.
var testdataRoot, _ = filepath.Abs(filepath.Join("..", "..", "testdata"))

// validSARIF checks out against the SARIF 2.1.0 schema.
func validSARIF(t *testing.T, out string) {
	t.Helper()
	schemaPath := filepath.Join(testdataRoot, "sarif", "sarif-schema-2.1.0.json")
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if err := compileSchema(t, schemaPath).Validate(doc); err != nil {
		t.Fatalf("invalid SARIF: %v\n%s", err, out)
	}
}

// TestBrokenPackage checks that a package that does not type-check is
// said in one line, and so is a package not analyzed because it
// imports it, with no internal names of analyzers.
func TestBrokenPackage(t *testing.T) {
	dir := copyFixture(t, "fix")
	writeFile(t, filepath.Join(dir, "broken", "broken.go"), "package broken\n\nfunc F() int { return undefined + undefined2 }\n")
	writeFile(t, filepath.Join(dir, "broken", "broken_test.go"), "package broken\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {}\n")
	writeFile(t, filepath.Join(dir, "user", "user.go"), "package user\n\nimport \"example.com/fix/broken\"\n\nvar _ = broken.F\n")

	stdout, stderr, code := runDriver(t, []*analysis.Analyzer{incr}, "./...")
	want := "driver.test: example.com/fix/broken: type error: broken/broken.go:3:23: undefined: undefined (and 1 more)\n" +
		"driver.test: example.com/fix/user: not analyzed: it imports example.com/fix/broken, which has errors\n"
	if code != exitError || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and, first:\n%s", code, stderr, want)
	}
	if strings.Contains(stderr, "prerequisite") || strings.Contains(stderr, "skipped due to errors") {
		t.Errorf("stderr names internal analyzers:\n%s", stderr)
	}
	if !strings.Contains(stdout, "n = n + 1 is n++") {
		t.Errorf("the good package was not analyzed:\n%s", stdout)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFindingsOnce checks that a finding in a package with tests, which
// the package and its test variant both report, is printed once in
// every format.
func TestFindingsOnce(t *testing.T) {
	dir := copyFixture(t, "fix")
	writeFile(t, filepath.Join(dir, "fix_test.go"), "package fix\n\nimport \"testing\"\n\nfunc TestCounts(t *testing.T) { counts(nil) }\n")
	analyzers := []*analysis.Analyzer{incr}
	const msg = "m = m + 1 is m++"
	for _, format := range []string{"text", "json", "sarif"} {
		stdout, _, _ := runDriver(t, analyzers, "-format="+format, "./...")
		if n := strings.Count(stdout, msg); n != 1 {
			t.Errorf("-format=%s: %q printed %d times, want once:\n%s", format, msg, n, stdout)
		}
	}
	// JSON keeps it under the package, not its test variant.
	stdout, _, _ := runDriver(t, analyzers, "-json", "./...")
	if strings.Contains(stdout, "[example.com/fix.test]") {
		t.Errorf("-json reports under the test variant:\n%s", stdout)
	}
}

// oversized says every package's first function is over a limit, as
// safefunc does for a function too large to analyze.
var oversized = &analysis.Analyzer{
	Name: "oversized",
	Doc:  "oversized: report a function over the limit",
	Run: func(pass *analysis.Pass) (any, error) {
		pass.Report(analysis.Diagnostic{
			Pos:      pass.Files[0].Decls[0].Pos(),
			Category: internalerr.CategoryLimit,
			Message:  "fix.counts not analyzed: 60000 SSA instructions, over the limit of 50000",
		})
		return nil, nil
	},
}

// TestLimitWarning checks that a function not analyzed for its size is
// said in every format, as a warning that does not change the exit
// status.
func TestLimitWarning(t *testing.T) {
	copyFixture(t, "fix")
	analyzers := []*analysis.Analyzer{incr, oversized}
	const want = "fix.counts not analyzed: 60000 SSA instructions, over the limit of 50000"

	stdout, stderr, code := runDriver(t, analyzers, "./...")
	if code != exitFindings || !strings.Contains(stderr, "fix.go:3:1: "+want) || strings.Contains(stdout, want) {
		t.Errorf("text: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 3 and the warning on stderr", code, stdout, stderr)
	}
	stdout, _, code = runDriver(t, analyzers, "-json", "./...")
	if code != exitClean || !strings.Contains(stdout, `"`+jsonWarningKey+`": [`) || !strings.Contains(stdout, want) || strings.Contains(stdout, `"error"`) {
		t.Errorf("-json: exit %d, stdout:\n%s\nwant exit 0 and a warning entry", code, stdout)
	}
	stdout, _, code = runDriver(t, analyzers, "-format=sarif", "./...")
	validSARIF(t, stdout)
	if code != exitFindings || !strings.Contains(stdout, `"executionSuccessful": true`) || !strings.Contains(stdout, `"level": "warning",
              "message": {
                "text": "`+want) {
		t.Errorf("-format=sarif: exit %d, stdout:\n%s\nwant exit 3 and a warning notification", code, stdout)
	}
}

// TestEditorNoModule checks that outside a module the editor format
// says why in one line, the go command's, and exits 1 as the README
// says.
func TestEditorNoModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x.go"), "package x\n")
	t.Chdir(dir)
	t.Setenv("GOFLAGS", "")
	t.Setenv("GO111MODULE", "")
	_, stderr, code := runDriver(t, []*analysis.Analyzer{incr}, "-format=editor")
	want := "driver.test: go: go.mod file not found in current directory or any parent directory; see 'go help modules'\n"
	if code != exitError || stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
}
