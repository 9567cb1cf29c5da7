package os

// The user half of an address space and the rules every call that names
// a range of it follows, after Linux's mm/mmap.c: a range must not wrap
// around 2^64 nor pass TASK_SIZE, and nothing is mapped below
// mmap_min_addr, so that a null pointer's access always faults.

// taskSize is the top of the user half (Linux's TASK_SIZE, 2^47 with
// 48-bit addresses): no area of a process reaches past it. On a machine of
// fewer than 32 address bits the whole space is the user's.
func (k *Kernel) taskSize() uint64 {
	bits := k.cfg.Geometry.VABits
	if bits < 32 {
		return uint64(1) << bits
	}
	return uint64(1) << (bits - 1)
}

// mmapTop is where mmap areas grow down from (Linux x86-64's layout,
// scaled to the address width): below it, the stack's quarter.
func (k *Kernel) mmapTop() uint64 {
	top := k.taskSize()
	return top - top/4
}

// mmapMinAddr is the lowest address a process may map (Linux's
// vm.mmap_min_addr, 64 KiB on x86-64 distributions); on a small machine
// a sixteenth of the user half, and at least one page.
func (k *Kernel) mmapMinAddr() uint64 {
	return max(k.pageSize(), min(64<<10, k.taskSize()/16))
}

// heapStart is where the break of a process that never ran execve starts:
// where a non-PIE x86-64 program's image would begin (0x400000), as if the
// image were empty; on a small machine a quarter of the user half.
func (k *Kernel) heapStart() uint64 {
	return max(k.mmapMinAddr(), min(0x400000, k.taskSize()/4))
}

func (k *Kernel) pageAligned(a uint64) bool { return a&(k.pageSize()-1) == 0 }

// roundUp rounds n up to a whole number of pages; as Linux's PAGE_ALIGN it
// wraps to 0 past 2^64 - one page, which the callers check.
func (k *Kernel) roundUp(n uint64) uint64 { return (n + k.pageSize() - 1) &^ (k.pageSize() - 1) }

// inUserHalf says whether [addr, addr+length) lies in the user half
// without wrapping: the test of Linux's get_unmapped_area (length past
// TASK_SIZE, or addr past TASK_SIZE - length: ENOMEM) and, for the
// buffers of read and write, of access_ok (EFAULT).
func (k *Kernel) inUserHalf(addr, length uint64) bool {
	return length <= k.taskSize() && addr <= k.taskSize()-length
}

// maxRW is the most one read or write moves (Linux's MAX_RW_COUNT: INT_MAX
// rounded down to a page); a larger count is cut to it.
func (k *Kernel) maxRW() uint64 { return (1<<31 - 1) &^ (k.pageSize() - 1) }

// unmappedArea is Linux's get_unmapped_area for an area of length bytes
// (already a whole number of pages, or of align, not 0) at addr: with
// MAP_FIXED, addr itself if the range is in the user half (else ENOMEM)
// and aligned (else EINVAL); otherwise addr as a hint, taken when it is at
// or above mmap_min_addr, aligned, in the user half and free
// (arch_get_unmapped_area_topdown with mmap_address_hint_valid), else the
// highest free range below mmapTop, aligned to align (ENOMEM when none is
// left). Last, an address below mmap_min_addr is EPERM (cap_mmap_addr,
// for a process without CAP_SYS_RAWIO). Linux's bottom-up retry, above
// mmapTop, is left out.
func (k *Kernel) unmappedArea(p *Process, addr, length, align uint64, fixed bool) (uint64, Errno) {
	if length > k.taskSize() {
		return 0, ENOMEM
	}
	if !fixed {
		if addr != 0 && addr < k.mmapMinAddr() { // round_hint_to_min
			addr = k.roundUp(k.mmapMinAddr())
		}
		addr &^= align - 1
		if addr == 0 || !k.inUserHalf(addr, length) || p.MM.overlaps(addr, addr+length) {
			if addr = p.MM.gap(length, align, k.mmapMinAddr(), k.mmapTop()); addr == 0 {
				return 0, ENOMEM
			}
		}
	}
	switch {
	case !k.inUserHalf(addr, length):
		return 0, ENOMEM
	case addr&(align-1) != 0:
		return 0, EINVAL
	case addr < k.mmapMinAddr():
		return 0, EPERM
	}
	return addr, OK
}
