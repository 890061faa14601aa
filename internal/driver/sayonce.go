package driver

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// firstToSay reports whether this process is the first, of those one
// go vet run starts, to say msg. go vet starts the tool once per
// package, and each finds the same bad flag value or configuration
// file; the first prints the error and the others exit 1 without a
// word. The processes share nothing but their parent, the go command,
// so the first leaves a marker file in os.TempDir, named by a hash of
// msg and of what identifies the parent while it lives (its process
// ID, its start time, and the boot), created exclusively. Where that
// identity is not known (no /proc: not Linux), every process says it.
func firstToSay(msg string) bool {
	parent, ok := parentIdentity()
	if !ok {
		return true
	}
	sum := sha256.Sum256([]byte(parent + "\x00" + msg))
	name := filepath.Join(os.TempDir(), fmt.Sprintf("sharedvet-said-%x", sum[:12]))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		// Said already; on any other error, say it rather than lose it.
		return !errors.Is(err, fs.ErrExist)
	}
	f.Close()
	return true
}

// parentIdentity returns a string that names the parent process as
// long as it lives: a process ID alone is reused.
func parentIdentity() (string, bool) {
	ppid := os.Getppid()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", ppid))
	if err != nil {
		return "", false
	}
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", false
	}
	// The fields after the command name, which is in parentheses and
	// may hold spaces: state is field 3, starttime field 22 (proc(5)).
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return "", false
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 20 {
		return "", false
	}
	return fmt.Sprintf("%d %s %s", ppid, fields[19], bytes.TrimSpace(boot)), true
}
