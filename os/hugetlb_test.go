package os

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// MAP_HUGETLB: pages from the pools set aside at boot, promised at mmap
// (ENOMEM when the pool cannot), 2 MiB or 1 GiB (MAP_HUGE_1GB) entries,
// copied whole after fork when private, shared across fork when shared,
// cut only at their page size, back in the pool at munmap.
func TestHugeTLB(t *testing.T) {
	const gib = 1 << 30
	w := newWorldWith(t, 3*gib, 0, func(c *Config) { c.HugeTLB2M, c.HugeTLB1G = 4, 1 })
	k := w.k
	p := w.proc()
	var errs []Errno
	try := func(_ uint64, e Errno, _ sim.Cycle) { errs = append(errs, e) }
	a := w.call(k.Mmap(w.now, p, 0, 3*mib, ProtRead|ProtWrite, anonPriv|MapHugeTLB, -1, 0)) // rounds up to 2 pages
	try(k.Mmap(w.now, p, 0, 6*mib, ProtRead|ProtWrite, anonPriv|MapHugeTLB, -1, 0))         // 3 more: the pool has 2
	try(k.Mmap(w.now, p, 0, 2*mib, ProtRead|ProtWrite, MapPrivate|MapHugeTLB, 1, 0))        // not anonymous
	try(k.Mmap(w.now, p, 0, 2*mib, ProtRead|ProtWrite, anonPriv|MapHugeTLB|16<<MapHugeShift, -1, 0))
	try(k.Mmap(w.now, p, a+pg, 2*mib, ProtRead|ProtWrite, anonPriv|MapHugeTLB|MapFixed, -1, 0))
	try(k.Munmap(w.now, p, a+pg, pg)) // inside a huge page
	if diff := cmp.Diff([]Errno{ENOMEM, EINVAL, EINVAL, EINVAL, EINVAL}, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if a&(2*mib-1) != 0 || p.MM.Find(a).End != a+4*mib {
		t.Fatalf("area at %#x, to %#x: want 2 MiB-aligned, 4 MiB long", a, p.MM.Find(a).End)
	}
	g := w.call(k.Mmap(w.now, p, 0, gib, ProtRead|ProtWrite, anonPriv|MapHugeTLB|MapHuge1GB, -1, 0))
	s := w.call(k.Mmap(w.now, p, 0, 2*mib, ProtRead|ProtWrite, MapShared|MapAnonymous|MapHugeTLB, -1, 0))
	for _, va := range []uint64{a + 8, a + 2*mib + 8, g + gib - 8, s + 8} {
		w.store(p, va, va)
	}
	if pa, _ := k.Resolve(p, g+gib-8); pa&(gib-1) != gib-8 {
		t.Errorf("the 1 GiB page: physical address %#x, want offset %#x in a 1 GiB frame", pa, gib-8)
	}
	if got := p.Faults.HugeTLB; got != 4 {
		t.Errorf("huge-page faults %d, want 4 (one per page)", got)
	}

	c := k.Process(int(w.call(k.Fork(w.now, p))))
	w.store(c, a+16, 0xc0)   // a copy of the whole 2 MiB page, from the pool
	w.store(c, s+16, 0x5a5a) // shared: the parent sees it
	got := []uint64{w.mustLoad(p, a+16), w.mustLoad(c, a+8), w.mustLoad(p, s+16), w.mustLoad(c, g+gib-8)}
	if diff := cmp.Diff([]uint64{0, a + 8, 0x5a5a, g + gib - 8}, got); diff != "" {
		t.Errorf("words after fork (-want +got):\n%s", diff)
	}
	if c.Faults.COW != 1 || len(k.pools[0].free) != 0 {
		t.Errorf("child's write: %d copies, %d pages left free; want one copy, none left", c.Faults.COW, len(k.pools[0].free))
	}
	w.store(c, a+2*mib, 1) // a copy needs a page; the pool is empty
	if c.N.Sigbus != 1 || c.N.Segv != 0 || c.SignalNames[0] != SIGBUS {
		t.Errorf("a copy with the pool empty: %d SIGBUS and %d SIGSEGV (%v), want one SIGBUS", c.N.Sigbus, c.N.Segv, c.SignalNames)
	}
	if err := k.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	w.call(k.Exit(w.now, c, 0))
	w.call(k.Munmap(w.now, p, a, 4*mib))
	w.call(k.Munmap(w.now, p, g, gib))
	w.call(k.Munmap(w.now, p, s, 2*mib))
	if n, m := len(k.pools[0].free), len(k.pools[1].free); n != 4 || m != 1 || k.pools[0].reserved != 0 {
		t.Errorf("after munmap: %d and %d pages free, %d promised; want all 4 and 1 back, none", n, m, k.pools[0].reserved)
	}
	if err := k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}

// With no MAP_HUGETLB pages set aside, a MAP_HUGETLB mmap gets ENOMEM.
func TestHugeTLBEmptyPool(t *testing.T) {
	w := newWorld(t, 64<<20, 0)
	p := w.proc()
	for _, size := range []int{0, MapHuge2MB, MapHuge1GB} {
		if _, errno, _ := w.k.Mmap(w.now, p, 0, 2*mib, ProtRead, anonPriv|MapHugeTLB|size, -1, 0); errno != ENOMEM {
			t.Errorf("MAP_HUGETLB (size flags %#x) with no pool: %v, want ENOMEM", size, errno)
		}
	}
}

// A huge page where 4 KiB pages were mapped and unmapped: the empty page
// tables under its entry (a page table, or a directory of them for 1 GiB)
// are given back, and one entry maps the page.
func TestHugePageOverEmptyTables(t *testing.T) {
	const gib = 1 << 30
	w := newWorldWith(t, 3*gib, 0, func(c *Config) { c.HugeTLB1G = 1 })
	p := w.proc()
	const at = 0x40000000
	w.call(w.k.Mmap(w.now, p, at, 4*mib, ProtRead|ProtWrite, anonPriv|MapFixed, -1, 0))
	w.store(p, at+3*pg, 1)
	w.store(p, at+2*mib, 1) // a second page table under the same directory
	w.call(w.k.Munmap(w.now, p, at, 4*mib))
	tables := w.k.N.TableFrames
	w.call(w.k.Mmap(w.now, p, at, gib, ProtRead|ProtWrite, anonPriv|MapFixed|MapHugeTLB|MapHuge1GB, -1, 0))
	w.store(p, at+5*pg, 7)
	if got := w.mustLoad(p, at+5*pg); got != 7 || w.k.N.TableFrames != tables-3 || w.k.Err() != nil {
		t.Errorf("word %d, %d table frames (was %d), error %v; want 7, the directory and its two tables freed",
			got, w.k.N.TableFrames, tables, w.k.Err())
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}
