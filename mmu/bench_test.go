package mmu

import (
	"testing"

	"github.com/vmemu/vmemu/tlb"
)

// BenchmarkInvalidatePageFor is one page of a shootdown on a core with
// the default machine's TLBs and a TLB prefetcher's buffer.
func BenchmarkInvalidatePageFor(b *testing.B) {
	tc := func(name string, entries, ways int, shifts ...uint) tlb.Config {
		return tlb.Config{Name: name, Entries: entries, Ways: ways, PageShifts: shifts, Replacement: "lru"}
	}
	tb := newTables(x86())
	w, err := NewWalker(WalkerConfig{Geometry: tb.g, Walks: 2, PWCEntries: []int{0, 0, 32, 4, 2}}, tb.mem, &fixedPort{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(Config{ITLB: tc("itlb", 256, 8, 12, 21), DTLB: tc("dtlb", 96, 6, 12, 21),
		STLB: tc("stlb", 2048, 16, 12, 21, 30), Prefetch: PrefetchConfig{Name: "next-page", Buffer: 16}}, w)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.InvalidatePageFor(0x40000000+uint64(i&1023)<<12, 1)
	}
}
