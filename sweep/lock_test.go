package sweep

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// deadPID is the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run true:", err)
	}
	return cmd.Process.Pid
}

func writeLockFile(t *testing.T, path string, l lockInfo) {
	t.Helper()
	data, _ := json.Marshal(l)
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A second run on a folder that a live run holds refuses, naming the
// holder; once it lets go, the folder is free.
func TestLockRefusesSecondRun(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	release, err := Lock(s.Output, Shard{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), s, Options{Jobs: 1})
	want := "being run by pid " + strconv.Itoa(os.Getpid()) + " on host " + hostname() + " since "
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("second run: %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(s.Output, ResultsDir)); err == nil {
		if ents, _ := os.ReadDir(filepath.Join(s.Output, ResultsDir)); len(ents) > 0 {
			t.Errorf("the refused run wrote %d results", len(ents))
		}
	}
	release()
	if sum, err := Run(context.Background(), s, Options{Jobs: 2}); err != nil || sum.Ran != 12 {
		t.Fatalf("after the release: %+v, %v", sum, err)
	}
	if _, err := os.Stat(filepath.Join(s.Output, "run.lock")); err == nil {
		t.Error("the lock file outlived the run")
	}
}

// A lock file left by a run that is gone (a dead pid of this host) is
// taken over, with a note; one of another host is refused with the file
// to remove, and left as it is.
func TestStaleLocks(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	lock := filepath.Join(s.Output, "run.lock")
	pid := deadPID(t)
	writeLockFile(t, lock, lockInfo{PID: pid, Host: hostname(), Started: "2026-01-01T00:00:00Z", Shard: "all"})
	var notes []string
	sum, err := Run(context.Background(), s, Options{Jobs: 2, Note: func(m string) { notes = append(notes, m) }})
	if err != nil || sum.Ran != 12 {
		t.Fatalf("%+v, %v", sum, err)
	}
	want := "taking over the lock of pid " + strconv.Itoa(pid) + " on host " + hostname() + " since 2026-01-01T00:00:00Z, which is no longer running"
	if len(notes) != 1 || !strings.Contains(notes[0], want) {
		t.Errorf("notes %q, want one with %q", notes, want)
	}
	elsewhere := lockInfo{PID: 1, Host: "elsewhere.example", Started: "2026-01-01T00:00:00Z", Shard: "all"}
	writeLockFile(t, lock, elsewhere)
	_, err = Run(context.Background(), s, Options{Jobs: 1})
	if err == nil || !strings.Contains(err.Error(), "pid 1 on host elsewhere.example") || !strings.Contains(err.Error(), "remove "+lock) {
		t.Errorf("another host's lock: %v", err)
	}
	if l := readLock(lock); l == nil || *l != elsewhere {
		t.Errorf("the other host's lock file became %+v", l)
	}
}

// Disjoint shards run side by side (a Slurm array); a run that shares a
// point with a running shard refuses.
func TestShardLocks(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	release, err := Lock(s.Output, Shard{Index: 0, Count: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, tc := range []struct {
		sh   Shard
		free bool
	}{
		{Shard{Index: 1, Count: 2}, true},
		{Shard{Index: 1, Count: 4}, true},  // points 1, 5, 9: all odd
		{Shard{Index: 3, Count: 6}, true},  // 3, 9
		{Shard{}, false},                   // the whole plan
		{Shard{Index: 0, Count: 2}, false}, // the same shard
		{Shard{Index: 2, Count: 4}, false}, // 2, 6, 10: even
		{Shard{Index: 1, Count: 3}, false}, // 1, 4, 7, 10: 4 and 10 are even
	} {
		r, err := Lock(s.Output, tc.sh, nil)
		if (err == nil) != tc.free {
			t.Errorf("shard %s: %v, want free %v", shardName(tc.sh), err, tc.free)
		}
		if err == nil {
			r()
		}
	}
}

// A folder holding another sweep's plan is refused; the same sweep is
// resumed, and so is one whose plan is the same (a moved folder).
func TestOtherSweepsFolder(t *testing.T) {
	a := mustLoad(t, sweepDir(t, twelve))
	if _, err := Run(context.Background(), a, Options{Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	b := mustLoad(t, sweepDir(t, "params: {l2.ways: [4, 8]}\ntraces: [a.trace]\n"))
	b.Output = a.Output
	_, err := Run(context.Background(), b, Options{Jobs: 1})
	abs, _ := filepath.Abs(a.Path)
	if err == nil || !strings.Contains(err.Error(), "holds the results of the sweep "+abs) {
		t.Fatalf("another sweep: %v", err)
	}
	plan, _ := os.ReadFile(filepath.Join(a.Output, PlanFile))
	if sum, err := Run(context.Background(), a, Options{Jobs: 2}); err != nil || sum.Skipped != 12 {
		t.Errorf("resuming: %+v, %v", sum, err)
	}
	c := mustLoad(t, sweepDir(t, twelve)) // another file, the same plan
	c.Output = a.Output
	if sum, err := Run(context.Background(), c, Options{Jobs: 2}); err != nil || sum.Skipped != 12 {
		t.Errorf("the same plan from another file: %+v, %v", sum, err)
	}
	if now, _ := os.ReadFile(filepath.Join(a.Output, PlanFile)); string(now) != string(plan) {
		t.Error("the plan changed")
	}
	if err := Prepare(b, Plan(b)); err == nil {
		t.Error("Prepare (sweep submit) laid another sweep over the folder")
	}
}
