package os

import (
	"fmt"

	"github.com/vmemu/vmemu/mmu"
)

// hugePage is a page larger than a frame, mapped whole by one entry at
// level 2 (2 MiB on x86-64, PS in a PDE) or level 3 (1 GiB, a PDPTE): a
// transparent huge page, the huge zero page, or a MAP_HUGETLB page. Its
// frames are contiguous and aligned to its size.
type hugePage struct {
	head  uint64 // its first frame
	level int    // the level of the entries that map it
	// rmap names the entries that map it whole (va is the page's first
	// address); the huge zero page keeps none.
	rmap []pteRef
	// ptes counts the 4 KiB entries that map single frames of it: a
	// transparent huge page that a process split (after fork, or partial
	// munmap, mprotect or madvise) while another still maps it whole.
	ptes int
	zero bool      // the huge zero page: never freed, mapped read-only
	pool *hugePool // the MAP_HUGETLB pool it came from, nil for a THP
	// obj is the shared MAP_HUGETLB object holding it, if any.
	obj *File
}

// frames is the number of frames in the page.
func (h *hugePage) frames(k *Kernel) uint64 {
	return 1 << (k.cfg.Geometry.ShiftAt(h.level) - k.pageShift())
}

func (h *hugePage) removeRef(p *Process, va uint64) { h.rmap = removeRef(h.rmap, p, va) }

// hugeShift is log2 of the size of the pages entries at level map.
func (k *Kernel) hugeShift(level int) uint { return k.cfg.Geometry.ShiftAt(level) }

// hugeBase rounds va down to the start of its page at level.
func (k *Kernel) hugeBase(va uint64, level int) uint64 {
	return va &^ (1<<k.hugeShift(level) - 1)
}

// hugeEntryAddr returns the address of the entry at level that maps va in
// p's tables, creating the tables above it; the entry may be a table
// pointer, a huge page's entry or 0.
func (k *Kernel) hugeEntryAddr(p *Process, va uint64, level int) (uint64, error) {
	addr, at, err := k.descend(p, va, level, true)
	if err == nil && at != level {
		err = errHugeInTheWay
	}
	return addr, err
}

// mapHuge points p's entry at level for va (the page's first address) at
// h with flags (PS added), and records it in h's reverse map.
func (k *Kernel) mapHuge(p *Process, va uint64, h *hugePage, flags mmu.PTE) error {
	addr, err := k.hugeEntryAddr(p, va, h.level)
	if err != nil {
		return err
	}
	if e := k.ReadPTE(addr); e&mmu.Present != 0 && !k.isHuge(e, h.level) {
		// Empty page tables left from earlier 4 KiB pages: give them back
		// (Linux frees them at munmap) so that one entry maps the page.
		table := k.frameOf(e) << k.pageShift()
		if !k.emptyTables(table, h.level-1) {
			return errHugeInTheWay
		}
		k.freeLevel(table, h.level-1)
		k.freeFrame(k.frameOf(e))
		k.N.TableFrames--
		k.WritePTE(addr, 0)
		k.invalidate(p, va) // the page-walk caches may hold the tables
	}
	k.WritePTE(addr, mmu.MakePTE(h.head, flags|mmu.PageSize))
	if !h.zero {
		h.rmap = append(h.rmap, pteRef{p, va})
	}
	return nil
}

// emptyTables reports whether the table at level maps nothing: every entry
// 0, or a table that maps nothing.
func (k *Kernel) emptyTables(table uint64, level int) bool {
	g := k.cfg.Geometry
	for i := uint64(0); i < 1<<g.BitsPerLevel; i++ {
		e := k.ReadPTE(table + i*uint64(g.EntryBytes))
		switch {
		case e == 0:
		case level == 1 || e&mmu.Present == 0 || k.isHuge(e, level):
			return false
		case !k.emptyTables(k.frameOf(e)<<g.PageShift, level-1):
			return false
		}
	}
	return true
}

// linuxConfig checks the Linux behaviours' settings against the page
// table's geometry.
func linuxConfig(cfg *Config) error {
	g := cfg.Geometry
	page := uint64(1) << g.PageShift
	if fa := cfg.FaultAround; fa != 0 {
		if fa&(fa-1) != 0 || fa < 2*page || fa > 1<<g.ShiftAt(2) || g.Levels < 2 {
			return fmt.Errorf("fault-around window of %d B: want 0 or a power of two from two pages (%d B) to a page table's span", fa, 2*page)
		}
	}
	if cfg.Readahead%page != 0 {
		return fmt.Errorf("readahead window of %d B is not a whole number of %d-byte pages", cfg.Readahead, page)
	}
	if cfg.THP > THPAlways {
		return fmt.Errorf("transparent huge pages: unknown mode %d", cfg.THP)
	}
	if (cfg.THP != THPNever || cfg.HugeTLB2M > 0) && !g.Large(2) {
		return fmt.Errorf("huge pages: the %s page table maps no pages at level 2", g.Name)
	}
	if cfg.HugeTLB1G > 0 && !g.Large(3) {
		return fmt.Errorf("1 GiB pages: the %s page table maps no pages at level 3", g.Name)
	}
	return nil
}

// hugeOf returns the huge page a huge entry maps.
func (k *Kernel) hugeOf(e mmu.PTE) *hugePage { return k.huge[k.frameOf(e)] }

// errNotHuge reports an entry that looks like a huge page's but names no
// huge page the kernel knows.
func errNotHuge(p *Process, va uint64) error {
	return fmt.Errorf("internal error: pid %d maps %#x with a large entry of no known huge page", p.PID, va)
}

// forkHuge copies p's entry e (at addr) for the huge page at va into child
// c: as for a 4 KiB page, a private writable page becomes read-only in
// both, and the child joins the reverse map. One entry is copied, not 512.
func (k *Kernel) forkHuge(p, c *Process, v *VMA, va, addr uint64, e mmu.PTE, level int) error {
	h := k.hugeOf(e)
	if h == nil {
		return errNotHuge(p, va)
	}
	if !k.pinned[h.head] {
		k.pin(h.head)
		defer delete(k.pinned, h.head)
	}
	child, err := k.hugeEntryAddr(c, va, level)
	if err != nil {
		return err
	}
	e = k.ReadPTE(addr) // reclaim may have cleared its Accessed bit
	if !v.Shared && e&mmu.Writable != 0 {
		e &^= mmu.Writable
		k.WritePTE(addr, e)
		k.invalidate(p, va)
	}
	if !h.zero {
		h.rmap = append(h.rmap, pteRef{c, va})
	}
	k.WritePTE(child, e)
	return nil
}

// unmapHuge clears p's entry e (at addr) for the huge page at va and lets
// go of the page: a transparent huge page no entry maps whole any more
// becomes 512 pages (freed unless split entries still name them), a
// MAP_HUGETLB page goes back to its pool (a shared one stays with its
// object), the huge zero page stays.
func (k *Kernel) unmapHuge(p *Process, va, addr uint64, e mmu.PTE) {
	k.WritePTE(addr, 0)
	if e&mmu.Present != 0 {
		k.invalidate(p, va)
	}
	h := k.hugeOf(e)
	if h == nil || h.zero {
		return
	}
	h.removeRef(p, va)
	switch {
	case len(h.rmap) > 0:
	case h.pool == nil:
		k.dissolve(h)
	case h.obj == nil:
		k.putHuge(h)
	}
}

// hugeWriteFault handles a write to a huge page mapped read-only in a
// writable area (Linux's do_huge_pmd_wp_page): the huge zero page is
// replaced by a new huge page; a page this process alone maps (or a shared
// one) is made writable in place; a private MAP_HUGETLB page is copied
// whole; a transparent huge page still shared since fork is split, and
// only the 4 KiB page written is copied.
func (k *Kernel) hugeWriteFault(p *Process, v *VMA, va, addr uint64, e mmu.PTE, level int) error {
	base := k.hugeBase(va, level)
	h := k.hugeOf(e)
	switch {
	case h == nil:
		return errNotHuge(p, va)
	case h.zero:
		return k.hugeZeroWrite(p, v, va, base, addr)
	case v.Shared || (len(h.rmap) == 1 && h.ptes == 0):
		k.WritePTE(addr, e|mmu.Writable)
		k.invalidate(p, base)
		k.countFault(p, false)
		if !v.Shared {
			k.note(p, Faults{Reuse: 1})
		}
		return nil
	case h.pool != nil:
		return k.hugetlbCopy(p, v, base, addr, h)
	}
	if err := k.splitHuge(p, base); err != nil {
		return err
	}
	return k.writeFault(p, v, va)
}

// hugeZeroWrite replaces p's mapping of the huge zero page at base by a new
// zeroed huge page (Linux's do_huge_zero_wp_pmd); without one, the mapping
// is split and the write takes a 4 KiB page.
func (k *Kernel) hugeZeroWrite(p *Process, v *VMA, va, base, addr uint64) error {
	var h *hugePage
	if k.thpAllowed(v, base) {
		h = k.newTHP()
	}
	if h == nil {
		k.note(p, Faults{THPFallbacks: 1})
		if err := k.splitHuge(p, base); err != nil {
			return err
		}
		return k.writeFault(p, v, va)
	}
	k.WritePTE(addr, mmu.MakePTE(h.head, leafFlags(v, true)|mmu.PageSize))
	h.rmap = append(h.rmap, pteRef{p, base})
	k.invalidate(p, base)
	k.countCOW(p, false)
	k.note(p, Faults{THP: 1})
	return nil
}

// hugeRefresh rewrites a huge page's entry from its area's protection
// (after mprotect), as refresh does for 4 KiB.
func (k *Kernel) hugeRefresh(p *Process, v *VMA, va, addr uint64, e mmu.PTE, level int) error {
	h := k.hugeOf(e)
	if h == nil {
		return errNotHuge(p, va)
	}
	writable := !h.zero && (v.Shared || len(h.rmap) == 1 && h.ptes == 0)
	k.WritePTE(addr, mmu.MakePTE(h.head, leafFlags(v, writable)|mmu.PageSize|e&(mmu.Accessed|mmu.Dirty)))
	k.invalidate(p, k.hugeBase(va, level))
	return nil
}

// hugePhys is the physical address of va through a present huge entry e at
// level.
func (k *Kernel) hugePhys(e mmu.PTE, va uint64, level int) uint64 {
	return k.frameOf(e)<<k.pageShift() | va&(1<<k.hugeShift(level)-1)
}
