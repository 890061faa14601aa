//go:build !unix

package driver

import "io/fs"

// links returns 1: hard links are not counted on this system.
func links(fs.FileInfo) uint64 { return 1 }

// keepOwner does nothing: ownership is not kept on this system.
func keepOwner(string, fs.FileInfo) error { return nil }
