package sweep

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A run of a sweep (or of one shard of it) holds a lock file in the result
// folder, so that two runs of the same points at once do not both run
// them: the second refuses, saying who holds the lock. The file holds the
// holder's pid, host and start time; the lock itself is flock(2) on it,
// which the kernel lets go when the holder dies however it dies, so a
// lock file left by a killed run on this host is taken over, with a note.
// One left by a run on another host is refused even when its flock is
// free (network file systems may not carry flocks between hosts, so there
// is no telling whether that run is gone); the message says which file to
// remove if it is. Where there is no flock at all, a lock file naming a
// live pid of this host, or any other host, is held.
//
// Shards of one plan lock separately (run.lock.I-of-N): disjoint shards,
// as a Slurm array runs them, go on side by side; a run of the whole plan
// and any shard, or shards of two different splits that share a point,
// exclude each other.

// lockInfo is what a lock file says.
type lockInfo struct {
	PID     int    `json:"pid"`
	Host    string `json:"host"`
	Started string `json:"started"`
	Shard   string `json:"shard"` // "all" or "I/N"
}

func (l lockInfo) String() string {
	return fmt.Sprintf("pid %d on host %s since %s", l.PID, l.Host, l.Started)
}

func lockName(sh Shard) string {
	if sh.Count <= 1 {
		return "run.lock"
	}
	return fmt.Sprintf("run.lock.%d-of-%d", sh.Index, sh.Count)
}

func shardName(sh Shard) string {
	if sh.Count <= 1 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", sh.Index, sh.Count)
}

// overlap says whether two shards of one plan share a point: some i has
// i = a.Index mod a.Count and i = b.Index mod b.Count (the Chinese
// remainder theorem: exactly when the indexes agree modulo the gcd).
func overlap(a, b Shard) bool {
	if a.Count <= 1 || b.Count <= 1 {
		return true
	}
	g := gcd(a.Count, b.Count)
	return (a.Index-b.Index)%g == 0
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Lock takes the lock of shard sh of the sweep whose results go to out;
// note hears of a stale lock taken over. The returned function lets go.
func Lock(out string, sh Shard, note func(string)) (func(), error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(out, lockName(sh))
	f, old, err := takeLockFile(path)
	if err != nil {
		return nil, err
	}
	me := lockInfo{PID: os.Getpid(), Host: hostname(), Started: time.Now().UTC().Format(time.RFC3339), Shard: shardName(sh)}
	release := func() {
		os.Remove(path) // before the unlock: no one takes a lock on a removed file
		f.Close()
	}
	if old != nil {
		if old.Host != me.Host {
			f.Close() // the file stays: it is the other host's word
			return nil, fmt.Errorf("%s: the sweep there is being run by %s (if that run is gone, remove %s)", out, old, path)
		}
		if note != nil {
			note(fmt.Sprintf("%s: taking over the lock of %s, which is no longer running", out, old))
		}
	}
	data, _ := json.Marshal(me)
	if err := f.Truncate(0); err != nil {
		release()
		return nil, err
	}
	if _, err := f.WriteAt(append(data, '\n'), 0); err != nil {
		release()
		return nil, err
	}
	if err := checkOtherLocks(out, path, sh); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// takeLockFile opens and locks path, and returns what a holder that is
// gone left in it (nil if nothing). A live holder is an error naming it.
func takeLockFile(path string) (*os.File, *lockInfo, error) {
	for range 10 { // the file may be removed between open and lock
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, nil, err
		}
		old := readLock(path)
		taken, err := tryLock(f, true)
		if err == nil && !taken {
			f.Close()
			return nil, nil, heldError(path, old)
		}
		if err != nil { // no flock here (some network file systems): the file alone
			if old != nil && alive(*old) {
				f.Close()
				return nil, nil, heldError(path, old)
			}
		}
		if sameFile(f, path) {
			return f, readLock(path), nil
		}
		f.Close()
	}
	return nil, nil, fmt.Errorf("%s: the lock file keeps changing", path)
}

func heldError(path string, l *lockInfo) error {
	who := "another emu"
	if l != nil {
		who = l.String()
	}
	return fmt.Errorf("%s: the sweep there is being run by %s; wait for it, or run another shard", filepath.Dir(path), who)
}

// checkOtherLocks refuses when another live lock in out covers a point of
// shard sh.
func checkOtherLocks(out, mine string, sh Shard) error {
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		path := filepath.Join(out, e.Name())
		if !strings.HasPrefix(e.Name(), "run.lock") || path == mine {
			continue
		}
		l := readLock(path)
		if l == nil {
			continue
		}
		other, err := ParseShard(l.Shard)
		if l.Shard == "all" {
			other, err = Shard{}, nil
		}
		if err != nil || !overlap(sh, other) {
			continue
		}
		if held(path, *l) {
			return fmt.Errorf("%s: shard %s of the sweep there is being run by %s, and shares points with shard %s", out, l.Shard, l, shardName(sh))
		}
	}
	return nil
}

// held says whether the lock file at path is held by a live run.
func held(path string, l lockInfo) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	taken, err := tryLock(f, false)
	if err != nil {
		return alive(l)
	}
	if taken {
		unlock(f)
	}
	return !taken
}

func readLock(path string) *lockInfo {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return nil
	}
	var l lockInfo
	if json.Unmarshal(data, &l) != nil || l.PID == 0 {
		return nil
	}
	return &l
}

func sameFile(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
