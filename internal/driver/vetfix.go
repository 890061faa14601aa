package driver

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
)

// Under go vet -fix (and go fix), the go command passes -fix and names,
// in the unit's config, a zip archive for the fixed files, which it
// writes into the module after the build; with -diff the tool prints
// the diffs itself. unitchecker makes the fixed files and exits, with
// no hook between the two, so to check them first vetFix runs
// unitchecker in a child process that writes its archive to a
// temporary file, type-checks the unit with the fixed files as the
// standalone driver does (see fixChecker), and only then hands the
// archive on, or prints the diffs.

// vetFixChild is set in the environment of the child that runs
// unitchecker, which must not start another.
const vetFixChild = "SHAREDVET_VET_FIX_CHILD"

// A vetUnit is the part of go vet's config file that vetFix reads.
type vetUnit struct {
	ID          string
	ImportPath  string
	Dir         string
	GoVersion   string
	GoFiles     []string
	ImportMap   map[string]string
	PackageFile map[string]string // package path → export data
	VetxOnly    bool
	Stdout      string
	FixArchive  string
}

// isVetFix reports whether args ask for the fixes of one unit (go vet
// -fix), in the process go vet started.
func isVetFix(args []string) bool {
	if os.Getenv(vetFixChild) != "" || len(args) == 0 || !isVetConfig(args[len(args)-1]) {
		return false
	}
	return slices.ContainsFunc(args[:len(args)-1], func(a string) bool { return isFlag(a, "fix") })
}

// isFlag reports whether arg sets the boolean flag name to true.
func isFlag(arg, name string) bool {
	switch arg {
	case "-" + name, "--" + name, "-" + name + "=true", "--" + name + "=true":
		return true
	}
	return false
}

// vetFix serves go vet -fix for the unit of the config file that ends
// args, and returns the exit status.
func vetFix(args []string, stderr io.Writer) int {
	cfgPath := args[len(args)-1]
	data, err := os.ReadFile(cfgPath)
	var unit vetUnit
	if err == nil {
		err = json.Unmarshal(data, &unit)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s: %v\n", progname(), cfgPath, err)
		return exitError
	}
	diff := slices.ContainsFunc(args, func(a string) bool { return isFlag(a, "diff") })
	tmp, err := os.MkdirTemp("", "sharedvet-vetfix-")
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	defer os.RemoveAll(tmp)
	archive := filepath.Join(tmp, "fix.zip")
	if status := runUnitchecker(args, data, tmp, archive, stderr); status != exitClean {
		return status // the go command ignores the fixes of a failed unit
	}
	contents, err := readFixArchive(archive)
	if err != nil {
		fmt.Fprintf(stderr, "%s: reading the fixes: %v\n", progname(), err)
		return exitError
	}
	if err := checkVetFixes(&unit, contents); err != nil {
		for _, name := range sortedKeys(contents) {
			fmt.Fprintf(stderr, "%s: %s: %v; not written\n", progname(), relPath(name), err)
		}
		return exitError
	}
	if err := handOn(&unit, diff, archive, contents); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	return exitClean
}

// runUnitchecker runs this program on a copy of the config data that
// sends the fixed files to archive and standard output to a file in
// tmp (it is forwarded to the unit's), without -diff, and returns its
// exit status.
func runUnitchecker(args []string, data []byte, tmp, archive string, stderr io.Writer) int {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	raw["FixArchive"] = archive
	raw["Stdout"] = filepath.Join(tmp, "stdout")
	childCfg := filepath.Join(tmp, "vet.cfg")
	out, err := json.Marshal(raw)
	if err == nil {
		err = os.WriteFile(childCfg, out, 0o644)
	}
	exe, err2 := os.Executable()
	if err := errors.Join(err, err2); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	var childArgs []string
	for _, a := range args[:len(args)-1] {
		if !isFlag(a, "diff") {
			childArgs = append(childArgs, a)
		}
	}
	cmd := exec.Command(exe, append(childArgs, childCfg)...)
	cmd.Env = append(os.Environ(), vetFixChild+"=1")
	cmd.Stdout, cmd.Stderr = os.Stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	}
	fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
	return exitError
}

// readFixArchive returns the files of a fix archive, by name; none if
// there is no archive.
func readFixArchive(name string) (map[string][]byte, error) {
	contents := make(map[string][]byte)
	r, err := zip.OpenReader(name)
	if errors.Is(err, os.ErrNotExist) {
		return contents, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		contents[f.Name] = data
	}
	return contents, nil
}

// checkVetFixes returns why the fixed files of the unit must not be
// written, or nil: one is not a Go file of the package's directory (cgo
// generates files in the build directory), or the unit does not
// type-check with them as it does without them (see judgeFixed).
func checkVetFixes(unit *vetUnit, contents map[string][]byte) error {
	if len(contents) == 0 {
		return nil
	}
	for name := range contents {
		if !slices.Contains(unit.GoFiles, name) || filepath.Dir(name) != filepath.Clean(unit.Dir) {
			return fmt.Errorf("%s is not a source file of package %s (the build generated it, as cgo does)", relPath(name), unit.ImportPath)
		}
	}
	fset := token.NewFileSet()
	orig := make([]*ast.File, len(unit.GoFiles))
	for i, name := range unit.GoFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		orig[i] = f
	}
	fixed, err := withFixes(fset, orig, func(name string) ([]byte, bool) {
		src, ok := contents[name]
		return src, ok
	})
	if err != nil {
		return err
	}
	imports := make(map[string]*types.Package)
	typeCheck := func(files []*ast.File) (*types.Package, []error) {
		var errs []error
		conf := types.Config{
			Importer:  importerFunc(func(path string) (*types.Package, error) { return unit.importPath(path, fset, imports) }),
			Sizes:     types.SizesFor("gc", build.Default.GOARCH), // as unitchecker
			GoVersion: unit.GoVersion,
			Error:     func(err error) { errs = append(errs, err) },
		}
		pkg, _ := conf.Check(unit.ImportPath, fset, files, nil)
		return pkg, errs
	}
	before, _ := typeCheck(orig)
	return judgeFixed(unit.ID, typeCheck, orig, fixed, api(before))
}

// importPath returns the package path imports in the unit: from the
// export data the go command built for it, or, for an import a fix
// adds, from the export data the go command builds now.
func (unit *vetUnit) importPath(path string, fset *token.FileSet, imports map[string]*types.Package) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	resolved := path
	if p, ok := unit.ImportMap[path]; ok {
		resolved = p // vendoring
	}
	if pkg := imports[resolved]; pkg != nil && pkg.Complete() {
		return pkg, nil
	}
	if file := unit.PackageFile[resolved]; file != "" {
		return readExportFile(file, resolved, fset, imports)
	}
	return loadExportData(unit.Dir, path, nil, fset, imports)
}

// handOn delivers the checked fixes as go vet asked: the diffs on the
// unit's standard output (-diff; with absolute file names, as
// unitchecker's, since go vet prints all packages' one after the
// other), the archive to the go command, or,
// with no archive named (before Go 1.26), the files written.
func handOn(unit *vetUnit, diff bool, archive string, contents map[string][]byte) error {
	stdout := io.Writer(os.Stdout)
	if unit.Stdout != "" {
		f, err := os.Create(unit.Stdout)
		if err != nil {
			return err
		}
		defer f.Close()
		stdout = f
	}
	if child, err := os.ReadFile(filepath.Join(filepath.Dir(archive), "stdout")); err == nil {
		if _, err := stdout.Write(child); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(contents) {
		if !diff && unit.FixArchive != "" {
			break
		}
		old, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if diff {
			if _, err := io.WriteString(stdout, unifiedDiff(name, old, contents[name])); err != nil {
				return err
			}
		} else if err := writeFileAtomic(name, contents[name]); err != nil {
			return err
		}
	}
	if diff || unit.FixArchive == "" {
		return nil
	}
	data, err := os.ReadFile(archive)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(unit.FixArchive, data, 0o644)
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
