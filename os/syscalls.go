package os

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// syscall runs body as a system call at cycle now and returns its result,
// its error and when it returns.
func (k *Kernel) syscall(now sim.Cycle, body func() (uint64, Errno)) (uint64, Errno, sim.Cycle) {
	k.enter(now, k.cfg.Costs.Syscall)
	k.N.Syscalls++
	ret, errno := body()
	if k.err != nil && errno == OK {
		errno = ENOMEM
	}
	return ret, errno, k.leave()
}

// Mmap is mmap(addr, length, prot, flags, fd, offset).
func (k *Kernel) Mmap(now sim.Cycle, p *Process, addr, length uint64, prot, flags, fd int, off uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) { return k.mmap(p, addr, length, prot, flags, fd, off) })
}

func (k *Kernel) mmap(p *Process, addr, length uint64, prot, flags, fd int, off uint64) (uint64, Errno) {
	// The checks of x86's sys_mmap, ksys_mmap_pgoff and do_mmap
	// (mm/mmap.c), in their order.
	if !k.pageAligned(off) {
		return 0, EINVAL
	}
	var of *openFile
	if flags&MapAnonymous == 0 {
		switch of = p.fds[fd]; {
		case of == nil:
			return 0, EBADF
		case flags&MapHugeTLB != 0:
			return 0, EINVAL // a MAP_HUGETLB file must be on hugetlbfs
		case of.f == nil:
			return 0, EBADF // standard output cannot be mapped
		}
	}
	if flags&MapHugeTLB != 0 {
		return k.mmapHuge(p, addr, length, prot, flags)
	}
	if length == 0 {
		return 0, EINVAL
	}
	if length = k.roundUp(length); length == 0 {
		return 0, ENOMEM
	}
	// (do_mmap's EOVERFLOW, an offset in pages plus the length wrapping,
	// cannot happen with 64-bit byte offsets.)
	start, errno := k.unmappedArea(p, addr, length, k.pageSize(), flags&MapFixed != 0)
	if errno != OK {
		return 0, errno
	}
	shared := flags&MapShared != 0
	switch {
	case shared == (flags&MapPrivate != 0) || prot&^(ProtRead|ProtWrite|ProtExec) != 0:
		return 0, EINVAL
	case of != nil && shared && prot&ProtWrite != 0 && of.flags&3 != OpenRDWR:
		return 0, EACCES
	}
	if flags&MapFixed != 0 {
		if errno := k.unmapRange(p, start, start+length); errno != OK {
			return 0, errno
		}
	}
	v := &VMA{Start: start, End: start + length, Prot: prot, Shared: shared, Offset: off, Name: "[anon]"}
	switch {
	case of != nil:
		v.File, v.Name = of.f, of.f.Name
	case shared:
		v.File, v.Offset, v.Name = k.newShmem("[shmem]"), 0, "[shmem]"
	}
	p.MM.insert(v)
	if flags&MapPopulate != 0 {
		// Linux populates a private writable area with write faults (no
		// zero page); the textbook kernel reads every page in. Pages past
		// a file's end are left alone (they are SIGBUS when touched).
		write := k.cfg.ZeroPage && !shared && prot&ProtWrite != 0
		for va := v.Start; va < v.End && !k.pastEOF(v, va); va += k.pageSize() {
			if _, ok := k.userPage(p, va, write); !ok {
				return start, ENOMEM
			}
			// Each page is a fault of its own: the pages before it may
			// be reclaimed for it, so an area larger than memory swaps
			// as it fills rather than running out of frames.
			clear(k.pinned)
		}
	}
	return start, OK
}

// Munmap is munmap(addr, length).
func (k *Kernel) Munmap(now sim.Cycle, p *Process, addr, length uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		// do_vmi_munmap (mm/mmap.c): an unaligned start, a range past
		// TASK_SIZE, or a length of no pages is EINVAL; an unmapped range
		// is not an error.
		if !k.pageAligned(addr) || !k.inUserHalf(addr, length) || length == 0 {
			return 0, EINVAL
		}
		return 0, k.unmapRange(p, addr, addr+k.roundUp(length))
	})
}

// unmapRange drops the areas and pages of [start, end). A MAP_HUGETLB area
// may only be cut at its page size (EINVAL); a transparent huge page
// across start or end is split first.
func (k *Kernel) unmapRange(p *Process, start, end uint64) Errno {
	if !k.hugeCutsAligned(p, start, end) {
		return EINVAL
	}
	if k.splitRange(p, start, end) != nil {
		return ENOMEM
	}
	list := p.MM.carve(start, end)
	for _, v := range list {
		if v.HugeLevel > 0 {
			k.releaseHugeResv(p, v, v.Start, v.End)
		}
		k.forEachLeaf(p, v.Start, v.End, func(va, addr uint64, e mmu.PTE, level int) {
			if level > 1 {
				k.unmapHuge(p, va, addr, e)
			} else {
				k.unmapLeaf(p, va, addr, e)
			}
		})
	}
	p.MM.remove(list)
	k.dropObjects(list)
	return OK
}

// Mprotect is mprotect(addr, length, prot).
func (k *Kernel) Mprotect(now sim.Cycle, p *Process, addr, length uint64, prot int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		// do_mprotect_pkey (mm/mprotect.c), in its order: an unaligned
		// start is EINVAL, a length of 0 does nothing, a range that wraps
		// (a length that rounds past 2^64, too) is ENOMEM, then unknown
		// protection bits are EINVAL and a hole in the range ENOMEM.
		end := addr + k.roundUp(length)
		switch {
		case !k.pageAligned(addr):
			return 0, EINVAL
		case length == 0:
			return 0, OK
		case end <= addr:
			return 0, ENOMEM
		case prot&^(ProtRead|ProtWrite|ProtExec) != 0:
			return 0, EINVAL
		}
		for a := addr; a < end; {
			v := p.MM.Find(a)
			if v == nil {
				return 0, ENOMEM // Linux: part of the range is not mapped
			}
			a = v.End
		}
		if !k.hugeCutsAligned(p, addr, end) {
			return 0, EINVAL
		}
		if k.splitRange(p, addr, end) != nil {
			return 0, ENOMEM
		}
		for _, v := range p.MM.carve(addr, end) {
			if v.Shared && v.File != nil && prot&ProtWrite != 0 {
				if of := k.openFlags(p, v.File); of >= 0 && of&3 != OpenRDWR {
					return 0, EACCES
				}
			}
			v.Prot = prot
			k.forEachLeaf(p, v.Start, v.End, func(va, a uint64, e mmu.PTE, _ int) { k.reprotect(p, v, va, a, e) })
		}
		return 0, OK
	})
}

func (k *Kernel) openFlags(p *Process, f *File) int {
	for _, of := range p.fds {
		if of.f == f {
			return of.flags
		}
	}
	return -1
}

// reprotect applies an area's new protection to one resident page: rights
// are only ever taken away here; a write or exec fault gives them back
// when the area allows.
func (k *Kernel) reprotect(p *Process, v *VMA, va, addr uint64, e mmu.PTE) {
	if e&(mmu.Present|protNone) == 0 {
		return
	}
	n := e
	if v.Prot == ProtNone {
		n = n&^mmu.Present | protNone
	} else if e&protNone != 0 {
		n = n&^protNone | mmu.Present
	}
	if v.Prot&ProtWrite == 0 {
		n &^= mmu.Writable
	}
	if v.Prot&ProtExec == 0 {
		n |= mmu.NoExec
	}
	if n != e {
		k.WritePTE(addr, n)
		if e&mmu.Present != 0 {
			k.invalidate(p, va)
		}
	}
}

// Brk is brk(addr): it moves the end of the heap and returns the break.
// As Linux's brk (mm/mmap.c), an address below the heap's start asks for
// the break (brk(0)), and a move that cannot be made leaves it where it
// was: a growth past TASK_SIZE (check_brk_limits) or to within a page of
// the next area. The break is returned then with ENOMEM, the errno glibc's
// brk() sets.
func (k *Kernel) Brk(now sim.Cycle, p *Process, addr uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		mm := &p.MM
		if addr < mm.BrkStart {
			return mm.Brk, OK
		}
		oldEnd, newEnd := k.roundUp(mm.Brk), k.roundUp(addr)
		switch {
		case newEnd == oldEnd:
		case addr <= mm.Brk:
			k.unmapRange(p, newEnd, oldEnd)
		case !k.inUserHalf(oldEnd, newEnd-oldEnd) || oldEnd < k.mmapMinAddr() ||
			mm.overlaps(oldEnd, newEnd+k.pageSize()):
			return mm.Brk, ENOMEM
		default:
			if heap := mm.Find(oldEnd - 1); heap != nil && heap.Name == "[heap]" && heap.End == oldEnd {
				heap.End = newEnd
			} else {
				mm.insert(&VMA{Start: oldEnd, End: newEnd, Prot: ProtRead | ProtWrite, Name: "[heap]"})
			}
		}
		mm.Brk = addr
		return addr, OK
	})
}
