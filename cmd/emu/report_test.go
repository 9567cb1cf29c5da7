package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every report says how it was made: emu's version, the preset or file,
// and each --set as given, in the text's first lines and in the JSON.
func TestReportSaysHowItWasMade(t *testing.T) {
	trace := refdata(t, "cachelab/traces/yi.trace")
	sets := []string{"--set", "l1.ways=2", "--set", "l1.size=2KiB"}
	rep := runJSON(t, append(append([]string{"-c", "cachelab"}, sets...), trace)...)
	if rep["version"] != emuVersion() || rep["config"] != "cachelab" {
		t.Errorf("version %v, config %v", rep["version"], rep["config"])
	}
	want := []any{map[string]any{"key": "l1.ways", "value": "2"}, map[string]any{"key": "l1.size", "value": "2KiB"}}
	if diff := cmp.Diff(want, rep["overrides"]); diff != "" {
		t.Errorf("overrides (-want +got):\n%s", diff)
	}
	_, out, _ := emu(t, "", append(append([]string{"run", "-c", "cachelab"}, sets...), trace)...)
	head := strings.SplitN(out, "\n", 3)
	if head[0] != "vmemu run: "+trace+" (cachelab) on cachelab --set l1.ways=2 --set l1.size=2KiB" ||
		head[1] != "vmemu version "+emuVersion() {
		t.Errorf("header:\n%s\n%s", head[0], head[1])
	}
	if none := runJSON(t, trace); none["overrides"] == nil || len(none["overrides"].([]any)) != 0 {
		t.Errorf("no --set: overrides %v, want []", none["overrides"])
	}
	if _, out, _ := emu(t, "", "--version"); out != "emu version "+emuVersion()+"\n" {
		t.Errorf("--version: %q", out)
	}
}

// One naming style: the dram object of emu run --json is snake_case like
// the rest, and a quantity emu dram --json also gives has its key there.
func TestDRAMKeysMatchEmuDRAM(t *testing.T) {
	rep := runJSON(t, "--max", "20000", refdata(t, "lackey/matmul.lackey.gz"))
	runDRAM := rep["dram"].(map[string]any)
	dir := t.TempDir()
	trace := writeFile(t, dir, "d.trace", "0x0 READ 0\n0x40 WRITE 10\n")
	code, out, stderr := emu(t, "", "dram", "--json", "-", trace)
	if code != 0 {
		t.Fatal(stderr)
	}
	var alone map[string]any
	if err := json.Unmarshal([]byte(out), &alone); err != nil {
		t.Fatal(err)
	}
	snake := regexp.MustCompile(`^[a-z0-9_]+$`)
	for k := range runDRAM {
		if !snake.MatchString(k) {
			t.Errorf("emu run --json: dram.%s is not snake_case", k)
		}
	}
	for _, k := range []string{"reads", "writes", "forwarded_reads", "merged_writes", "act", "pre", "rd", "wr", "ref",
		"row_hits", "row_misses", "row_conflicts", "row_hit_rate", "avg_read_latency_cycles",
		"read_latency_p50_cycles", "read_latency_p95_cycles", "read_latency_p99_cycles",
		"avg_read_queue", "avg_write_queue", "bandwidth_gbps"} {
		_, inRun := runDRAM[k]
		_, inDRAM := alone[k]
		if !inRun || !inDRAM {
			t.Errorf("%s: in emu run's dram %v, in emu dram's %v", k, inRun, inDRAM)
		}
	}
}

// A key that has no effect under the rest of the configuration is a
// warning naming both keys, in emu run and emu config show; a preset's own
// values are not.
func TestInertKeyWarnings(t *testing.T) {
	trace := refdata(t, "cachelab/traces/yi.trace")
	const warning = "emu: warning: --set memory.latency=300: memory.latency has no effect with memory.model: dram (preset default:23); it applies with memory.model: fixed\n"
	for _, args := range [][]string{
		{"run", "--set", "memory.latency=300", trace},
		{"config", "show", "--set", "memory.latency=300"},
	} {
		code, _, stderr := emu(t, "", args...)
		if code != 0 || stderr != warning {
			t.Errorf("%v: exit %d, stderr %q, want %q", args, code, stderr, warning)
		}
	}
	for _, args := range [][]string{{"run", "-c", "cachelab", trace}, {"config", "show", "cachegrind"},
		{"run", "--set", "memory.model=fixed", "--set", "memory.latency=300", trace}} {
		if _, _, stderr := emu(t, "", args...); stderr != "" {
			t.Errorf("%v: stderr %q, want nothing", args, stderr)
		}
	}
}

// Files written by --json and --timeline are for everyone to read, like
// the others (0644).
func TestRunOutputModes(t *testing.T) {
	dir := t.TempDir()
	js, tl := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.json")
	if code, _, stderr := emu(t, "", "run", "--json", js, "--timeline", tl, "--timeline-count", "10", refdata(t, "cachelab/traces/yi.trace")); code != 0 {
		t.Fatal(stderr)
	}
	for _, p := range []string{js, tl} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, %v; want 0644", p, st.Mode(), err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// --interval without --interval-csv writes in the working folder, not
// beside the trace (whose folder may be another's, or read-only).
func TestIntervalDefaultPath(t *testing.T) {
	traceDir, work := t.TempDir(), t.TempDir()
	trace := writeFile(t, traceDir, "t.trace", strings.Repeat(" L 10,4\n S 2000,4\n", 100))
	code, _, stderr := emu(t, work, "run", "-c", "cachelab", "--interval", "50", trace)
	if code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(work, "t.trace.interval.csv")); err != nil {
		t.Errorf("not in the working folder: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(traceDir, "*.csv")); len(left) > 0 {
		t.Errorf("written beside the trace: %v", left)
	}
}
