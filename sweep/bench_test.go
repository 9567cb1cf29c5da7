package sweep

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkJobs runs a sweep of 48 short points (about 5 ms each) with
// one worker, then with two, and reports how many times faster two are
// (speedup-j2). On two idle cores the runner should keep both busy: 1.8
// or more. The results go to memory (/dev/shm) where there is one: on a
// slow disk, creating a file costs a fair part of such a short point and
// holds the folder's lock, which would measure the disk, not the runner.
func BenchmarkJobs(b *testing.B) {
	path := sweepDir(b, "params:\n  l2.ways: [4, 8, 16]\n  l1d.ways: [6, 12]\n  seed: {from: 1, to: 4, step: 1}\ntraces: [a.trace, b.trace]\n")
	s := mustLoad(b, path)
	out := memDir(b)
	runs := 0
	timeRun := func(jobs int) time.Duration {
		runs++
		t := *s
		t.Output = filepath.Join(out, fmt.Sprint(runs))
		start := time.Now()
		sum, err := Run(context.Background(), &t, Options{Jobs: jobs})
		if err != nil || sum.Ran != 48 || sum.Failed != 0 {
			b.Fatalf("%+v, %v", sum, err)
		}
		return time.Since(start)
	}
	// The fastest of the runs of each kind: other work on the machine only
	// ever adds time, so the minimum is the runner's own.
	one, two := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for b.Loop() {
		one = min(one, timeRun(1))
		two = min(two, timeRun(2))
	}
	b.ReportMetric(float64(one)/float64(two), "speedup-j2")
	b.ReportMetric(float64(two.Nanoseconds())/48, "ns/point-j2")
}

// memDir is a temporary folder in memory if the system has one.
func memDir(b *testing.B) string {
	dir, err := os.MkdirTemp("/dev/shm", "vmemu-bench")
	if err != nil {
		return b.TempDir()
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
