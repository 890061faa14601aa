package driver

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/build"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/analyzer"
)

// configName is the name of the configuration file, found by walking
// up from the analyzed package's directory, as staticcheck.conf is. It
// is TOML, as staticcheck.conf, read by the TOML library staticcheck
// uses, and holds analyzer.Settings:
//
//	checks = ["all", "-gocapture"]
//
//	[flags.gocapture]
//	spawners = ["example.com/pool.Go"]
//
//	[flags.lockchan]
//	stalls = true
//
// It is applied as command-line flags placed before the user's, which
// therefore override it.
const configName = "sharedvet.conf"

// findConfig returns the path of the nearest configuration file in dir
// or a parent of it, or "" if there is none.
func findConfig(dir string) string {
	for {
		path := filepath.Join(dir, configName)
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
			return path
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// configArgs reads the configuration file at path and returns it as
// flags.
func configArgs(path string) ([]string, error) {
	var s analyzer.Settings
	md, err := toml.DecodeFile(path, &s)
	if err != nil {
		return nil, err
	}
	if unknown := md.Undecoded(); len(unknown) > 0 {
		return nil, fmt.Errorf("unknown setting %q (known: checks, flags.CHECK.FLAG)", unknown[0].String())
	}
	return s.Args(), nil
}

// standaloneConfig returns the configuration file that applies to a
// standalone run on patterns: the one found from the directory of each
// pattern that names a directory (./..., ./pkg, /abs/dir), or from the
// current directory for import paths. The analyzers' flags are global
// to a run, so the patterns must agree on one file (or on none).
func standaloneConfig(patterns []string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	found := make(map[string]bool)
	var first string
	for _, p := range patterns {
		dir := wd
		if build.IsLocalImport(p) || filepath.IsAbs(p) {
			dir, _, _ = strings.Cut(p, "...")
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(wd, dir)
			}
			if info, err := os.Stat(dir); err == nil && !info.IsDir() {
				dir = filepath.Dir(dir) // a file name
			}
		}
		path := findConfig(dir)
		if len(found) == 0 {
			first = path
		}
		found[path] = true
	}
	if len(found) > 1 {
		return "", errors.New("the packages named fall under different " + configName + " files (or some under none): run sharedvet once per configuration")
	}
	return first, nil
}

// vetConfig returns the configuration file for the package of a go vet
// invocation: found from the package directory in its *.cfg file.
func vetConfig(args []string) (string, error) {
	if len(args) == 0 || !strings.HasSuffix(args[len(args)-1], ".cfg") {
		return "", nil // -flags, -V=full
	}
	data, err := os.ReadFile(args[len(args)-1])
	if err != nil {
		return "", err
	}
	var cfg struct{ Dir string }
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("%s: %v", args[len(args)-1], err)
	}
	if cfg.Dir == "" {
		return "", nil
	}
	return findConfig(cfg.Dir), nil
}

// applyConfig parses args again, after the flags of the configuration
// file that applies to the patterns among them, if there is one, and
// returns the flag set and options that result.
func applyConfig(all []*analysis.Analyzer, args []string, stderr io.Writer) (*flag.FlagSet, *options, error) {
	fs, opts := newFlagSet(all, stderr)
	if err := parseQuietly(fs, args); err != nil {
		return nil, nil, err
	}
	patterns := fs.Args()
	if len(patterns) == 0 {
		patterns = []string{"."} // -format=editor
	}
	path, err := standaloneConfig(patterns)
	if err != nil || path == "" {
		return fs, opts, err
	}
	cfgArgs, err := configArgs(path)
	if err == nil {
		fs, opts = newFlagSet(all, stderr)
		fs.SetOutput(io.Discard)
		err = fs.Parse(cfgArgs)
		fs.SetOutput(stderr)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", relPath(path), err)
	}
	if err := parseQuietly(fs, args); err != nil {
		return nil, nil, err
	}
	return fs, opts, nil
}

// configHash returns a hash of the configuration file that applies to
// a go vet run started in the current directory, or "" if there is
// none (or the sharedvet command passes its flags itself). It is part
// of the tool's version line, which go vet keys its cache of results
// on: results made under one configuration are not reused under
// another.
func configHash() string {
	if os.Getenv(configAppliedEnv) != "" {
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	path := findConfig(wd)
	if path == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%x", sha256.Sum256(data))[:16]
}

// applyVetConfig puts the flags of the configuration file of the
// package go vet asks about, if there is one, before the command
// line's in os.Args, so that unitchecker parses them first.
func applyVetConfig() error {
	if os.Getenv(configAppliedEnv) != "" {
		return nil // the sharedvet command passes the file's flags itself
	}
	path, err := vetConfig(os.Args[1:])
	if err != nil || path == "" {
		return err
	}
	cfgArgs, err := configArgs(path)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	os.Args = append(append([]string{os.Args[0]}, cfgArgs...), os.Args[1:]...)
	return nil
}
