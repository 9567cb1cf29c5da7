package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/sweep"
)

const smallSweep = "testdata/sweep/small.yaml"

func TestSweepPlan(t *testing.T) {
	code, out, stderr := emu(t, "", "sweep", "plan", smallSweep)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "sweep-plan.jsonl", out)
}

// A sweep's results, run by emu sweep run and collected, are those of
// emu run on each point.
func TestSweepRunMatchesEmuRun(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := emu(t, "", "sweep", "run", smallSweep, "-j", "2", "-o", out)
	if code != 0 || stdout != "12 points: ran 12 (0 failed), 0 done before; results in "+out+"\n" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = emu(t, "", "sweep", "collect", out)
	if code != 0 || !strings.HasPrefix(stdout, "12 points: 12 ok, 0 failed, 0 missing; wrote ") {
		t.Fatalf("collect: exit %d, %q", code, stdout)
	}
	rows := readCSV(t, filepath.Join(out, "results.csv"))
	if len(rows) != 13 {
		t.Fatalf("results.csv: %d rows, want a header and 12", len(rows))
	}
	head := rows[0]
	if strings.Join(head[:8], ",") != "id,status,l1d.ways,l2.size,trace,seed,cycles,amat" {
		t.Errorf("header %v", head)
	}
	for _, row := range rows[1:] {
		code, js, stderr := emu(t, "", "run", "--set", "l1d.ways="+row[2], "--set", "l2.size="+row[3], "--json", "-", "testdata/sweep/"+row[4])
		if code != 0 {
			t.Fatalf("emu run: %s", stderr)
		}
		var rep struct{ Cycles uint64 }
		json.Unmarshal([]byte(js), &rep)
		if strconv.FormatUint(rep.Cycles, 10) != row[6] {
			t.Errorf("%v: sweep says %s cycles, emu run %d", row[:5], row[6], rep.Cycles)
		}
	}
	// Run again: nothing left to do.
	_, stdout, _ = emu(t, "", "sweep", "run", smallSweep, "-o", out)
	if !strings.Contains(stdout, "ran 0 (0 failed), 12 done before") {
		t.Errorf("second run: %q", stdout)
	}
}

func TestSweepBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	write("a.trace", " L 10,8\n")
	unknown := write("unknown.yaml", "params:\n  l2.sise: [1MiB]\ntraces: [a.trace]\n")
	noMatch := write("nomatch.yaml", "traces: [\"*.gz\"]\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "run", unknown}, "emu: " + unknown + ":2: l2.sise: unknown key; did you mean l2.size?\n"},
		{[]string{"sweep", "plan", noMatch}, "emu: " + noMatch + ":1: traces: \"*.gz\" matches no file\n"},
		{[]string{"sweep", "run", smallSweep, "--shard", "2/2"}, "emu: --shard 2/2: I must be at least 0 and below N (shards count from 0, as Slurm array task ids do)\n"},
		{[]string{"sweep", "run", smallSweep, "-j", "0"}, "emu: --jobs 0: give at least 1\n"},
		{[]string{"sweep", "submit", smallSweep}, "emu: --backend \"\": give slurm or local\n"},
		{[]string{"sweep", "collect", dir}, "emu: " + dir + ": not a sweep's result folder"},
		{[]string{"sweep", "plan", filepath.Join(dir, "none.yaml")}, "emu: " + filepath.Join(dir, "none.yaml") + ": no such file or directory\n"},
	} {
		code, _, stderr := emu(t, "", tc.args...)
		if code != 2 || !strings.HasPrefix(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}

// The dry run prints both batch scripts; paths are replaced with names so
// the golden file holds on any machine.
func TestSweepSubmitDryRun(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := emu(t, "", "sweep", "submit", smallSweep, "--backend", "slurm", "--dry-run", "--max-array", "5",
		"-o", out, "--sbatch-arg=--partition=debug")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	abs, _ := filepath.Abs("testdata/sweep")
	stdout = strings.NewReplacer(exe, "EMU", out, "OUT", abs, "TESTDATA").Replace(stdout)
	golden(t, "sweep-submit-dry-run.txt", stdout)
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("a dry run wrote %d files", len(ents))
	}
}

// With a stand-in sbatch on the PATH, submit writes the scripts, submits
// the array and chains the collect job to it.
func TestSweepSubmitSlurm(t *testing.T) {
	bin, out := t.TempDir(), t.TempDir()
	log := filepath.Join(bin, "calls")
	fake := "#!/bin/sh\necho \"$@\" >> " + log + "\necho 4242\n"
	os.WriteFile(filepath.Join(bin, "sbatch"), []byte(fake), 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	code, stdout, stderr := emu(t, "", "sweep", "submit", smallSweep, "--backend", "slurm", "--max-array", "4", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "submitted job array 4242 (12 points in 4 tasks) and collect job 4242; results in "+out+"\n" {
		t.Errorf("stdout %q", stdout)
	}
	calls, _ := os.ReadFile(log)
	want := "--parsable " + out + "/slurm/run.sbatch\n--parsable --dependency=afterok:4242 " + out + "/slurm/collect.sbatch\n"
	if string(calls) != want {
		t.Errorf("sbatch calls:\n%s\nwant:\n%s", calls, want)
	}
	for _, f := range []string{"points.jsonl", "sweep.json", "slurm/run.sbatch", "slurm/collect.sbatch"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// The local backend runs and collects in one go; compare finds two runs
// equal, and finds a changed metric.
func TestSweepSubmitLocalAndCompare(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, out := range []string{a, b} {
		code, stdout, stderr := emu(t, "", "sweep", "submit", smallSweep, "--backend", "local", "-o", out, "-j", "2")
		if code != 0 || !strings.Contains(stdout, "12 points: 12 ok, 0 failed, 0 missing") {
			t.Fatalf("exit %d, %q, %q", code, stdout, stderr)
		}
	}
	if code, stdout, _ := emu(t, "", "sweep", "compare", a, b); code != 0 || stdout != "12 points, the same in both\n" {
		t.Errorf("compare: exit %d, %q", code, stdout)
	}
	results, _ := filepath.Glob(filepath.Join(b, "results", "*.json"))
	data, _ := os.ReadFile(results[0])
	var r map[string]any
	json.Unmarshal(data, &r)
	r["metrics"].(map[string]any)["cycles"] = 1
	data, _ = json.Marshal(r)
	os.WriteFile(results[0], data, 0o644)
	code, stdout, stderr := emu(t, "", "sweep", "compare", a, b)
	if code != 1 || !strings.Contains(stdout, ": cycles: ") || stderr != "emu: 1 differences\n" {
		t.Errorf("compare after a change: exit %d, %q, %q", code, stdout, stderr)
	}
}

// collect of an unfinished sweep writes the tables and fails.
func TestSweepCollectMissing(t *testing.T) {
	out := t.TempDir()
	emu(t, "", "sweep", "run", smallSweep, "-o", out, "--shard", "0/3")
	code, stdout, stderr := emu(t, "", "sweep", "collect", out)
	if code != 1 || !strings.Contains(stdout, "12 points: 4 ok, 0 failed, 8 missing") || stderr != "emu: "+out+": 8 points have no result yet\n" {
		t.Errorf("exit %d, %q, %q", code, stdout, stderr)
	}
}

func TestEmuVersion(t *testing.T) {
	if v := emuVersion(); v == "" {
		t.Error("no version")
	}
	old := version
	defer func() { version = old }()
	version = "v1.2.3"
	if emuVersion() != "v1.2.3" {
		t.Error("the version set at build time is not used")
	}
}

// Two runs on one folder: the second refuses (exit 2), naming the holder;
// a folder of another sweep is refused; an output that would inject a
// command into the batch script is refused.
func TestSweepHostileFolders(t *testing.T) {
	out := t.TempDir()
	release, err := sweep.Lock(out, sweep.Shard{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := emu(t, "", "sweep", "run", smallSweep, "-o", out, "-q")
	if code != 2 || !strings.Contains(stderr, "the sweep there is being run by pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("while locked: exit %d, %q", code, stderr)
	}
	release()
	if code, _, stderr := emu(t, "", "sweep", "run", smallSweep, "-o", out, "-q"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	writeTemp(t, dir, "t.trace", []byte(tinyTrace))
	other := writeTemp(t, dir, "other.yaml", []byte("params: {l2.ways: [4, 8]}\ntraces: [t.trace]\n"))
	code, _, stderr = emu(t, "", "sweep", "run", other, "-o", out, "-q")
	if code != 2 || !strings.Contains(stderr, "holds the results of the sweep ") {
		t.Errorf("another sweep's folder: exit %d, %q", code, stderr)
	}
	bad := writeTemp(t, dir, "bad.yaml", []byte("traces: [t.trace]\noutput: \"o\\n touch /tmp/pwned\"\n"))
	code, stdout, stderr := emu(t, "", "sweep", "submit", bad, "--backend", "slurm", "--dry-run")
	if code != 2 || !strings.Contains(stderr, "bad.yaml:2: output: ") || strings.Contains(stdout, "pwned") {
		t.Errorf("injection: exit %d, %q, %q", code, stdout, stderr)
	}
	code, stdout, stderr = emu(t, "", "sweep", "submit", other, "--backend", "slurm", "--dry-run", "-o", filepath.Join(dir, "o\n touch x"))
	if code != 2 || !strings.Contains(stderr, "control character") || strings.Contains(stdout, "touch") {
		t.Errorf("injection by -o: exit %d, %q, %q", code, stdout, stderr)
	}
}
