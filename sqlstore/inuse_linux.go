package sqlstore

import (
	"errors"
	"os"
	"syscall"

	"github.com/chanye-org/chanye"
)

// fOFDSetLk is F_OFD_SETLK: a lock owned by the open file, which conflicts
// with the locks of other connections even within one process.
const fOFDSetLk = 37

// dmsByte is the byte of the -shm file on which every SQLite connection to
// a WAL database holds a shared lock for as long as it is open (the "dead
// man switch" of wal.c: WALINDEX_LOCK_OFFSET 120 + 8).
const dmsByte = 128

// inUse returns ECONFLICT when a connection holds the SQLite database at
// path open in WAL mode.
func inUse(path string) error {
	f, err := os.OpenFile(path+"-shm", os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: dmsByte, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), fOFDSetLk, &lk); err != nil {
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
			return chanye.Errorf(chanye.ECONFLICT, "%s 正在使用（服务在运行？），请先停止 / %s is in use (is chanye serving it?); stop it first", path, path)
		}
		return err
	}
	return nil // closing f releases the lock
}
