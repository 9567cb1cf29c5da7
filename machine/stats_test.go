package machine

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/traces"
)

// counted is what a run counted, and its machine.
type counted struct {
	stats map[string]uint64
	m     *Machine
}

// statsRun runs the first instructions of the matmul example on a fresh
// machine of the default configuration changed by sets.
func statsRun(t *testing.T, opt RunOptions, sets ...string) counted {
	t.Helper()
	m := build(t, "default", sets...)
	r, err := traces.Open("../examples/matmul.lackey.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := m.Run(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	return counted{rep.Stats, m}
}

// Warm-up resets the registry, every counter in it: on a machine where
// nothing is in flight when an instruction retires (the in-order core,
// memory of a fixed latency), a run with --warmup N counts what the whole
// run counts less what its first N instructions count, counter by counter.
func TestWarmupResetsEveryCounter(t *testing.T) {
	sets := []string{"core.model=inorder", "memory.model=fixed"}
	const n, all = 20000, 60000
	whole := statsRun(t, RunOptions{Max: all}, sets...)
	first := statsRun(t, RunOptions{Max: n}, sets...)
	rest := statsRun(t, RunOptions{Warmup: n, Max: all}, sets...)
	want := map[string]uint64{}
	for name, v := range whole.stats {
		want[name] = v - first.stats[name]
	}
	if diff := cmp.Diff(want, rest.stats); diff != "" {
		t.Errorf("after warm-up (-whole less the first %d +warmed up):\n%s", n, diff)
	}
	for _, name := range []string{"core.instructions", "l1d.load.hits", "walker.reads_at.l1d", "pwc.pde.hits", "dtlb.hits", "os.faults.minor"} {
		if rest.stats[name] == 0 || first.stats[name] == 0 {
			t.Errorf("%s: %d in the first instructions, %d after: the check above checks nothing", name, first.stats[name], rest.stats[name])
		}
	}
}

// A report is read from the registry and the machine's layout alone:
// built again after a reset, every number in it is zero.
func TestReportReadsOnlyTheRegistry(t *testing.T) {
	for _, sets := range [][]string{nil, {"memory.model=fixed", "levels=l1i+l1d,l2"}} {
		r := statsRun(t, RunOptions{Max: 5000}, sets...)
		r.m.Stats.Reset()
		for name, rep := range map[string]any{
			"trace":    r.m.reportCPU(cpu.Result{}, "x"),
			"scenario": r.m.reportProgram(cpu.Result{}, "x"),
		} {
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			json.Unmarshal(b, &doc)
			if nz := nonZero(doc, ""); len(nz) > 0 {
				t.Errorf("%v, %s report: after a reset, not zero: %v", sets, name, nz)
			}
		}
	}
}

// nonZero lists the paths of the numbers in a decoded JSON value that are
// not 0.
func nonZero(v any, path string) []string {
	var out []string
	switch x := v.(type) {
	case float64:
		if x != 0 {
			out = append(out, fmt.Sprintf("%s=%v", path, x))
		}
	case map[string]any:
		for k, e := range x {
			out = append(out, nonZero(e, path+"."+k)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, nonZero(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	sort.Strings(out)
	return out
}

// Every counter of a whole machine (DRAM banks, disk, swap, kernel, MMU,
// core) says what it counts.
func TestEveryCounterHasADoc(t *testing.T) {
	r := statsRun(t, RunOptions{Max: 1000}, "dram.per_bank_stats=true")
	infos := r.m.Stats.Infos()
	if len(infos) < 300 {
		t.Errorf("only %d counters registered", len(infos))
	}
	for _, i := range infos {
		if i.Doc == "" {
			t.Errorf("%s has no doc", i.Name)
		}
	}
	for _, prefix := range []string{"l1d", "dram", "disk", "swap", "os", "os.faults", "mmu", "walker", "pwc", "dtlb", "core"} {
		if len(r.m.Stats.Under(prefix)) == 0 {
			t.Errorf("nothing registered under %s", prefix)
		}
	}
}

// A machine runs once: its core's counters join the registry for one run.
func TestSecondRunRefused(t *testing.T) {
	r := statsRun(t, RunOptions{Max: 10})
	if _, err := r.m.RunInstrs([]traces.InstrReader{loads(10, 1<<20, false)}, RunOptions{}); err == nil {
		t.Error("a second run on one machine was not refused")
	}
}
