package driver

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// version describes the build as staticcheck's -version does: the
// module version (devel for a build from a clone), then the VCS
// revision and time the go command stamped, and the Go version:
//
//	v0.3.0 (go1.26.8)
//	devel (vcs 1c16b7e24a5f, 2026-12-04T13:00:00Z, modified; go1.26.8)
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel (no build information)"
	}
	return versionOf(info)
}

// versionOf is version for the given build information.
func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var details []string
	settings := make(map[string]string)
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		vcs := "vcs " + rev[:min(len(rev), 12)]
		if t := settings["vcs.time"]; t != "" {
			vcs += ", " + t
		}
		if settings["vcs.modified"] == "true" {
			vcs += ", modified"
		}
		details = append(details, vcs)
	}
	if info.GoVersion != "" {
		details = append(details, info.GoVersion)
	}
	if len(details) == 0 {
		return v
	}
	return v + " (" + strings.Join(details, "; ") + ")"
}

// vetVersionLine is the answer to go vet's -V=full: "NAME version
// devel ... buildID=HASH". The go command keys its cache of vet results
// on the hash of the executable when the third word is devel, and on
// the whole line otherwise; a line carrying only the module version
// would keep stale results across rebuilds from a clone, so the line
// always has the devel form, with the version and VCS stamp in the
// middle for people, and the executable's hash at the end (as
// unitchecker's own -V=full computes it), followed by the hash of the
// sharedvet.conf that applies in the current directory (configHash).
func vetVersionLine(name string) (string, error) {
	hash, err := executableHash()
	if err != nil {
		return "", fmt.Errorf("-V=full: %v", err)
	}
	if conf := configHash(); conf != "" {
		hash += "+conf" + conf
	}
	return fmt.Sprintf("%s version devel %s buildID=%s", name, strings.TrimPrefix(version(), "devel "), hash), nil
}

// executableHash returns the SHA-256 of the running executable.
func executableHash() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return fmt.Sprintf("%02x", h.Sum(nil)), nil
}
