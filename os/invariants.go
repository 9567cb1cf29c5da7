package os

import (
	"fmt"

	"github.com/vmemu/vmemu/mmu"
)

// CheckInvariants cross-checks the kernel's books: every present or
// PROT_NONE entry of every live process names a page frame whose reverse
// map names the entry back, and a page of a file or shared anonymous object
// only where that page belongs; every page-cache page is a file frame of
// its file; every swap entry counts in its slot's references. The zero
// page is mapped read-only and only in private anonymous areas, and is
// still zero. A huge entry maps a known huge page, aligned, whole inside
// an area that may have it, and is in its reverse map; a transparent huge
// page's split entries are counted; the MAP_HUGETLB pools add up. A
// process's faults are its threads'; cores, threads and each address
// space's mask of cores agree; and no core's TLB holds a translation the
// tables no longer give, unless a shootdown skipped that core and it will
// flush at its next switch (invariants_cores.go). Tests call it; it costs
// a walk of every table.
func (k *Kernel) CheckInvariants() error {
	c := &checker{k: k, refs: make(map[uint64]int, len(k.frames.infos)), slots: map[int]int{},
		hugeRefs: map[*hugePage]int{}, splitRefs: map[*hugePage]int{}}
	for _, p := range k.procs {
		if p.Exited {
			continue
		}
		for _, v := range p.MM.VMAs {
			k.forEachLeaf(p, v.Start, v.End, func(va, addr uint64, e mmu.PTE, level int) {
				if c.err == nil {
					c.err = c.entry(p, v, va, e, level)
				}
			})
		}
	}
	for _, check := range []func() error{c.frames, c.caches, c.swap, c.huge, c.pools, c.threads, c.masks, c.tlbs} {
		if c.err == nil {
			c.err = check()
		}
	}
	return c.err
}

// checker gathers what the tables say, to hold against the books.
type checker struct {
	k         *Kernel
	refs      map[uint64]int // frame -> 4 KiB entries that map it
	slots     map[int]int    // swap slot -> entries that name it
	hugeRefs  map[*hugePage]int
	splitRefs map[*hugePage]int // 4 KiB entries naming frames of a huge page
	err       error
}

func (c *checker) entry(p *Process, v *VMA, va uint64, e mmu.PTE, level int) error {
	k := c.k
	switch {
	case level > 1:
		return c.hugeEntry(p, v, va, e, level)
	case e&swapped != 0:
		c.slots[int(k.frameOf(e))]++
		return nil
	case e&(mmu.Present|protNone) == 0:
		return nil
	}
	f := k.frameOf(e)
	fi := k.frames.infos[f]
	switch {
	case fi == nil:
		return fmt.Errorf("pid %d va %#x maps frame %#x, which the kernel does not know", p.PID, va, f)
	case fi.kind == zeroFrame:
		if e&(mmu.Writable|mmu.Dirty) != 0 || v.File != nil || v.Shared {
			return fmt.Errorf("pid %d va %#x maps the zero page %v in %v", p.PID, va, e, v)
		}
		return nil
	}
	found := false
	for _, r := range fi.rmap {
		if r.p == p && r.va == va {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("pid %d va %#x maps frame %#x (kind %d), whose reverse map lacks it", p.PID, va, f, fi.kind)
	}
	c.refs[f]++
	if fi.hp != nil {
		c.splitRefs[fi.hp]++
	}
	if v.File != nil && fi.kind == fileFrame {
		index := (va - v.Start + v.Offset) >> k.pageShift()
		if fi.file != v.File || fi.index != index {
			return fmt.Errorf("pid %d va %#x (%s) maps page %d of %s, not its page %d", p.PID, va, v.Name, fi.index, fi.file.Name, index)
		}
	}
	return nil
}

func (c *checker) hugeEntry(p *Process, v *VMA, va uint64, e mmu.PTE, level int) error {
	k := c.k
	h := k.hugeOf(e)
	size := uint64(1) << k.hugeShift(level)
	switch {
	case h == nil || h.level != level:
		return fmt.Errorf("pid %d va %#x: a level-%d entry %v of no known huge page", p.PID, va, level, e)
	case va&(size-1) != 0 || va < v.Start || va+size > v.End:
		return fmt.Errorf("pid %d: huge page at %#x not whole inside %v", p.PID, va, v)
	case h.pool != nil && v.HugeLevel != level, h.pool == nil && (v.File != nil || v.Shared):
		return fmt.Errorf("pid %d va %#x: huge page of the wrong kind for %v", p.PID, va, v)
	case h.zero:
		if e&(mmu.Writable|mmu.Dirty) != 0 {
			return fmt.Errorf("pid %d va %#x maps the huge zero page writable: %v", p.PID, va, e)
		}
		return nil
	}
	c.hugeRefs[h]++
	for _, r := range h.rmap {
		if r.p == p && r.va == va {
			return nil
		}
	}
	return fmt.Errorf("pid %d va %#x maps huge page %#x, whose reverse map lacks it", p.PID, va, h.head)
}

// frames holds each frame's reverse map against the entries found.
func (c *checker) frames() error {
	k := c.k
	for f, fi := range k.frames.infos {
		switch {
		case fi.kind == zeroFrame && (f != k.zero || len(fi.rmap) != 0 || fi.ring >= 0):
			return fmt.Errorf("frame %#x is a zero page the kernel does not use as one", f)
		case fi.kind != otherFrame && fi.kind != zeroFrame && len(fi.rmap) != c.refs[f]:
			return fmt.Errorf("frame %#x (kind %d) has %d reverse-map entries, %d entries map it", f, fi.kind, len(fi.rmap), c.refs[f])
		case fi.kind == fileFrame && (fi.file == nil || fi.file.pages[fi.index] != f):
			return fmt.Errorf("file frame %#x is not in its file's page cache", f)
		case fi.raMark && fi.kind != fileFrame:
			return fmt.Errorf("frame %#x carries a readahead mark but is no file page", f)
		case fi.hp != nil && k.huge[fi.hp.head] != fi.hp:
			return fmt.Errorf("frame %#x belongs to a huge page the kernel dropped", f)
		}
	}
	if k.zero != 0 && !c.zeroed(k.zero, 1) {
		return fmt.Errorf("the zero page %#x is not zero", k.zero)
	}
	return nil
}

// caches checks that every page of every page cache is that page.
func (c *checker) caches() error {
	k := c.k
	for _, m := range []map[*File]bool{fileSet(k.files), k.objects} {
		for file := range m {
			if file.hugeLevel > 0 {
				continue // huge pages: checked with the pools
			}
			for i, f := range file.pages {
				if fi := k.frames.infos[f]; fi == nil || fi.kind != fileFrame || fi.file != file || fi.index != i {
					return fmt.Errorf("page %d of %s: frame %#x is not that page", i, file.Name, f)
				}
			}
		}
	}
	return nil
}

func fileSet(files map[string]*File) map[*File]bool {
	out := map[*File]bool{}
	for _, f := range files {
		out[f] = true
	}
	return out
}

func (c *checker) swap() error {
	for s, n := range c.slots {
		if c.k.swapRefs[s] != n {
			return fmt.Errorf("swap slot %d: %d entries name it, %d counted", s, n, c.k.swapRefs[s])
		}
	}
	return nil
}

// huge holds each huge page's reverse map and split count against the
// entries found.
func (c *checker) huge() error {
	k := c.k
	for head, h := range k.huge {
		switch {
		case h.head != head || head&(h.frames(k)-1) != 0:
			return fmt.Errorf("huge page %#x is not at its aligned first frame", head)
		case h.zero:
			if h != k.hugeZero || !c.zeroed(h.head, h.frames(k)) {
				return fmt.Errorf("huge zero page %#x is not the one, or not zero", head)
			}
		case len(h.rmap) != c.hugeRefs[h]:
			return fmt.Errorf("huge page %#x has %d reverse-map entries, %d entries map it", head, len(h.rmap), c.hugeRefs[h])
		case h.ptes != c.splitRefs[h]:
			return fmt.Errorf("huge page %#x counts %d split entries, %d found", head, h.ptes, c.splitRefs[h])
		case h.pool == nil && len(h.rmap) == 0:
			return fmt.Errorf("transparent huge page %#x is mapped whole by no entry", head)
		case h.pool != nil && len(h.rmap) == 0 && h.obj == nil:
			return fmt.Errorf("MAP_HUGETLB page %#x is mapped by nothing and not in its pool", head)
		}
	}
	return nil
}

// pools checks that every MAP_HUGETLB page is free or in use, once, and
// that no more are promised than are free.
func (c *checker) pools() error {
	k := c.k
	for _, pool := range k.pools {
		used := 0
		for _, h := range k.huge {
			if h.pool == pool {
				used++
			}
		}
		if used+len(pool.free) != pool.total || pool.reserved < 0 || pool.reserved > len(pool.free) {
			return fmt.Errorf("level-%d pool: %d used + %d free of %d, %d promised", pool.level, used, len(pool.free), pool.total, pool.reserved)
		}
	}
	return nil
}

// zeroed reports whether n frames from f hold only zeros.
func (c *checker) zeroed(f, n uint64) bool {
	return c.k.mem.IsZero(f<<c.k.pageShift(), n<<c.k.pageShift())
}
