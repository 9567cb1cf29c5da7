package machine

import (
	"testing"

	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// chaseReport replays `emu trace gen chase --size 1GiB --count N` on the
// default machine with sets.
func chaseReport(t *testing.T, count uint64, sets ...string) *report.Report {
	t.Helper()
	r, err := traces.Generate("chase", traces.GenParams{Size: 1 << 30, Count: count})
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildFrom("default", sets...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := m.Run(r, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func stlbMisses(t *testing.T, r *report.Report) uint64 {
	for _, tl := range r.Translation.TLBs {
		if tl.Name == "stlb" {
			return tl.Misses
		}
	}
	t.Fatal("no stlb in the report")
	return 0
}

func cpiCycles(r *report.Report, level string) uint64 {
	for _, s := range r.Breakdown {
		if s.Level == level {
			return s.Cycles
		}
	}
	return 0
}

// Transparent huge pages end to end, as thp.c's chase over 1 GiB: with
// os.thp: always a plain trace's first touches get 2 MiB pages (the
// chase's 1 GiB takes 512 faults, not one per 4 KiB page touched), which
// the STLB holds all of, so its misses and the walks fall by 90% and more
// and the run takes fewer cycles (Linux on thp.c's chase: 1.5-2x faster).
// A huge-page fault costs one fault's entry and exit and 512 pages'
// zeroing, not 512 faults.
func TestTHPAlwaysChase(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 200,000 loads over 1 GiB twice")
	}
	const count = 200_000
	small, huge := chaseReport(t, count, "os.thp=never"), chaseReport(t, count, "os.thp=always")
	sm, hm := stlbMisses(t, small), stlbMisses(t, huge)
	t.Logf("4 KiB pages: %d cycles, %d STLB misses, %d walks; THP: %d cycles, %d STLB misses, %d walks",
		small.Cycles, sm, small.Translation.Walks, huge.Cycles, hm, huge.Translation.Walks)
	if hm*10 > sm || huge.Translation.Walks*10 > small.Translation.Walks {
		t.Errorf("STLB misses %d -> %d, walks %d -> %d: want a fall of 90%% or more", sm, hm, small.Translation.Walks, huge.Translation.Walks)
	}
	if huge.Cycles >= small.Cycles {
		t.Errorf("cycles %d with 4 KiB pages, %d with huge pages: want fewer", small.Cycles, huge.Cycles)
	}
	f := huge.Translation.Faults
	if f.Get("thp") == 0 || f.Get("thp") != f.Get("minor") || f.Get("thp") > 1<<30>>21+1 {
		t.Errorf("THP always: faults %v; want every first touch a huge page, at most one per 2 MiB (and the code's)", f)
	}
	if small.Translation.Faults.Get("thp") != 0 {
		t.Errorf("THP never: %d huge pages", small.Translation.Faults.Get("thp"))
	}
	c, err := config.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	fault, zero := c.Reader().Count("os.fault_cycles"), c.Reader().Count("os.zero_cycles")
	perFault := cpiCycles(huge, "faults") / f.Get("thp")
	want := fault + 512*zero
	if perFault < want*95/100 || perFault > want*105/100 {
		t.Errorf("a huge-page fault costs %d cycles; want about %d (one fault, 512 pages zeroed), not %d (512 faults)",
			perFault, want, 512*(fault+zero))
	}
}
