package tlb

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/replacement/replacementtest"
	"github.com/vmemu/vmemu/sim"
)

// recorded holds the calls of the last policy a test built by this name.
var recorded = replacementtest.RegisterRecorder("test-record-lru")

// A policy is told the set, way, address, instruction pointer and kind of
// every hit (repeats too: no memo answers for it), fill and victim choice,
// and on a fill the page it evicted.
func TestPolicyContext(t *testing.T) {
	tl := mustNew(t, Config{Name: "dtlb", Entries: 4, Ways: 2, Replacement: "test-record-lru", PageShifts: []uint{12}})
	if tl.SkipsRepeats() {
		t.Error("a registered policy's TLB skips repeat hits")
	}
	tl.FillFor(Entry{VPN: 0x10, PageShift: 12}, 0x400, sim.Load)  // set 0, way 0
	tl.FillFor(Entry{VPN: 0x12, PageShift: 12}, 0x404, sim.Store) // set 0, way 1
	tl.LookupFor(0x10_008, 0, 0x408, sim.Load)
	if _, ok := tl.Again(0x10_010, 0); ok {
		t.Error("Again answered for a policy that sees every hit")
	}
	tl.LookupFor(0x10_010, 0, 0x40c, sim.Fetch)
	tl.FillFor(Entry{VPN: 0x14, PageShift: 12}, 0x410, sim.Load) // evicts 0x12
	want := []replacement.Access{
		{Set: 0, Way: 0, Addr: 0x10_000, IP: 0x400, Kind: sim.Load},
		{Set: 0, Way: 1, Addr: 0x12_000, IP: 0x404, Kind: sim.Store},
		{Set: 0, Way: 0, Addr: 0x10_008, IP: 0x408, Kind: sim.Load, Hit: true},
		{Set: 0, Way: 0, Addr: 0x10_010, IP: 0x40c, Kind: sim.Fetch, Hit: true},
		{Set: 0, Way: -1, Addr: 0x14_000, IP: 0x410, Kind: sim.Load},
		{Set: 0, Way: 1, Addr: 0x14_000, IP: 0x410, Kind: sim.Load, Evicts: true, Evicted: 0x12_000},
	}
	if diff := cmp.Diff(want, *recorded); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
