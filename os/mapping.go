package os

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// mapPage points va's leaf entry in p's tables at frame with flags, and
// records the mapping in the frame's reverse map.
func (k *Kernel) mapPage(p *Process, va, frame uint64, flags mmu.PTE, kind frameKind) error {
	k.pin(frame)
	addr, err := k.leafAddr(p, va, true)
	if err != nil {
		return err
	}
	k.WritePTE(addr, mmu.MakePTE(frame, flags))
	fi := k.frames.info(frame)
	if kind != otherFrame {
		fi.kind = kind
	}
	fi.rmap = append(fi.rmap, pteRef{p, va})
	k.frames.reserve(frame)
	if fi.hp == nil {
		k.frames.enterRing(frame)
	}
	return nil
}

// unmapLeaf clears the leaf entry e at addr (va's in p) and lets go of what
// it held: a frame (freed when it was the last private mapping) or a swap
// slot.
func (k *Kernel) unmapLeaf(p *Process, va, addr uint64, e mmu.PTE) {
	k.WritePTE(addr, 0)
	switch {
	case e&swapped != 0:
		k.dropSwapRef(int(k.frameOf(e)))
	case e&(mmu.Present|protNone) != 0:
		f := k.frameOf(e)
		fi := k.frames.infos[f]
		if fi == nil {
			break
		}
		if e&mmu.Dirty != 0 && fi.kind == fileFrame {
			fi.dirty = true // a shared file page keeps what was written
		}
		fi.removeRef(p, va)
		switch {
		case fi.hp != nil:
			fi.hp.ptes-- // the huge page's frames go when it does
		case fi.kind == anonFrame && len(fi.rmap) == 0:
			k.freeFrame(f)
		}
		if e&mmu.Present != 0 {
			k.invalidate(p, va)
		}
	}
}

func (k *Kernel) dropSwapRef(slot int) {
	k.swapRefs[slot]--
	if k.swapRefs[slot] <= 0 {
		delete(k.swapRefs, slot)
		if f, ok := k.swapCache[slot]; ok {
			k.frames.info(f).swapped = -1
			delete(k.swapCache, slot)
		}
		if k.swap != nil {
			k.swap.Free(slot)
		}
	}
}

// pin keeps a frame from being reclaimed until the kernel path ends.
func (k *Kernel) pin(f uint64) {
	if k.pinned == nil {
		k.pinned = map[uint64]bool{}
	}
	k.pinned[f] = true
}

// zeroFrame clears a frame, as the kernel does for a demand-zero page.
func (k *Kernel) zeroFrame(f uint64) {
	pa := f << k.pageShift()
	k.mem.Zero(pa, k.pageSize())
	k.t += k.cfg.Costs.Zero
	k.traffic2(pa, 0, false)
}

// copyFrame copies src to dst (copy-on-write, fork of a private page).
func (k *Kernel) copyFrame(dst, src uint64) {
	k.mem.Copy(dst<<k.pageShift(), src<<k.pageShift(), k.pageSize())
	k.t += k.cfg.Costs.Copy
	k.traffic2(dst<<k.pageShift(), src<<k.pageShift(), true)
}

// traffic2 sends the lines of a page through the caches (a cache level:
// the reads have no requester): reads of the source when copying, and the
// writes of the destination, one line a cycle from the start of the work.
func (k *Kernel) traffic2(dst, src uint64, copying bool) {
	port := k.here().traffic
	if port == nil {
		return
	}
	const line = 64
	t := k.t
	for off := uint64(0); off < k.pageSize(); off += line {
		if copying {
			// Nobody waits for these reads (Done is nil): the kernel's
			// time is its Copy cost; the reads move lines into the caches.
			k.posted = sim.Request{Addr: src + off, Size: line, Kind: sim.Load}
			port.Access(t, &k.posted)
		}
		k.posted = sim.Request{Addr: dst + off, Size: line, Kind: sim.Store}
		port.Access(t, &k.posted)
		t++
	}
}
