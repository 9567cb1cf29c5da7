package os

import (
	"fmt"

	"github.com/vmemu/vmemu/mmu"
)

// reclaim frees one frame by the clock algorithm over the Accessed bits: the
// hand sweeps the frames that hold pages; a page whose entries show it was
// used since the last sweep has its bits cleared and is passed over; the
// first one not used is evicted. Anonymous pages go to swap, file pages are
// written back if dirty and dropped.
func (k *Kernel) reclaim() error {
	ft := k.frames
	for scanned := 0; scanned < 3*len(ft.ring)+3 && len(ft.ring) > 0; scanned++ {
		if ft.hand >= len(ft.ring) {
			ft.hand = 0
		}
		f := ft.ring[ft.hand]
		fi := ft.infos[f]
		if fi.hp != nil && !k.pinned[f] {
			// A transparent huge page: split if not used lately, and
			// the scan goes on over its pages.
			if !k.reclaimHuge(fi.hp) {
				ft.hand++
			}
			continue
		}
		if k.pinned[f] || k.young(fi) || (k.swapBacked(fi) && k.swap == nil) {
			ft.hand++
			continue
		}
		if err := k.evict(f, fi); err != nil {
			return err
		}
		k.N.Evictions++
		return nil
	}
	if k.swap == nil {
		return fmt.Errorf("%w (and no swap area to move pages to)", errOutOfMemory)
	}
	return errOutOfMemory
}

// swapBacked reports whether a page can leave memory only for swap.
func (k *Kernel) swapBacked(fi *frameInfo) bool {
	return fi.kind == anonFrame || fi.kind == fileFrame && fi.file.anon
}

// young reports whether any entry mapping the frame has its Accessed bit,
// clearing them all (the hardware sets them again on the next walk; like
// Linux, the kernel does not flush the TLB for this).
func (k *Kernel) young(fi *frameInfo) bool {
	used := false
	for _, r := range fi.rmap {
		e, addr := k.leaf(r.p, r.va)
		if addr != 0 && e&mmu.Accessed != 0 {
			used = true
			k.WritePTE(addr, e&^mmu.Accessed)
		}
	}
	return used
}

// evict takes a page out of memory, finding every entry that maps it
// through the reverse map.
func (k *Kernel) evict(f uint64, fi *frameInfo) error {
	switch fi.kind {
	case anonFrame:
		slot := fi.swapped
		if slot >= 0 {
			// Still in its slot, unchanged (holders map it read-only
			// while others wait for it there): nothing to write.
			delete(k.swapCache, slot)
		} else {
			var err error
			if slot, err = k.swapOut(f); err != nil {
				return err
			}
		}
		for _, r := range fi.rmap {
			_, addr := k.leaf(r.p, r.va)
			k.WritePTE(addr, mmu.MakePTE(uint64(slot), swapped))
			k.swapRefs[slot]++
			k.invalidate(r.p, r.va)
		}
	case fileFrame:
		if fi.file.anon {
			if err := k.evictShmem(f, fi); err != nil {
				return err
			}
			break
		}
		if err := k.writeBack(f); err != nil {
			return err
		}
		k.dropMappings(fi)
		delete(fi.file.pages, fi.index)
	default:
		return fmt.Errorf("internal error: frame %#x of kind %d on the clock", f, fi.kind)
	}
	k.freeFrame(f)
	return nil
}

// swapOut writes frame f's page to a new swap slot.
func (k *Kernel) swapOut(f uint64) (int, error) {
	slot, err := k.swap.Alloc()
	if err != nil {
		return 0, fmt.Errorf("%w: swap is full (%d slots)", errOutOfMemory, k.swap.Slots())
	}
	buf := make([]byte, k.pageSize())
	k.mem.Read(f<<k.pageShift(), buf)
	done, err := k.swap.WritePage(k.t, slot, buf)
	if err != nil {
		return 0, err
	}
	k.t = done
	k.N.SwapOuts++
	return slot, nil
}

// dropMappings clears every entry that maps a page of a page cache (its
// reverse map), so that the page can leave memory.
func (k *Kernel) dropMappings(fi *frameInfo) {
	for _, r := range fi.rmap {
		_, addr := k.leaf(r.p, r.va)
		k.WritePTE(addr, 0)
		k.invalidate(r.p, r.va)
	}
}
