package os

import (
	"testing"

	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// pteLatency answers every page-table read in 10 cycles.
type pteLatency struct{}

func (pteLatency) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) { return now + 10, true }

// hardware gives the world's kernel an MMU as the default machine has it:
// a 4 KiB iTLB, a dTLB of 4 KiB and 2 MiB pages, an STLB of all three
// sizes, page-walk caches at three levels.
func hardware(t *testing.T, w *world) *mmu.MMU {
	t.Helper()
	g := mmu.Geometries["x86-64"]
	wk, err := mmu.NewWalker(mmu.WalkerConfig{Geometry: g, Walks: 2, PWCEntries: []int{0, 0, 32, 4, 2}}, w.k, pteLatency{}, w.k)
	if err != nil {
		t.Fatal(err)
	}
	tc := func(name string, entries, ways int, shifts ...uint) tlb.Config {
		return tlb.Config{Name: name, Entries: entries, Ways: ways, PageShifts: shifts}
	}
	u, err := mmu.New(mmu.Config{ITLB: tc("itlb", 64, 4, 12), DTLB: tc("dtlb", 64, 4, 12, 21),
		STLB: tc("stlb", 1024, 8, 12, 21, 30), Walker: mmu.WalkerConfig{Geometry: g}}, wk)
	if err != nil {
		t.Fatal(err)
	}
	w.k.SetMMU(u)
	return u
}

// translate runs one access of the current process through the MMU.
func (w *world) translate(u *mmu.MMU, va uint64, kind sim.Kind) uint64 {
	w.t.Helper()
	tr := mmu.Translation{VA: va, Kind: kind, User: true}
	done, ok := u.Translate(w.now, &tr)
	if !ok || tr.Faulted {
		w.t.Fatalf("translation of %#x: waited %v, fault %v", va, !ok, tr.Fault)
	}
	w.now = done
	return tr.PA
}

// dtlbShift is the page size of the dTLB entry that answers va now (0 if
// none).
func dtlbShift(u *mmu.MMU, va uint64) uint8 {
	e, ok := u.DTLB().Lookup(va, u.PCID)
	if !ok {
		return 0
	}
	return e.PageShift
}

// A transparent huge page end to end: the walker maps the PS entry, the
// dTLB holds one 2 MiB entry for it, and every split (a write after fork,
// mprotect of part of it) drops that entry, so the next access walks to the
// new 4 KiB entries; the page-walk caches never hand back a freed table.
func TestTHPThroughTheMMU(t *testing.T) {
	w := newWorldWith(t, 256*mib, 0, func(c *Config) { linux(c); c.PCID = true })
	u := hardware(t, w)
	p := w.proc()
	tp := &thpProgram{w: w, p: p}
	a := tp.amap(4*mib, true)
	w.k.Switch(w.now, p)
	pa := w.translate(u, a+0x1234, sim.Store)
	if got, ok := w.k.Resolve(p, a+0x1234); !ok || got != pa || pa&(2*mib-1) != 0x1234 {
		t.Fatalf("store to a huge page: PA %#x, kernel says %#x (%v); want the same, at offset 0x1234 of a 2 MiB frame", pa, got, ok)
	}
	if s := dtlbShift(u, a+0x1ff000); s != 21 {
		t.Errorf("dTLB entry for the huge page: page shift %d, want 21", s)
	}
	walks := walksOf(u)
	w.translate(u, a+0x1ff008, sim.Store)
	if walksOf(u) != walks {
		t.Error("an access elsewhere in the 2 MiB page walked again")
	}

	c := w.k.Process(int(w.call(w.k.Fork(w.now, p))))
	if s := dtlbShift(u, a); s != 0 {
		t.Errorf("after fork write-protected the page, the dTLB still holds a %d-bit entry", s)
	}
	w.k.Switch(w.now, c)
	cpa := w.translate(u, a+0x5008, sim.Store)
	if cpa == pa-0x1234+0x5008 || dtlbShift(u, a+0x5000) != 12 {
		t.Errorf("child's write after fork: PA %#x (parent's frame %#x), dTLB shift %d; want a 4 KiB copy of its own",
			cpa, pa-0x1234+0x5008, dtlbShift(u, a+0x5000))
	}
	if got := w.translate(u, a+0x6000, sim.Load); got != pa-0x1234+0x6000 {
		t.Errorf("child's read of a page it did not write: %#x, want the shared frame %#x", got, pa-0x1234+0x6000)
	}

	w.k.Switch(w.now, p)
	if got := w.translate(u, a+0x1234, sim.Load); got != pa || dtlbShift(u, a) != 21 {
		t.Errorf("parent after the child split its mapping: PA %#x shift %d, want %#x through its 2 MiB entry", got, dtlbShift(u, a), pa)
	}
	w.call(w.k.Mprotect(w.now, p, a+2*mib-pg, pg, ProtRead))
	if s := dtlbShift(u, a); s == 21 {
		t.Error("mprotect of part of the huge page left its 2 MiB dTLB entry")
	}
	if got := w.translate(u, a+0x1234, sim.Load); got != pa || dtlbShift(u, a+0x1000) != 12 {
		t.Errorf("after the split: PA %#x (want %#x), dTLB shift %d (want 12)", got, pa, dtlbShift(u, a+0x1000))
	}
	if p.Faults.Splits != 1 || c.Faults.Splits != 1 {
		t.Errorf("splits: parent %d, child %d; want one each", p.Faults.Splits, c.Faults.Splits)
	}

	// A region first mapped with 4 KiB pages, unmapped, then mapped again
	// for huge pages: its empty page table gives way to one 2 MiB entry,
	// and the walk reads the new entry, not the table the PDE cache knew.
	b := tp.amap(2*mib, false)
	w.translate(u, b+0x3000, sim.Store)
	w.call(w.k.Munmap(w.now, p, b, 2*mib))
	w.call(w.k.Mmap(w.now, p, b, 2*mib, ProtRead|ProtWrite, anonPriv|MapFixed, -1, 0))
	w.call(w.k.Madvise(w.now, p, b, 2*mib, MadvHugepage))
	bpa := w.translate(u, b+0x3008, sim.Store)
	if got, _ := w.k.Resolve(p, b+0x3008); got != bpa || dtlbShift(u, b) != 21 {
		t.Errorf("huge page where a page table was: PA %#x, kernel %#x, dTLB shift %d", bpa, got, dtlbShift(u, b))
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}

// A 1 GiB MAP_HUGETLB page through the MMU: the walker stops at the PDPTE,
// the dTLB (4 KiB and 2 MiB pages only) does not hold it, the STLB does;
// munmap's INVLPG drops it.
func TestGiantPageThroughTheMMU(t *testing.T) {
	w := newWorldWith(t, 2<<30, 0, func(c *Config) { c.HugeTLB1G, c.PCID = 1, true })
	u := hardware(t, w)
	p := w.proc()
	g := w.call(w.k.Mmap(w.now, p, 0, 1<<30, ProtRead|ProtWrite, anonPriv|MapHugeTLB|MapHuge1GB, -1, 0))
	w.k.Switch(w.now, p)
	pa := w.translate(u, g+0x12345678, sim.Store)
	if want, _ := w.k.Resolve(p, g+0x12345678); pa != want || pa&(1<<30-1) != 0x12345678 {
		t.Fatalf("PA %#x, kernel says %#x: want offset 0x12345678 in a 1 GiB frame", pa, want)
	}
	stlb := u.TLBs()[2]
	if e, ok := stlb.Lookup(g, u.PCID); !ok || e.PageShift != 30 || dtlbShift(u, g) != 0 {
		t.Errorf("STLB entry %+v (%v), dTLB shift %d; want a 30-bit STLB entry and none in the dTLB", e, ok, dtlbShift(u, g))
	}
	walks := walksOf(u)
	w.translate(u, g+0x3fff0000, sim.Load)
	if walksOf(u) != walks {
		t.Error("another address of the 1 GiB page walked again")
	}
	w.call(w.k.Munmap(w.now, p, g, 1<<30))
	if _, ok := stlb.Lookup(g, u.PCID); ok {
		t.Error("munmap left the 1 GiB translation in the STLB")
	}
}

// A trace's first touches (one area over all memory, as MapEverything gives
// a plain trace) get huge pages with THP always; a random walk over 64 MiB
// then walks the page tables a tenth as often, or less: 32 huge pages fit
// the STLB, 16384 small ones do not.
func TestTHPAlwaysTraceWalks(t *testing.T) {
	walks := map[THPMode]uint64{}
	for _, mode := range []THPMode{THPNever, THPAlways} {
		w := newWorldWith(t, 256*mib, 0, func(c *Config) { linux(c); c.THP, c.PCID = mode, true })
		u := hardware(t, w)
		p := w.proc()
		w.k.MapEverything(p)
		w.k.Switch(w.now, p)
		rng := sim.NewRNG(1)
		const base, size = 0x40000000, 64 * mib
		for i := 0; i < 200000; i++ {
			w.translate(u, base+uint64(rng.IntN(size/64))*64, sim.Load)
		}
		walks[mode] = walksOf(u)
		if mode == THPAlways && p.Faults.THP != size/(2*mib) {
			t.Errorf("THP always: %d huge-page faults, want %d", p.Faults.THP, size/(2*mib))
		}
	}
	t.Logf("walks: %v", walks)
	if walks[THPAlways]*10 > walks[THPNever] {
		t.Errorf("walks: %d with 4 KiB pages, %d with huge pages; want a tenth or less", walks[THPNever], walks[THPAlways])
	}
}

// walksOf is how many translations of u have walked so far.
func walksOf(u *mmu.MMU) uint64 {
	var s sim.Stats
	u.Register(&s)
	return s.Snapshot().Value("mmu.walks")
}
