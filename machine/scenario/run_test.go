package scenario

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// runExample runs a scenario of traces/examples on the default machine with
// the scenario's own settings, and fails on any stated value that did not
// match.
func runExample(t *testing.T, name string, sets ...string) (*machine.Machine, *report.Report) {
	t.Helper()
	s, err := traces.ReadScenario(filepath.Join("..", "..", "traces", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	m, rep := runScenario(t, s, sets...)
	if len(rep.Scenario.Mismatches) > 0 {
		t.Errorf("%s: stated values did not match: %+v", name, rep.Scenario.Mismatches)
	}
	return m, rep
}

// runScenario runs a scenario on the default machine with the scenario's
// own settings, then sets.
func runScenario(t *testing.T, s *traces.Scenario, sets ...string) (*machine.Machine, *report.Report) {
	t.Helper()
	cfg, err := config.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range append(s.Settings(), sets...) {
		if err := cfg.SetArg(kv); err != nil {
			t.Fatal(err)
		}
	}
	m, err := machine.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(m, s)
	if err != nil {
		t.Fatal(err)
	}
	return m, rep
}

// faults lists each process's fault counts by name, those not 0 only.
func faults(rep *report.Report) []map[string]uint64 {
	var out []map[string]uint64
	for _, p := range rep.Scenario.Processes {
		m := map[string]uint64{}
		for _, c := range p.Faults {
			if c.N != 0 {
				m[c.Name] = c.N
			}
		}
		out = append(out, m)
	}
	return out
}

func TestScenarioMmapcopy(t *testing.T) {
	m, rep := runExample(t, "mmapcopy.emu")
	file, err := m.Kernel.FileContents("input.dat")
	if err != nil {
		t.Fatal(err)
	}
	if out := rep.Scenario.Processes[0].Stdout; !bytes.Equal([]byte(out), file) {
		t.Errorf("stdout (%d bytes) differs from the file (%d bytes)", len(out), len(file))
	}
	if diff := cmp.Diff([]map[string]uint64{{"major": 5}}, faults(rep)); diff != "" {
		t.Errorf("faults: one major fault per page on a cold cache (-want +got):\n%s", diff)
	}
}

func TestScenarioShared(t *testing.T) {
	m, rep := runExample(t, "shared.emu")
	p1, p2 := m.Kernel.Process(1), m.Kernel.Process(2)
	pa1, ok1 := m.Kernel.Resolve(p1, 0x10001010)
	pa2, ok2 := m.Kernel.Resolve(p2, 0x20001010)
	if !ok1 || !ok2 || pa1 != pa2 {
		t.Errorf("the two mappings resolve to %#x (%v) and %#x (%v); want one frame", pa1, ok1, pa2, ok2)
	}
	file, _ := m.Kernel.FileContents("shared.dat")
	if got := le(file[0x1010:]); got != 0x1111 {
		t.Errorf("after msync the file holds %#x at 0x1010, want 0x1111", got)
	}
	if rep.Scenario.COWCopies != 0 {
		t.Errorf("COW copies = %d in a shared mapping", rep.Scenario.COWCopies)
	}
}

func le(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func TestScenarioPrivate(t *testing.T) {
	m, rep := runExample(t, "private.emu")
	if got := rep.Scenario.Processes[0].Faults.Get("cow"); got != 2 {
		t.Errorf("COW faults of the writer = %d, want 2 (one per written page)", got)
	}
	file, _ := m.Kernel.FileContents("object.dat")
	for o := 0; o+8 <= len(file); o += 8 {
		if le(file[o:]) != uint64(o) {
			t.Fatalf("the file changed at %#x", o)
		}
	}
	if got := rep.Scenario.Total.Get("segv"); got != 1 {
		t.Errorf("SIGSEGVs = %d, want 1 (the reader's write)", got)
	}
}

func TestScenarioFork(t *testing.T) {
	_, rep := runExample(t, "fork.emu")
	// Each fault is a minor one, as getrusage counts them: the parent's 4
	// first touches and 4 writes that reuse the pages, the child's 4 copies.
	want := []map[string]uint64{{"minor": 8, "reuse": 4}, {"minor": 4, "cow": 4}}
	if diff := cmp.Diff(want, faults(rep)); diff != "" {
		t.Errorf("the child copies 4 pages; the parent, alone after, copies none (-want +got):\n%s", diff)
	}
}

func TestScenarioExecve(t *testing.T) {
	_, rep := runExample(t, "execve.emu")
	s := rep.Scenario.Processes[0].Signals
	if len(s) != 1 || s[0].Addr != 0x400000 || s[0].Cause != "write to a read-only area" {
		t.Errorf("signals %+v; want one, a write to text", s)
	}
}

func TestScenarioPressure(t *testing.T) {
	_, rep := runExample(t, "pressure.emu")
	s := rep.Scenario
	if s.SwapOuts < 64 || s.SwapIns < 64 || s.Total.Get("major") < 64 {
		t.Errorf("swap outs %d, ins %d, major faults %d: want at least 64 each", s.SwapOuts, s.SwapIns, s.Total.Get("major"))
	}
}

func TestScenarioDeterministic(t *testing.T) {
	_, a := runExample(t, "pressure.emu")
	_, b := runExample(t, "pressure.emu")
	if a.Cycles != b.Cycles {
		t.Errorf("two runs: %d and %d cycles", a.Cycles, b.Cycles)
	}
}
