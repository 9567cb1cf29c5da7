package mmu

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

func newMMU(t *testing.T, tb *tables, port sim.Port) *MMU {
	t.Helper()
	w := walker(t, tb, port, nil)
	m, err := New(Config{
		ITLB: tlb.Config{Name: "itlb", Entries: 16, Ways: 4, Latency: 1, PageShifts: []uint{12}},
		DTLB: tlb.Config{Name: "dtlb", Entries: 16, Ways: 4, Latency: 1, PageShifts: []uint{12}},
		STLB: tlb.Config{Name: "stlb", Entries: 64, Ways: 4, Latency: 7, PageShifts: []uint{12, 21}},
	}, w)
	if err != nil {
		t.Fatal(err)
	}
	m.Root = tb.root()
	return m
}

// translate returns where the answer came from ("l1", "l2", or the number
// of entries a walk read) and the latency.
func translate(t *testing.T, m *MMU, port *fixedPort, va uint64, kind sim.Kind) (string, sim.Cycle) {
	t.Helper()
	before, l1, l2 := port.reads, m.n.L1Hits, m.n.L2Hits
	tr := &Translation{VA: va, Kind: kind, User: true}
	done, ok := m.Translate(1000, tr)
	if !ok || tr.Faulted {
		t.Fatalf("translation of %#x failed: %v", va, tr.Fault)
	}
	switch {
	case m.n.L1Hits > l1:
		return "l1", done - 1000
	case m.n.L2Hits > l2:
		return "l2", done - 1000
	}
	return string(rune('0' + port.reads - before)), done - 1000
}

func TestMMUInvalidation(t *testing.T) {
	tb := newTables(x86())
	const rw = Present | Writable | User
	tb.mapPage(0x401000, 0x10, 1, rw)
	tb.mapPage(0x402000, 0x11, 1, rw)
	port := &fixedPort{latency: 10}
	m := newMMU(t, tb, port)
	var got []string
	step := func(what string, va uint64) {
		where, _ := translate(t, m, port, va, sim.Load)
		got = append(got, what+":"+where)
	}
	m.PCID = 1
	step("cold", 0x401000)
	step("again", 0x401008)
	m.PCID = 2 // a PCID switch: PCID 1's entries stay
	step("pcid2", 0x401000)
	m.PCID = 1
	step("back", 0x401000)
	m.InvalidatePage(0x401000) // INVLPG under PCID 1: the page and PCID 1's walk caches
	step("invlpg", 0x401000)
	step("neighbour", 0x402000) // its TLB entry never existed; walk caches refilled by the line above
	m.PCID = 2
	step("pcid2 kept", 0x401000)
	// PCID 2 has no walk-cache entries of its own: its first walk is full.
	want := []string{"cold:4", "again:l1", "pcid2:4", "back:l1", "invlpg:4", "neighbour:1", "pcid2 kept:l1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMMULatencyAndDirtyRecheck(t *testing.T) {
	tb := newTables(x86())
	tb.mapPage(0x401000, 0x10, 1, Present|Writable|User)
	port := &fixedPort{latency: 10}
	m := newMMU(t, tb, port)
	type step struct {
		Where   string
		Latency sim.Cycle
	}
	var got []step
	for _, kind := range []sim.Kind{sim.Load, sim.Load, sim.Store, sim.Store} {
		w, lat := translate(t, m, port, 0x401000, kind)
		got = append(got, step{w, lat})
	}
	// Cold: DTLB 1 + STLB 7 + 4 reads of 10. A store to a clean page walks
	// again to set Dirty, straight from the DTLB (the STLB's copy is as
	// clean), and the PDE cache leaves one read; then it hits.
	want := []step{{"4", 48}, {"l1", 1}, {"1", 11}, {"l1", 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if m.n.Rechecks != 1 {
		t.Errorf("rechecks = %d, want 1", m.n.Rechecks)
	}
}

// The fast path must answer only what the full lookup would, and leave every
// count as it would: two MMUs, one with the fast path and one without, see
// the same stream.
func TestFastMatchesTranslate(t *testing.T) {
	build := func() (*MMU, *tables) {
		tb := newTables(x86())
		for i := uint64(0); i < 64; i++ {
			flags := Present | Writable | User
			if i%7 == 0 {
				flags &^= Writable
			}
			tb.mapPage(0x400000+i<<12, 0x100+i, 1, flags)
		}
		return newMMU(t, tb, &fixedPort{latency: 3}), tb
	}
	a, _ := build()
	b, _ := build()
	b.slowOnly = true
	rng := sim.NewRNG(5)
	kinds := []sim.Kind{sim.Load, sim.Store, sim.Fetch}
	for i := 0; i < 20000; i++ {
		va := 0x400000 + uint64(rng.IntN(64))<<12 + uint64(rng.IntN(4096))
		if rng.IntN(3) > 0 { // runs on one page, as traces have
			va = 0x400000 + uint64(i/50%64)<<12 + uint64(rng.IntN(4096))
		}
		kind := kinds[rng.IntN(3)]
		ta := &Translation{VA: va, Kind: kind, User: true}
		a.Translate(0, ta)
		paA, faultA := ta.PA, ta.Faulted
		tr := &Translation{VA: va, Kind: kind, User: true}
		b.Translate(0, tr)
		if paA != tr.PA || faultA != tr.Faulted {
			t.Fatalf("step %d: %#x %v gave %#x/%v with the fast path, %#x/%v without", i, va, kind, paA, faultA, tr.PA, tr.Faulted)
		}
	}
	var sa, sb sim.Stats
	a.Register(&sa)
	b.Register(&sb)
	if diff := cmp.Diff(sa.Snapshot().Map(), sb.Snapshot().Map()); diff != "" {
		t.Errorf("counts differ with the fast path (-with +without):\n%s", diff)
	}
	for i, ta := range a.TLBs() {
		if !cmp.Equal(ta.Entries(), b.TLBs()[i].Entries()) {
			t.Errorf("%s: contents differ", ta.Config().Name)
		}
	}
}
