package os

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// The layout of a new address space (Linux x86-64's, scaled to the
// virtual address width): mmap areas grow down from mmapTop, the stack sits
// at the top.
func (k *Kernel) mmapTop() uint64 {
	top := uint64(1) << (k.cfg.Geometry.VABits - 1) // user half, as x86-64
	if k.cfg.Geometry.VABits < 32 {
		top = uint64(1) << k.cfg.Geometry.VABits
	}
	return top - top/4 // leave room above for the stack
}

func (k *Kernel) pageAligned(a uint64) bool { return a&(k.pageSize()-1) == 0 }

func (k *Kernel) roundUp(n uint64) uint64 { return (n + k.pageSize() - 1) &^ (k.pageSize() - 1) }

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
	shared, private := flags&MapShared != 0, flags&MapPrivate != 0
	anon := flags&MapAnonymous != 0
	switch {
	case length == 0 || shared == private || !k.pageAligned(off) || prot&^(ProtRead|ProtWrite|ProtExec) != 0:
		return 0, EINVAL
	case flags&MapFixed != 0 && !k.pageAligned(addr):
		return 0, EINVAL
	case flags&MapHugeTLB != 0:
		return k.mmapHuge(p, addr, length, prot, flags)
	}
	length = k.roundUp(length)
	var file *File
	if !anon {
		of := p.fds[fd]
		if of == nil || of.f == nil {
			return 0, EBADF
		}
		if shared && prot&ProtWrite != 0 && of.flags&3 != OpenRDWR {
			return 0, EACCES
		}
		file = of.f
	}
	start := addr &^ (k.pageSize() - 1)
	if flags&MapFixed != 0 {
		if errno := k.unmapRange(p, start, start+length); errno != OK {
			return 0, errno
		}
	} else if start == 0 || start+length > k.mmapTop() || p.MM.overlaps(start, start+length) {
		if start = p.MM.gap(length, k.pageSize(), k.pageSize(), k.mmapTop()); start == 0 {
			return 0, ENOMEM
		}
	}
	v := &VMA{Start: start, End: start + length, Prot: prot, Shared: shared, File: file, Offset: off, Name: "[anon]"}
	switch {
	case file != nil:
		v.Name = file.Name
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
		}
	}
	return start, OK
}

// Munmap is munmap(addr, length).
func (k *Kernel) Munmap(now sim.Cycle, p *Process, addr, length uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		if !k.pageAligned(addr) || length == 0 {
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
		end := addr + k.roundUp(length)
		if !k.pageAligned(addr) || prot&^(ProtRead|ProtWrite|ProtExec) != 0 {
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
func (k *Kernel) Brk(now sim.Cycle, p *Process, addr uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		mm := &p.MM
		if addr == 0 || addr < mm.BrkStart {
			return mm.Brk, OK
		}
		oldEnd, newEnd := k.roundUp(mm.Brk), k.roundUp(addr)
		switch {
		case newEnd > oldEnd:
			if mm.overlaps(oldEnd, newEnd) {
				return mm.Brk, ENOMEM
			}
			if heap := mm.Find(oldEnd - 1); heap != nil && heap.Name == "[heap]" && heap.End == oldEnd {
				heap.End = newEnd
			} else {
				mm.insert(&VMA{Start: oldEnd, End: newEnd, Prot: ProtRead | ProtWrite, Name: "[heap]"})
			}
		case newEnd < oldEnd:
			k.unmapRange(p, newEnd, oldEnd)
		}
		mm.Brk = addr
		return addr, OK
	})
}
