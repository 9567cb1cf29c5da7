package cpu

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

func fetched(ip uint64, refs ...traces.MemRef) traces.Instr {
	in := traces.Instr{IP: ip, Size: 4, NMem: uint8(len(refs))}
	copy(in.Mem[:], refs)
	return in
}

// The coursework model: every access waits for the one before it, so the
// cycles are the latencies added up, plus ExecLatency for each instruction
// without data accesses.
func TestInOrderSumOfLatencies(t *testing.T) {
	near := traces.MemRef{Addr: 0x200, Size: 8}
	far := traces.MemRef{Addr: farBase, Size: 8}
	farStore := traces.MemRef{Addr: farBase, Size: 8, Store: true}
	tests := []struct {
		name  string
		exec  sim.Cycle
		ins   []traces.Instr
		want  uint64
		stack map[string]uint64
	}{
		{"fetch and hit", 0, []traces.Instr{fetched(0x100, near)}, 4 + 4, map[string]uint64{"l1": 8}},
		{"load from memory, no fetch", 0, []traces.Instr{load(farBase)}, 200, map[string]uint64{"memory": 200}},
		{"fetch only, exec 1", 1, []traces.Instr{fetched(0x100)}, 4 + 1, map[string]uint64{"l1": 4, "base": 1}},
		{"fetch only, exec 0", 0, []traces.Instr{fetched(0x100)}, 4, map[string]uint64{"l1": 4}},
		{"modify of memory", 0, []traces.Instr{fetched(0x100, far, farStore)}, 4 + 200 + 200, map[string]uint64{"l1": 4, "memory": 400}},
		{"exec only without data", 3, []traces.Instr{fetched(0x100, near), fetched(0x104)}, 4 + 4 + 4 + 3, map[string]uint64{"l1": 12, "base": 3}},
	}
	for _, tc := range tests {
		for _, async := range []bool{false, true} {
			name := tc.name
			if async {
				name += "/async"
			}
			t.Run(name, func(t *testing.T) {
				eng := &sim.Engine{}
				mem := hitsAndMisses(t, eng, 200)
				mem.async = async
				r := runOn(t, inOrderConfig(tc.exec), mem, tc.ins, Options{})
				if r.Cycles != tc.want {
					t.Errorf("cycles = %d, want %d", r.Cycles, tc.want)
				}
				if diff := cmp.Diff(tc.stack, r.stack()); diff != "" {
					t.Errorf("stack (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// With ExecLatency 0 and a lackey-style trace (every instruction fetched),
// the cycles are exactly the sum of the access latencies the memory side gave.
func TestInOrderLackeyIsSumOfAccesses(t *testing.T) {
	for _, async := range []bool{false, true} {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 180)
		mem.async, mem.logging = async, true
		r := runOn(t, inOrderConfig(0), mem, lackey(5000, 3), Options{})
		var sum, count uint64
		for _, l := range mem.log {
			sum += uint64(l.done - l.issued)
			count++
		}
		var fromStats, n uint64
		for _, k := range []string{"fetch", "load", "store"} {
			fromStats += r.count(k + ".cycles")
			n += r.count(k + ".accesses")
		}
		if r.Cycles != sum || fromStats != sum || n != count {
			t.Errorf("async=%v: cycles %d, access stats %d (%d accesses), memory side's latencies %d (%d accesses)",
				async, r.Cycles, fromStats, n, sum, count)
		}
		if f := r.count("fetch.accesses"); f != 5000 {
			t.Errorf("fetches = %d, want 5000", f)
		}
	}
}

// Translation and kernel time come first in an access's life and are
// charged to their own components.
func TestInOrderTranslationAndFaults(t *testing.T) {
	eng := &sim.Engine{}
	mem := newFake(t, eng, region{lat: 300, depth: 1, tr: 40, fault: 100})
	r := runOn(t, inOrderConfig(0), mem, []traces.Instr{load(5), load(6)}, Options{})
	want := map[string]uint64{"translation": 80, "faults": 200, "l2": 320}
	for name, c := range want {
		if got := r.Component(name); got != c {
			t.Errorf("%s = %d, want %d", name, got, c)
		}
	}
	got := map[string]uint64{}
	for _, st := range r.stats.Under("core.load") {
		got[strings.TrimPrefix(st.Name, "core.load.")] = st.Value
	}
	want = map[string]uint64{"accesses": 2, "cycles": 600, "translation_cycles": 80, "fault_cycles": 200, "faulted": 0,
		"served_by.l1": 0, "served_by.l2": 2, "served_by.llc": 0, "served_by.memory": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("load counts (-want +got):\n%s", diff)
	}
}
