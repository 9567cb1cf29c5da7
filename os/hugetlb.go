package os

import (
	"fmt"

	"github.com/vmemu/vmemu/mmu"
)

// MAP_HUGETLB (Linux's hugetlbfs behind anonymous mmap): areas mapped only
// with huge pages (2 MiB, or 1 GiB with MAP_HUGE_1GB) taken from pools set
// aside at boot. mmap promises the area its pages (a reservation) and fails
// with ENOMEM when the pool cannot; a fault takes a promised page. Pages are
// never swapped or split. A private area's pages are copied whole on a
// write after fork; a page of a child's private area, which holds no
// promise, may find the pool empty: SIGBUS, as on Linux.

// hugePool is the free pages of one size (Linux's struct hstate).
type hugePool struct {
	level int
	free  []uint64 // first frames of the free pages, the lowest last
	total int
	// reserved counts pages promised to areas that have not faulted them.
	reserved int
}

// available is the number of free pages nothing has been promised.
func (h *hugePool) available() int { return len(h.free) - h.reserved }

// hugeResv is what a private MAP_HUGETLB area was promised at mmap and has
// not faulted yet (Linux's reservation map of the area's owner).
type hugeResv struct{ n int }

// layoutPools sets aside the MAP_HUGETLB pages at the top of physical
// memory, 1 GiB pages highest, and returns the first frame they take: the
// frame allocator hands out the frames below.
func (k *Kernel) layoutPools(frames uint64) (uint64, error) {
	top := frames
	for i, count := range []uint64{k.cfg.HugeTLB1G, k.cfg.HugeTLB2M} {
		level := 3 - i
		if count == 0 {
			continue
		}
		size := uint64(1) << (k.hugeShift(level) - k.pageShift())
		top &^= size - 1
		if count*size+size > top {
			return 0, fmt.Errorf("%d huge pages of %d B do not fit in %d B of physical memory", count, size<<k.pageShift(),
				frames<<k.pageShift())
		}
		pool := &hugePool{level: level, total: int(count)}
		for j := uint64(0); j < count; j++ {
			top -= size
			pool.free = append(pool.free, top)
		}
		k.pools[level-2] = pool
	}
	for _, level := range []int{2, 3} {
		if k.pools[level-2] == nil {
			k.pools[level-2] = &hugePool{level: level}
		}
	}
	return top, nil
}

// hugetlbLevel reads the page size of a MAP_HUGETLB mmap (MAP_HUGE_2MB,
// MAP_HUGE_1GB, or 0 for the default 2 MiB): the level of the entries that
// map it, or 0 for a size this machine has no pages of.
func (k *Kernel) hugetlbLevel(flags int) int {
	shift := uint(flags>>MapHugeShift) & 0x3f
	for _, level := range []int{2, 3} {
		if k.cfg.Geometry.Large(level) && (shift == k.hugeShift(level) || shift == 0 && level == 2) {
			return level
		}
	}
	return 0
}

// mmapHuge is mmap for MAP_HUGETLB (anonymous: mmap checked the rest):
// the length rounds up to whole pages of the size asked for
// (ksys_mmap_pgoff), a fixed address must be aligned to it
// (hugetlb_get_unmapped_area), and the pool must have the pages to promise
// (hugetlb_reserve_pages).
func (k *Kernel) mmapHuge(p *Process, addr, length uint64, prot, flags int) (uint64, Errno) {
	level := k.hugetlbLevel(flags)
	if level == 0 {
		return 0, EINVAL
	}
	size := uint64(1) << k.hugeShift(level)
	if length = (length + size - 1) &^ (size - 1); length == 0 {
		return 0, EINVAL // 0, or a length that wrapped as it was rounded
	}
	start, errno := k.unmappedArea(p, addr, length, size, flags&MapFixed != 0)
	switch {
	case errno != OK:
		return 0, errno
	case (flags&MapShared != 0) == (flags&MapPrivate != 0) || prot&^(ProtRead|ProtWrite|ProtExec) != 0:
		return 0, EINVAL
	}
	pool, need := k.pools[level-2], int(length/size)
	if pool.available() < need {
		return 0, ENOMEM
	}
	if flags&MapFixed != 0 {
		if errno := k.unmapRange(p, start, start+length); errno != OK {
			return 0, errno
		}
	}
	pool.reserved += need
	v := &VMA{Start: start, End: start + length, Prot: prot, Shared: flags&MapShared != 0, HugeLevel: level, Name: "[hugetlb]"}
	if v.Shared {
		v.File = k.newShmem("[hugetlb]")
		v.File.hugeLevel, v.File.resv = level, need
	} else {
		v.resv = &hugeResv{need}
	}
	p.MM.insert(v)
	return start, OK
}

// hugetlbFault maps the huge page of v at va: a shared area's page from its
// object (taken from the pool at the object's first touch), a private
// area's a new zeroed page from the pool.
func (k *Kernel) hugetlbFault(p *Process, v *VMA, va uint64) error {
	level := v.HugeLevel
	base := k.hugeBase(va, level)
	var h *hugePage
	if v.Shared {
		idx := (base - v.Start + v.Offset) >> k.hugeShift(level)
		if head, ok := v.File.pages[idx]; ok {
			h = k.huge[head]
		} else {
			var err error
			if h, err = k.takeHuge(level, &v.File.resv); err != nil {
				return err
			}
			h.obj = v.File
			v.File.pages[idx] = h.head
		}
	} else {
		var err error
		if h, err = k.takeHuge(level, &v.resv.n); err != nil {
			return err
		}
	}
	if err := k.mapHuge(p, base, h, leafFlags(v, true)); err != nil {
		return err
	}
	k.countFault(p, false)
	k.note(p, Faults{HugeTLB: 1})
	return nil
}

// takeHuge takes a zeroed page from the pool of level: a promised one if
// *resv holds a promise, else one nothing was promised.
func (k *Kernel) takeHuge(level int, resv *int) (*hugePage, error) {
	pool := k.pools[level-2]
	switch {
	case *resv > 0:
		*resv--
		pool.reserved--
	case pool.available() <= 0:
		return nil, sigbus("no free huge page in the MAP_HUGETLB pool")
	}
	head := pool.free[len(pool.free)-1]
	pool.free = pool.free[:len(pool.free)-1]
	h := &hugePage{head: head, level: level, pool: pool}
	k.huge[head] = h
	for f := head; f < head+h.frames(k); f++ {
		k.zeroFrame(f)
	}
	return h, nil
}

// putHuge gives a MAP_HUGETLB page back to its pool.
func (k *Kernel) putHuge(h *hugePage) {
	delete(k.huge, h.head)
	h.pool.free = append(h.pool.free, h.head)
}

// hugetlbCopy copies the private MAP_HUGETLB page h, which another process
// still maps, into a page of p's own (Linux's hugetlb_wp).
func (k *Kernel) hugetlbCopy(p *Process, v *VMA, base, addr uint64, h *hugePage) error {
	none := 0
	c, err := k.takeHuge(h.level, &none)
	if err != nil {
		return err
	}
	for i := uint64(0); i < h.frames(k); i++ {
		k.copyFrame(c.head+i, h.head+i)
	}
	h.removeRef(p, base)
	k.WritePTE(addr, mmu.MakePTE(c.head, leafFlags(v, true)|mmu.PageSize))
	c.rmap = append(c.rmap, pteRef{p, base})
	k.invalidate(p, base)
	k.countCOW(p, true)
	return nil
}

// releaseHugeResv gives back what a private MAP_HUGETLB area was promised
// for the pages of [start, end) it never faulted (munmap).
func (k *Kernel) releaseHugeResv(p *Process, v *VMA, start, end uint64) {
	if v.resv == nil || v.resv.n == 0 {
		return
	}
	size := uint64(1) << k.hugeShift(v.HugeLevel)
	for va := start; va < end && v.resv.n > 0; va += size {
		if e, _, _ := k.lookup(p, va); e == 0 {
			v.resv.n--
			k.pools[v.HugeLevel-2].reserved--
		}
	}
}

// hugeCutsAligned reports whether cutting p's areas at start and end
// leaves every MAP_HUGETLB area in whole pages (Linux refuses to split one
// elsewhere: EINVAL).
func (k *Kernel) hugeCutsAligned(p *Process, start, end uint64) bool {
	for _, cut := range []uint64{start, end} {
		if v := p.MM.Find(cut); v != nil && v.HugeLevel > 0 && cut&(1<<k.hugeShift(v.HugeLevel)-1) != 0 {
			return false
		}
	}
	return true
}
