package lspproxy

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// splitArgs takes the proxy's own flag, -gopls=PATH, from the front of
// args; the rest is gopls's command line.
func splitArgs(args []string) (gopls string, rest []string) {
	for len(args) > 0 {
		v, ok := strings.CutPrefix(args[0], "-gopls=")
		if !ok {
			v, ok = strings.CutPrefix(args[0], "--gopls=")
		}
		if !ok {
			break
		}
		gopls, args = v, args[1:]
	}
	return gopls, args
}

// findGopls returns the gopls to run: the one named by -gopls or
// $SHAREDVET_GOPLS, else the first on $PATH, $GOBIN or $GOPATH/bin
// (where go install puts it) that is not this executable, which may
// itself be on $PATH under the name gopls.
func findGopls(flag string) (string, error) {
	if flag == "" {
		flag = os.Getenv("SHAREDVET_GOPLS")
	}
	if flag != "" {
		return exec.LookPath(flag)
	}
	self, _ := os.Executable()
	selfInfo, _ := os.Stat(self)
	dirs := filepath.SplitList(os.Getenv("PATH"))
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	for _, p := range filepath.SplitList(gopath) {
		dirs = append(dirs, filepath.Join(p, "bin"))
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		cand := filepath.Join(dir, "gopls")
		info, err := os.Stat(cand)
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			continue
		}
		if selfInfo != nil && os.SameFile(info, selfInfo) {
			continue
		}
		return cand, nil
	}
	return "", errNoGopls
}

// gopls flags that take a value, for servesLSP to skip it.
var goplsValueFlags = map[string]bool{
	"remote": true, "logfile": true, "port": true, "listen": true, "mode": true,
	"debug": true, "ocagent": true, "profile.cpu": true, "profile.mem": true,
	"profile.alloc": true, "profile.trace": true, "profile.block": true,
	"remote.debug": true, "remote.logfile": true, "remote.listen.timeout": true,
	"listen.timeout": true, "env": true, "remote.mode": true,
}

// servesLSP reports whether gopls's command line starts a language
// server on standard input and output: no subcommand, or serve.
func servesLSP(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return i+1 >= len(args) || args[i+1] == "serve"
		}
		if strings.HasPrefix(a, "-") {
			name := strings.TrimLeft(a, "-")
			if name == "h" || name == "help" {
				return false
			}
			if !strings.Contains(name, "=") && goplsValueFlags[name] {
				i++
			}
			continue
		}
		return a == "serve"
	}
	return true
}

// passThrough runs gopls with the proxy's standard files and returns
// its exit status.
func passThrough(gopls string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := exec.Command(gopls, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		io.WriteString(stderr, "sharedvet gopls: "+err.Error()+"\n")
		return 1
	}
}

// vetTool returns a path of this executable for go vet to run as its
// tool. Under a name ending in gopls the executable would act as the
// proxy again, so then it is a link named sharedvet in dir.
func vetTool(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	if _, ok := Invoked([]string{self}); !ok {
		return self, nil
	}
	link := filepath.Join(dir, "sharedvet")
	return link, os.Symlink(self, link)
}
