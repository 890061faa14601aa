//go:build !unix

package lspproxy

import "os/exec"

// killGroup leaves exec.CommandContext's default: cancelling kills the
// go command only, and its child finishes on its own.
func killGroup(cmd *exec.Cmd) {}
