//go:build unix

package driver

import (
	"io/fs"
	"os"
	"syscall"
)

// links returns the number of hard links of the file.
func links(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// keepOwner gives the file name the owner and group of info's file,
// when they differ.
func keepOwner(name string, info fs.FileInfo) error {
	want, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	cur, err := os.Stat(name)
	if err != nil {
		return err
	}
	if got, ok := cur.Sys().(*syscall.Stat_t); ok && got.Uid == want.Uid && got.Gid == want.Gid {
		return nil
	}
	return os.Chown(name, int(want.Uid), int(want.Gid))
}
