//go:build unix

package sweep

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an flock on f without waiting: exclusive, or shared. It
// returns false if another open file holds it, and an error if the file
// system has no flock.
func tryLock(f *os.File, exclusive bool) (bool, error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

func unlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// alive says whether the holder named by a lock file may still run: a
// process of that pid on this host (it may be another that took the pid
// over; that errs on the safe side). Another host's cannot be told.
func alive(l lockInfo) bool {
	if l.Host != hostname() {
		return true
	}
	err := syscall.Kill(l.PID, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
