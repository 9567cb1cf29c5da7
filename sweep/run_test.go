package sweep

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// singleRun runs a point the way emu run would, without the sweep code.
func singleRun(t *testing.T, dir string, p Point) *report.Report {
	t.Helper()
	cfg, err := config.Load(p.Base)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Set {
		if err := cfg.SetArg(s); err != nil {
			t.Fatal(err)
		}
	}
	m, err := machine.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := traces.Open(filepath.Join(dir, p.Trace))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := m.Run(r, machine.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func metric(t *testing.T, r Result, key string) float64 {
	t.Helper()
	var v float64
	if err := json.Unmarshal(r.Metrics[key], &v); err != nil {
		t.Fatalf("%s: metric %s = %s: %v", r.ID, key, r.Metrics[key], err)
	}
	return v
}

// The check: 2 parameters x 3 values x 2 traces give 12 results,
// each equal to a single run of its point.
func TestTwelvePointsEqualSingleRuns(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	sum, err := Run(context.Background(), s, Options{Jobs: 2, Version: "test"})
	if err != nil || sum.Ran != 12 || sum.Failed != 0 || sum.Points != 12 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	tab, err := Collect(s.Output)
	if err != nil {
		t.Fatal(err)
	}
	if ok, failed, missing := tab.Counts(); ok != 12 || failed+missing != 0 {
		t.Fatalf("collected %d ok, %d failed, %d missing", ok, failed, missing)
	}
	for _, r := range tab.Rows {
		rep := singleRun(t, s.Dir, r.Point)
		l1d := rep.Levels[1]
		if l1d.Name != "l1d" {
			t.Fatalf("level 1 is %s", l1d.Name)
		}
		if metric(t, r, "cycles") != float64(rep.Cycles) || metric(t, r, "amat") != rep.AMAT ||
			metric(t, r, "levels.l1d.miss_rate") != l1d.MissRate || metric(t, r, "levels.l2.misses") != float64(rep.Levels[2].Misses) {
			t.Errorf("%s %v: sweep %s, single run cycles %d amat %v l1d %v", r.ID, r.Point.Set, r.Metrics, rep.Cycles, rep.AMAT, l1d.MissRate)
		}
		// A counter of the registry, by its name: the level's load misses.
		if m := metric(t, r, "stats.l1d.load.misses"); m != float64(l1d.ByKind["load"].Misses) || m == 0 {
			t.Errorf("%s: stats.l1d.load.misses = %v, the single run's l1d missed %d loads", r.ID, m, l1d.ByKind["load"].Misses)
		}
		pv := r.Provenance
		if pv.EmuVersion != "test" || len(pv.ConfigHash) != 64 || len(pv.TraceSHA256) != 64 || pv.Seed != 1 || pv.WallSeconds <= 0 || pv.TracePath != r.Point.Trace {
			t.Errorf("provenance %+v", pv)
		}
	}
}

// cancelAfter cancels a run after n points, as a kill would stop it.
type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Add(int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		c.cancel()
	}
}

// Stopped midway, a sweep run again runs only the missing points, and
// leaves no partial file behind (the first run's temporary files included).
func TestResume(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	ctx, cancel := context.WithCancel(context.Background())
	first, err := Run(ctx, s, Options{Jobs: 2, Progress: &cancelAfter{n: 5, cancel: cancel}})
	if err != context.Canceled || first.Ran < 5 || first.Ran >= 12 {
		t.Fatalf("first run: %+v, %v", first, err)
	}
	done := resultFiles(t, s.Output)
	if len(done) != first.Ran {
		t.Fatalf("%d result files after %d points", len(done), first.Ran)
	}
	// A kill in the middle of a write leaves a temporary file, never a
	// result file.
	tmp := filepath.Join(s.Output, ResultsDir, "."+Plan(s)[11].ID+".json.tmp123")
	os.WriteFile(tmp, []byte(`{"schema": "vmemu.sweep-res`), 0o644)
	second, err := Run(context.Background(), s, Options{Jobs: 2})
	if err != nil || second.Skipped != first.Ran || second.Ran != 12-first.Ran {
		t.Fatalf("second run: %+v, %v (first ran %d)", second, err, first.Ran)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary file is still there")
	}
	if n := len(resultFiles(t, s.Output)); n != 12 {
		t.Errorf("%d result files", n)
	}
	third, _ := Run(context.Background(), s, Options{Jobs: 2})
	if third.Ran != 0 || third.Skipped != 12 {
		t.Errorf("third run: %+v", third)
	}
}

// resultFiles lists the results, and fails on anything else in the folder.
func resultFiles(t *testing.T, out string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(out, ResultsDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if _, err := ReadResult(filepath.Join(out, ResultsDir, e.Name())); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
		if info, _ := e.Info(); info.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", e.Name(), info.Mode())
		}
		names = append(names, e.Name())
	}
	return names
}

// A point that fails (a malformed trace; a configuration that cannot be
// made, such as a key of a level its levels leave out) is recorded with
// its error; the others run.
func TestFailingPointRecorded(t *testing.T) {
	for _, tc := range []struct {
		name, sweep string
		bad         func(Result) bool
		err         string
	}{
		{"malformed trace", "params: {l2.ways: [4, 8]}\ntraces: [a.trace, bad.trace]\n",
			func(r Result) bool { return r.Point.Trace == "bad.trace" }, "bad.trace:3"},
		{"missing level", "params:\n  levels: [\"l1i+l1d, l2, llc\", \"l1i+l1d, l2\"]\n  llc.size: [16MiB]\ntraces: [a.trace, b.trace]\n",
			func(r Result) bool { return !strings.Contains(r.Point.Set[0], "llc") }, "llc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := sweepDir(t, tc.sweep)
			os.WriteFile(filepath.Join(filepath.Dir(path), "bad.trace"), []byte(" L 10,8\n L 20,8\n Q 30,8\n"), 0o644)
			s := mustLoad(t, path)
			sum, err := Run(context.Background(), s, Options{Jobs: 2})
			if err != nil || sum.Ran != 4 || sum.Failed != 2 {
				t.Fatalf("%+v, %v", sum, err)
			}
			tab, _ := Collect(s.Output)
			for _, r := range tab.Rows {
				if bad := tc.bad(r); bad != (r.Status == Failed) || (bad && !strings.Contains(r.Error, tc.err)) {
					t.Errorf("%v on %s: %s %q", r.Point.Set, r.Point.Trace, r.Status, r.Error)
				}
			}
			// Failed points are done too, unless asked to retry them.
			again, _ := Run(context.Background(), s, Options{Jobs: 2})
			retry, _ := Run(context.Background(), s, Options{Jobs: 2, RetryFailed: true})
			if again.Ran != 0 || retry.Ran != 2 {
				t.Errorf("again %+v, retry %+v", again, retry)
			}
		})
	}
}

// Changing the base configuration file in place makes its points stale.
func TestChangedBaseRunsAgain(t *testing.T) {
	path := sweepDir(t, "base: m.yaml\nparams: {l2.ways: [4, 8]}\ntraces: [a.trace]\n")
	base := filepath.Join(filepath.Dir(path), "m.yaml")
	os.WriteFile(base, []byte("l2:\n  size: 512KiB\n"), 0o644)
	s := mustLoad(t, path)
	if sum, err := Run(context.Background(), s, Options{Jobs: 1}); err != nil || sum.Ran != 2 {
		t.Fatalf("%+v, %v", sum, err)
	}
	os.WriteFile(base, []byte("l2:\n  size: 1MiB\n"), 0o644)
	if sum, err := Run(context.Background(), s, Options{Jobs: 1}); err != nil || sum.Ran != 2 || sum.Skipped != 0 {
		t.Fatalf("after the change: %+v, %v", sum, err)
	}
}

// Shards split the plan without overlap, and a result does not depend on
// which shard or how many workers ran it.
func TestShardsMatchWholeRun(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	whole := *s
	whole.Output = filepath.Join(s.Dir, "whole")
	if _, err := Run(context.Background(), &whole, Options{Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range 5 {
		sum, err := Run(context.Background(), s, Options{Jobs: 2, Shard: Shard{i, 5}})
		if err != nil {
			t.Fatal(err)
		}
		total += sum.Ran
	}
	a, _ := Collect(whole.Output)
	b, _ := Collect(s.Output)
	if diffs := Compare(a, b); total != 12 || len(diffs) > 0 {
		t.Errorf("shards ran %d points; differences: %v", total, diffs)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want Shard
		err  bool
	}{{"0/4", Shard{0, 4}, false}, {"3/4", Shard{3, 4}, false}, {"4/4", Shard{}, true}, {"-1/4", Shard{}, true}, {"1/0", Shard{}, true}, {"x", Shard{}, true}, {"1/2/3", Shard{}, true}} {
		got, err := ParseShard(tc.s)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: %v, %v", tc.s, got, err)
		}
	}
}

// Scenario files run as traces, with their own settings under the point's.
func TestScenarioPoint(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../traces/examples/mmapcopy.emu")
	if err != nil {
		t.Skip("no example scenario:", err)
	}
	os.WriteFile(filepath.Join(dir, "m.emu"), src, 0o644)
	path := filepath.Join(dir, "s.yaml")
	os.WriteFile(path, []byte("params: {l2.ways: [4, 8]}\ntraces: [m.emu]\n"), 0o644)
	s := mustLoad(t, path)
	sum, err := Run(context.Background(), s, Options{Jobs: 2})
	if err != nil || sum.Ran != 2 || sum.Failed != 0 {
		t.Fatalf("%+v, %v", sum, err)
	}
}

// warmup and max reach the run: a shorter run has fewer instructions.
func TestWarmupAndMax(t *testing.T) {
	s := mustLoad(t, sweepDir(t, "traces: [a.trace]\nmetrics: [instructions]\nwarmup: 100\nmax: 1000\n"))
	if _, err := Run(context.Background(), s, Options{Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	tab, _ := Collect(s.Output)
	r := tab.Rows[0]
	if r.Point.Warmup != 100 || r.Point.Max != 1000 || metric(t, r, "instructions") != 900 {
		t.Errorf("%+v: instructions %s", r.Point, r.Metrics["instructions"])
	}
}

// A panic in a worker outside a point's run (which only fails the point)
// comes out of Run in the caller's goroutine, where emu reports it as an
// internal error; in the worker's goroutine it would kill the process.
func TestWorkerPanicReachesCaller(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	workerHook = func(p Point) {
		if p.Index == 5 {
			panic("worker bug")
		}
	}
	defer func() { workerHook = nil }()
	defer func() {
		wp, ok := recover().(*WorkerPanic)
		if !ok || wp.Value != "worker bug" || !strings.Contains(string(wp.Stack), "sweep.(*runner)") {
			t.Fatalf("recovered %v", wp)
		}
	}()
	Run(context.Background(), s, Options{Jobs: 2})
	t.Fatal("Run returned")
}

// A scenario point reads host files under its own folder only, unless the
// sweep file's allow_host names more (relative to the sweep file); a point
// that reads elsewhere fails, naming the path and the key.
func TestScenarioAllowHost(t *testing.T) {
	for _, c := range []struct {
		name, allow string
		failed      int
	}{
		{"not allowed", "", 1},
		{"allowed, relative", "allow_host: [other]\n", 0},
		{"allowed, one path", "allow_host: other/secret.txt\n", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"scn", "other"} {
				os.Mkdir(filepath.Join(dir, d), 0o755)
			}
			os.WriteFile(filepath.Join(dir, "other", "secret.txt"), []byte("secret"), 0o644)
			os.WriteFile(filepath.Join(dir, "scn", "own.txt"), []byte("own"), 0o644)
			os.WriteFile(filepath.Join(dir, "scn", "s.emu"), []byte("file a host=own.txt\nfile b host=../other/secret.txt\nfd = p1 open b\n"), 0o644)
			path := filepath.Join(dir, "s.yaml")
			os.WriteFile(path, []byte("traces: [scn/s.emu]\n"+c.allow), 0o644)
			s := mustLoad(t, path)
			sum, err := Run(context.Background(), s, Options{Jobs: 1})
			if err != nil || sum.Failed != c.failed {
				t.Fatalf("%+v, %v: want %d failed", sum, err, c.failed)
			}
			tab, _ := Collect(s.Output)
			if e := tab.Rows[0].Error; c.failed > 0 && !strings.Contains(e, "../other/secret.txt ("+filepath.Join(dir, "other", "secret.txt")+") is outside the scenario's folder; emu run --allow-host PATH (allow_host in a sweep file)") {
				t.Errorf("error %q", e)
			}
		})
	}
}
