package mmu

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/replacement/replacementtest"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

var recorded = replacementtest.RegisterRecorder("test-record-lru")

// The TLBs' policy is told the instruction pointer and kind of the access
// behind each lookup and fill, and, being a registered policy, of every hit:
// Translate's fast path answers none of them.
func TestTLBPolicySeesTheAccess(t *testing.T) {
	tb := newTables(x86())
	tb.mapPage(0x401000, 0x10, 1, Present|Writable|User)
	m, err := New(Config{
		DTLB: tlb.Config{Name: "dtlb", Entries: 4, Ways: 4, Latency: 1, Replacement: "test-record-lru", PageShifts: []uint{12}},
	}, walker(t, tb, &fixedPort{latency: 10}, nil))
	if err != nil {
		t.Fatal(err)
	}
	m.Root = tb.root()
	for _, tr := range []*Translation{
		{VA: 0x401008, IP: 0x7000, Kind: sim.Load, User: true}, // a walk, then a fill
		{VA: 0x401010, IP: 0x7004, Kind: sim.Load, User: true}, // a hit
	} {
		if _, ok := m.Translate(0, tr); !ok || tr.Faulted {
			t.Fatalf("%#x: translation failed", tr.VA)
		}
	}
	want := []replacement.Access{
		{Set: 0, Way: 0, Addr: 0x401000, IP: 0x7000, Kind: sim.Load},
		{Set: 0, Way: 0, Addr: 0x401010, IP: 0x7004, Kind: sim.Load, Hit: true},
	}
	if diff := cmp.Diff(want, *recorded); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
