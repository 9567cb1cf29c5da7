package os

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Madvise is madvise(addr, length, advice), with Linux's errors: an
// address not page-aligned or an advice this kernel does not know (it
// knows MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
// MADV_DONTNEED, MADV_HUGEPAGE and MADV_NOHUGEPAGE) is EINVAL; a range
// with unmapped parts is ENOMEM, after the advice was applied to the mapped
// ones. Advice that changes an area's flags cuts the area at the range's
// ends (a MAP_HUGETLB area only at its page size: EINVAL), splitting a
// transparent huge page cut there.
func (k *Kernel) Madvise(now sim.Cycle, p *Process, addr, length uint64, advice int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) { return 0, k.madvise(p, addr, length, advice) })
}

func (k *Kernel) madvise(p *Process, addr, length uint64, advice int) Errno {
	switch advice {
	case MadvNormal, MadvRandom, MadvSequential, MadvWillneed, MadvDontneed, MadvHugepage, MadvNohugepage:
	default:
		return EINVAL
	}
	end := addr + k.roundUp(length)
	switch {
	case !k.pageAligned(addr) || (length > 0 && k.roundUp(length) == 0) || end < addr:
		return EINVAL
	case end == addr:
		return OK
	}
	holes, mapped := false, false
	for a := addr; a < end; {
		v := p.MM.Find(a)
		if v == nil {
			holes = true
			if a = k.nextArea(p, a); a == 0 {
				break
			}
			continue
		}
		mapped = true
		a = v.End
	}
	if !mapped {
		return ENOMEM
	}
	var errno Errno
	switch advice {
	case MadvDontneed:
		errno = k.dontNeed(p, addr, end)
	case MadvWillneed:
		k.willNeed(p, addr, end)
	default:
		errno = k.adviseAreas(p, addr, end, advice)
	}
	if errno == OK && holes {
		errno = ENOMEM
	}
	return errno
}

// nextArea returns the start of p's first area above a, or 0.
func (k *Kernel) nextArea(p *Process, a uint64) uint64 {
	for _, v := range p.MM.VMAs {
		if v.Start > a {
			return v.Start
		}
	}
	return 0
}

// adviseAreas records the advice in the areas of [start, end), cut to it.
func (k *Kernel) adviseAreas(p *Process, start, end uint64, advice int) Errno {
	if !k.hugeCutsAligned(p, start, end) {
		return EINVAL
	}
	if k.splitRange(p, start, end) != nil {
		return ENOMEM
	}
	for _, v := range p.MM.carve(start, end) {
		switch advice {
		case MadvNormal:
			v.Advice &^= AdviseSequential | AdviseRandom
		case MadvRandom:
			v.Advice = v.Advice&^AdviseSequential | AdviseRandom
		case MadvSequential:
			v.Advice = v.Advice&^AdviseRandom | AdviseSequential
		case MadvHugepage:
			v.Advice = v.Advice&^AdviseNoHugePage | AdviseHugePage
		case MadvNohugepage:
			v.Advice = v.Advice&^AdviseHugePage | AdviseNoHugePage
		}
	}
	return OK
}

// dontNeed is MADV_DONTNEED: the pages of [start, end) are unmapped, the
// areas stay. A private anonymous page is freed (the next touch reads
// zeros), a private copy of a file page too (the next touch reads the
// file), a shared page stays in its page cache. In a MAP_HUGETLB area the
// start must be aligned to the page size (EINVAL), and the end is rounded
// down to it, as Linux does.
func (k *Kernel) dontNeed(p *Process, start, end uint64) Errno {
	for _, v := range append([]*VMA(nil), p.MM.VMAs...) {
		lo, hi := max(start, v.Start), min(end, v.End)
		if lo >= hi {
			continue
		}
		if v.HugeLevel > 0 {
			size := uint64(1) << k.hugeShift(v.HugeLevel)
			if lo&(size-1) != 0 {
				return EINVAL
			}
			hi &^= size - 1
		}
		if k.splitRange(p, lo, hi) != nil {
			return ENOMEM
		}
		k.forEachLeaf(p, lo, hi, func(va, addr uint64, e mmu.PTE, level int) {
			if level > 1 {
				k.unmapHuge(p, va, addr, e)
			} else {
				k.unmapLeaf(p, va, addr, e)
			}
		})
	}
	return OK
}

// willNeed is MADV_WILLNEED: the file pages of [start, end) are read
// ahead (as POSIX_FADV_WILLNEED), and anonymous pages in swap are read
// back into the swap cache; the call does not wait for the disk.
func (k *Kernel) willNeed(p *Process, start, end uint64) {
	for _, v := range p.MM.VMAs {
		lo, hi := max(start, v.Start), min(end, v.End)
		switch {
		case lo >= hi || v.HugeLevel > 0:
		case v.File != nil && !v.File.anon:
			first := (lo - v.Start + v.Offset) >> k.pageShift()
			k.forceRA(p, v.File, k.fileRA(v.File), first, (hi-lo)>>k.pageShift(), pageSpan{})
		case v.File == nil:
			k.forEachLeaf(p, lo, hi, func(va, addr uint64, e mmu.PTE, level int) {
				if level == 1 && e&swapped != 0 {
					k.swapAhead(p, int(k.frameOf(e)))
				}
			})
		}
	}
}

// swapAhead reads a swap slot into the swap cache without waiting for it
// (Linux's read_swap_cache_async): the fault that wants it takes it from
// there, minor if it has arrived.
func (k *Kernel) swapAhead(p *Process, slot int) {
	if _, cached := k.swapCache[slot]; cached {
		return
	}
	frame, err := k.allocFrame()
	if err != nil {
		return
	}
	buf := make([]byte, k.pageSize())
	done, err := k.swap.ReadPage(k.t, slot, buf)
	if err != nil {
		k.freeFrame(frame)
		return
	}
	k.mem.Write(frame<<k.pageShift(), buf)
	k.swapCache[slot] = frame
	fi := k.frames.info(frame)
	fi.kind, fi.swapped, fi.arrive = anonFrame, slot, done
	k.frames.reserve(frame)
	k.frames.enterRing(frame)
	k.N.SwapIns++
	k.note(p, Faults{Readahead: 1})
}
