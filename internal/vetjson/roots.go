package vetjson

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// ReportDepsFlag names the go vet tool flag with which the tool prints
// the findings of every package go vet starts it for, the packages it
// asks only for facts (dependencies) included. Whoever sets it keeps
// the packages it named (FromRoot) and drops the rest.
//
// Why: the go command (1.26) keys its cache of a package's vet results
// on the tool, its flags, the package and its dependencies' facts, but
// not on whether it asked for the package's findings. A package first
// analyzed as a dependency leaves an empty output in the cache, and a
// later run that names it is answered from there: its findings are
// lost (go vet ./b, then go vet ./a, where b imports a, prints nothing
// for a, even with go vet's own analyzers). With the flag, the cached
// output is the package's findings, whichever way it was first run.
const ReportDepsFlag = "report-dependencies"

// Roots returns the import paths of the packages that go vet will run
// the tool on as named (not as dependencies) for patterns in dir, with
// the build flags (-tags, -mod, ...), by go list -find, which does not
// load dependencies.
func Roots(ctx context.Context, goCmd, dir string, env, buildFlags, patterns []string) (map[string]bool, error) {
	args := append([]string{"list", "-e", "-find", "-f", "{{.ImportPath}}"}, buildFlags...)
	cmd := exec.CommandContext(ctx, goCmd, append(append(args, "--"), patterns...)...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	roots := make(map[string]bool)
	for _, path := range strings.Fields(string(out)) {
		roots[path] = true
	}
	return roots, nil
}

// FromRoot reports whether the package ID of a go vet entry is one of
// roots or a test variant of one: "p", "p [p.test]", "p_test [p.test]",
// and "p_test" for a directory that holds only the external tests. A
// dependency recompiled for a test ("q [p.test]") is not.
func FromRoot(id string, roots map[string]bool) bool {
	path, variant, ok := strings.Cut(id, " ")
	if !ok {
		return roots[path] || roots[strings.TrimSuffix(path, "_test")]
	}
	under := strings.TrimSuffix(strings.TrimPrefix(variant, "["), ".test]")
	return roots[under] && (path == under || path == under+"_test")
}
