//go:build unix

package lspproxy

import (
	"os/exec"
	"syscall"
)

// killGroup makes cancelling cmd kill its whole process group: go vet
// runs the analysis in a child, which would otherwise finish a stale
// analysis on cores the next one needs.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
