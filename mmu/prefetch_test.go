package mmu

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

func prefetchingMMU(t *testing.T, tb *tables, port sim.Port, os FaultHandler, pf PrefetchConfig) *MMU {
	t.Helper()
	m, err := New(Config{
		DTLB:     tlb.Config{Name: "dtlb", Entries: 4, Ways: 4, Latency: 1, PageShifts: []uint{12}},
		STLB:     tlb.Config{Name: "stlb", Entries: 8, Ways: 8, Latency: 7, PageShifts: []uint{12}},
		Prefetch: pf,
	}, walker(t, tb, port, os))
	if err != nil {
		t.Fatal(err)
	}
	m.Root = tb.root()
	return m
}

// next-page on pages read in order: the first miss walks and prefetches
// the next page's translation into the buffer; every later page is found
// there, moves to the TLBs without a walk, and prefetches the one after.
// A prefetch walk that finds a page not mapped takes no fault.
func TestTLBPrefetchBuffer(t *testing.T) {
	tb := newTables(x86())
	const base = 0x40000000
	for i := uint64(0); i < 6; i++ {
		tb.mapPage(base+i<<12, 0x100+i, 1, Present|Writable|User)
	}
	port := &fixedPort{latency: 10}
	os := &mapOnFault{tb: tb}
	m := prefetchingMMU(t, tb, port, os, PrefetchConfig{Name: "next-page", Buffer: 4})
	var pas []uint64
	for i := uint64(0); i < 6; i++ {
		tr := &Translation{VA: base + i<<12 + 8, Kind: sim.Load, User: true}
		if _, ok := m.Translate(sim.Cycle(1000*i), tr); !ok || tr.Faulted {
			t.Fatalf("page %d: %v", i, tr.Fault)
		}
		pas = append(pas, tr.PA)
	}
	for i, pa := range pas {
		if want := (0x100+uint64(i))<<12 + 8; pa != want {
			t.Errorf("page %d at %#x, want %#x", i, pa, want)
		}
	}
	got := map[string]uint64{"walks": m.n.Walks, "prefetch walks": m.Walker.n.PrefetchWalks,
		"useful": m.pf.n.Useful, "unmapped": m.pf.n.Unmapped, "faults taken": uint64(len(os.faults))}
	want := map[string]uint64{"walks": 1, "prefetch walks": 6, "useful": 5, "unmapped": 1, "faults taken": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// INVLPG reaches the buffer too: page 7, mapped now and prefetched,
	// is invalidated before its first use, which walks.
	tb.mapPage(base+7<<12, 0x200, 1, Present|Writable|User)
	m.Translate(7000, &Translation{VA: base + 6<<12, Kind: sim.Load, User: true})
	m.InvalidatePage(base + 7<<12)
	walks := m.n.Walks
	m.Translate(8000, &Translation{VA: base + 7<<12, Kind: sim.Load, User: true})
	if m.n.Walks != walks+1 {
		t.Errorf("an invalidated prefetched translation was used")
	}
}

// A cache's prefetcher translates through the TLBs without changing them,
// and walks only when allowed and a walker is free.
func TestTranslatePrefetch(t *testing.T) {
	tb := newTables(x86())
	tb.mapPage(0x401000, 0x10, 1, Present|Writable|User)
	tb.mapPage(0x402000, 0x11, 1, Present|Writable|User)
	port := &fixedPort{latency: 10}
	m := prefetchingMMU(t, tb, port, nil, PrefetchConfig{CacheWalks: true})
	m.Translate(0, &Translation{VA: 0x401000, Kind: sim.Load, User: true})
	gen := m.dtlb.Gen()
	if pa, at, ok := m.TranslatePrefetch(100, 0x401040, sim.Load, false); !ok || pa != 0x10040 || at != 101 {
		t.Errorf("a DTLB hit: %#x at %d, %v", pa, at, ok)
	}
	if m.dtlb.Gen() != gen {
		t.Error("a prefetch's translation changed the DTLB")
	}
	if _, _, ok := m.TranslatePrefetch(100, 0x402000, sim.Load, false); ok {
		t.Error("a TLB miss translated without a walk")
	}
	pa, at, ok := m.TranslatePrefetch(200, 0x402000, sim.Load, true)
	if !ok || pa != 0x11000 || at <= 208 || m.Walker.n.PrefetchWalks != 1 || m.n.Walks != 1 {
		t.Errorf("a walk: %#x at %d, %v; %d prefetch walks, %d demand", pa, at, ok, m.Walker.n.PrefetchWalks, m.n.Walks)
	}
	if _, ok := m.stlb.Probe(0x402000, 0); !ok {
		t.Error("the prefetch walk did not fill the STLB")
	}
}

// The prefetch buffer holds only the last TLB's page sizes (here 4 KiB):
// a prefetch walk that finds a larger page drops its translation and
// counts it. Both misses prefetch a page inside the 2 MiB page (next-page
// after the 4 KiB page below it, then after the 2 MiB page's own miss,
// which no TLB here holds), and the demand access walks and translates as
// it would without the prefetcher.
func TestTLBPrefetchPageSizeBufferLacks(t *testing.T) {
	tb := newTables(x86())
	tb.mapPage(0x1ff000, 0x300, 1, Present|Writable|User)
	tb.mapPage(0x200000, 0x400, 2, Present|Writable|User)
	port := &fixedPort{latency: 10}
	m := prefetchingMMU(t, tb, port, nil, PrefetchConfig{Name: "next-page", Buffer: 4})
	var pas []uint64
	for i, va := range []uint64{0x1ff008, 0x234567} {
		tr := &Translation{VA: va, Kind: sim.Load, User: true}
		if _, ok := m.Translate(sim.Cycle(1000*i), tr); !ok || tr.Faulted {
			t.Fatalf("%#x: %v", va, tr.Fault)
		}
		pas = append(pas, tr.PA)
	}
	got := map[string]uint64{"4 KiB page's PA": pas[0], "2 MiB page's PA": pas[1], "walks": m.n.Walks,
		"issued": m.pf.n.Issued, "unheld": m.pf.n.Unheld, "useful": m.pf.n.Useful}
	want := map[string]uint64{"4 KiB page's PA": 0x300008, "2 MiB page's PA": 0x434567, "walks": 2,
		"issued": 2, "unheld": 2, "useful": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Each invalidation reaches the prefetch buffer as it reaches the TLBs,
// and allocates nothing (the kernel's shootdowns run one per page on
// every core they reach).
func TestInvalidationsReachTheBuffer(t *testing.T) {
	const base = 0x40000000
	for _, tc := range []struct {
		name       string
		invalidate func(m *MMU)
	}{
		{"INVLPG", func(m *MMU) { m.InvalidatePage(base + 1<<12) }},
		{"page of another space", func(m *MMU) { m.InvalidatePageFor(base+1<<12, 0) }},
		{"PCID", func(m *MMU) { m.InvalidatePCID(0) }},
		{"all", func(m *MMU) { m.InvalidateAll(true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTables(x86())
			tb.mapPage(base, 0x100, 1, Present|Writable|User)
			tb.mapPage(base+1<<12, 0x101, 1, Present|Writable|User)
			m := prefetchingMMU(t, tb, &fixedPort{latency: 10}, nil, PrefetchConfig{Name: "next-page", Buffer: 4})
			m.Translate(0, &Translation{VA: base, Kind: sim.Load, User: true})
			if _, ok := m.pf.buf.Probe(base+1<<12, 0); !ok {
				t.Fatal("the next page was not prefetched")
			}
			if allocs := testing.AllocsPerRun(10, func() { tc.invalidate(m) }); allocs != 0 {
				t.Errorf("%v allocations per invalidation, want 0", allocs)
			}
			if _, ok := m.pf.buf.Probe(base+1<<12, 0); ok {
				t.Error("the prefetched translation outlived the invalidation")
			}
		})
	}
}
