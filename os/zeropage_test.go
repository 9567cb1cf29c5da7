package os

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/mmu"
)

// The zero page: reads of fresh private anonymous memory share one
// read-only frame of zeros; a write gets a page of its own; fork, mprotect,
// munmap and memory pressure leave the frame alone and zero.
func TestZeroPage(t *testing.T) {
	w := newWorldWith(t, 64*pg, 256, func(c *Config) { c.ZeroPage = true })
	p := w.proc()
	const n = 100 // more pages than memory holds, all reading zeros
	base := w.call(w.k.Mmap(w.now, p, 0, n*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	for i := uint64(0); i < n; i++ {
		if v := w.mustLoad(p, base+i*pg+8); v != 0 {
			t.Fatalf("fresh page %d reads %#x", i, v)
		}
	}
	z := w.k.zero
	frames := map[uint64]int{}
	for i := uint64(0); i < n; i++ {
		e, _ := w.k.leaf(p, base+i*pg)
		frames[w.k.frameOf(e)]++
		if e&mmu.Writable != 0 {
			t.Fatalf("page %d: zero page mapped writable: %v", i, e)
		}
	}
	if diff := cmp.Diff(map[uint64]int{z: n}, frames); diff != "" {
		t.Errorf("frames mapped after %d reads (-want +got):\n%s", n, diff)
	}
	if got := p.Faults; got.Minor != n || got.ZeroPage != n {
		t.Errorf("faults %+v, want %d minor, all zero-page maps", got, n)
	}

	c := w.k.Process(int(w.call(w.k.Fork(w.now, p))))
	w.call(w.k.Mprotect(w.now, p, base, 4*pg, ProtNone))
	w.call(w.k.Mprotect(w.now, p, base, 4*pg, ProtRead|ProtWrite))
	w.mustLoad(p, base) // refreshed from PROT_NONE: still the zero page
	for i := uint64(0); i < n; i++ {
		w.store(p, base+i*pg, 0x100+i) // more than memory: the copies go to swap
	}
	for i := uint64(0); i < n; i++ {
		if got := w.mustLoad(p, base+i*pg); got != 0x100+i {
			t.Fatalf("parent page %d reads %#x after its write, want %#x", i, got, 0x100+i)
		}
		if got := w.mustLoad(c, base+i*pg); got != 0 {
			t.Fatalf("child page %d reads %#x, want 0 (the zero page)", i, got)
		}
	}
	if w.k.N.SwapOuts == 0 {
		t.Error("no page went to swap: the test wants memory pressure")
	}
	if p.Faults.COW != n {
		t.Errorf("parent's writes to the zero page: %d COW, want %d", p.Faults.COW, n)
	}
	w.call(w.k.Munmap(w.now, c, base, n*pg))
	if w.k.zero != z || w.k.frames.infos[z] == nil || !w.k.mem.IsZero(z<<12, pg) {
		t.Error("the zero page moved, was freed, or is not zero")
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}

// MAP_POPULATE of a private writable area writes every page in (Linux's
// populate_vma_page_range): no zero page; of a read-only one, it reads.
func TestPopulateWithZeroPage(t *testing.T) {
	w := newWorldWith(t, 16<<20, 0, func(c *Config) { c.ZeroPage = true })
	p := w.proc()
	rw := w.call(w.k.Mmap(w.now, p, 0, 4*pg, ProtRead|ProtWrite, anonPriv|MapPopulate, -1, 0))
	ro := w.call(w.k.Mmap(w.now, p, 0, 4*pg, ProtRead, anonPriv|MapPopulate, -1, 0))
	for _, c := range []struct {
		va       uint64
		zeroPage bool
	}{{rw, false}, {ro, true}} {
		e, _ := w.k.leaf(p, c.va)
		if got := w.k.frameOf(e) == w.k.zero; got != c.zeroPage {
			t.Errorf("populated page at %#x: zero page %v, want %v", c.va, got, c.zeroPage)
		}
	}
}
