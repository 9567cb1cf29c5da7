package os

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Signal is a SIGSEGV delivered to a process: the fault and why the kernel
// would not mend it.
type Signal struct {
	Fault  mmu.Fault
	Reason string
}

// PageFault is the kernel's fault handler (mmu.FaultHandler) for the
// running process: it mends what CS:APP 9.8 says it mends (a demand-zero
// page, a file page, a page in swap, a copy-on-write) and delivers SIGSEGV
// for the rest; the access restarts only after a mend.
func (k *Kernel) PageFault(now sim.Cycle, f mmu.Fault) (sim.Cycle, bool) {
	k.enter(now, k.cfg.Costs.Fault)
	ok := k.fault(k.cur, f)
	done := k.leave()
	k.N.FaultCycles += uint64(done - now)
	return done, ok
}

func (k *Kernel) fault(p *Process, f mmu.Fault) bool {
	if k.err != nil {
		return false
	}
	write, exec := f.Kind == sim.Store, f.Kind == sim.Fetch
	v := p.MM.Find(f.VA)
	switch {
	case v == nil:
		return k.segv(p, f, "no area mapped there")
	case !v.allows(write, exec) && write:
		return k.segv(p, f, "write to a read-only area")
	case !v.allows(write, exec) && exec:
		return k.segv(p, f, "execute of a non-executable area")
	case !v.allows(write, exec):
		return k.segv(p, f, "access to a PROT_NONE area")
	}
	var err error
	switch f.Cause {
	case mmu.NotPresent:
		if e, _ := k.leaf(p, f.VA); e == 0 && v.File == nil && !k.DemandZero {
			return false // an explanation shows the fault as it is
		}
		err = k.faultIn(p, v, f.VA, write)
	case mmu.WriteProtect:
		err = k.writeFault(p, v, f.VA)
	case mmu.ExecuteNX:
		err = k.refresh(p, v, f.VA) // mprotect added PROT_EXEC
	default:
		return k.segv(p, f, f.Cause.String())
	}
	if err != nil {
		k.err = err
		return k.segv(p, f, err.Error())
	}
	return true
}

// segv delivers SIGSEGV: counted, remembered, the access abandoned.
func (k *Kernel) segv(p *Process, f mmu.Fault, reason string) bool {
	k.N.Segv++
	k.N.SegvBy[f.Cause]++
	p.N.Segv++
	p.LastSegv = &f
	p.Signals = append(p.Signals, mmu.Fault(f))
	p.SignalReasons = append(p.SignalReasons, reason)
	return false
}

// faultIn makes a page that is not present present.
func (k *Kernel) faultIn(p *Process, v *VMA, va uint64, write bool) error {
	va &^= k.pageSize() - 1
	e, addr := k.leaf(p, va)
	switch {
	case e&swapped != 0:
		return k.swapIn(p, v, va, e)
	case e&protNone != 0:
		return k.refresh(p, v, va)
	case v.File != nil:
		return k.fileFault(p, v, va, write)
	}
	_ = addr
	f, err := k.allocFrame()
	if err != nil {
		return err
	}
	k.pin(f)
	k.zeroFrame(f)
	p.N.Minor++
	k.N.MinorFaults++
	return k.mapPage(p, va, f, leafFlags(v, true), anonFrame)
}

// fileFault maps a page of a file: the page-cache frame itself for a
// shared area, or for reading a private one; a private copy for a write to
// a private one.
func (k *Kernel) fileFault(p *Process, v *VMA, va uint64, write bool) error {
	index := (va - v.Start + v.Offset) >> k.pageShift()
	frame, major, err := k.cachedPage(v.File, index)
	if err != nil {
		return err
	}
	k.pin(frame)
	k.countFault(p, major)
	switch {
	case v.Shared:
		if write {
			k.frames.info(frame).dirty = true
		}
		return k.mapPage(p, va, frame, leafFlags(v, true), fileFrame)
	case write:
		copyF, err := k.allocFrame()
		if err != nil {
			return err
		}
		k.pin(copyF)
		k.copyFrame(copyF, frame)
		p.N.COW++
		k.N.COWFaults++
		k.N.COWCopies++
		return k.mapPage(p, va, copyF, leafFlags(v, true), anonFrame)
	}
	return k.mapPage(p, va, frame, leafFlags(v, false), fileFrame)
}

func (k *Kernel) countFault(p *Process, major bool) {
	if major {
		p.N.Major++
		k.N.MajorFaults++
	} else {
		p.N.Minor++
		k.N.MinorFaults++
	}
}

// writeFault handles a write to a present, read-only page of a writable
// area: copy-on-write for a private page (a COW fault), or just write
// access (a minor fault) when this process alone holds an anonymous page or
// the page is shared.
func (k *Kernel) writeFault(p *Process, v *VMA, va uint64) error {
	va &^= k.pageSize() - 1
	e, addr := k.leaf(p, va)
	frame := k.frameOf(e)
	fi := k.frames.info(frame)
	if v.Shared || (fi.kind == anonFrame && len(fi.rmap) == 1 && fi.swapped < 0) {
		// Nothing to copy: the page is shared, or this process alone
		// holds it (its other holders wrote their own copies or exited,
		// and none still waits for it in swap).
		k.countFault(p, false)
		if v.Shared {
			fi.dirty = true
		}
		k.WritePTE(addr, e|mmu.Writable)
		k.invalidate(p, va)
		return nil
	}
	k.pin(frame)
	copyF, err := k.allocFrame()
	if err != nil {
		return err
	}
	k.pin(copyF)
	k.copyFrame(copyF, frame)
	k.unmapLeaf(p, va, addr, e)
	p.N.COW++
	k.N.COWFaults++
	k.N.COWCopies++
	return k.mapPage(p, va, copyF, leafFlags(v, true), anonFrame)
}

// refresh rewrites a resident page's entry from its area's protection
// (after mprotect: PROT_NONE lifted, PROT_EXEC added).
func (k *Kernel) refresh(p *Process, v *VMA, va uint64) error {
	va &^= k.pageSize() - 1
	e, addr := k.leaf(p, va)
	frame := k.frameOf(e)
	fi := k.frames.info(frame)
	writable := v.Shared || (fi.kind == anonFrame && len(fi.rmap) == 1 && fi.swapped < 0)
	k.WritePTE(addr, mmu.MakePTE(frame, leafFlags(v, writable)|e&(mmu.Accessed|mmu.Dirty)))
	k.invalidate(p, va)
	return nil
}

// swapIn brings a page back from swap: read once, shared by every entry
// that names the slot (the swap cache), writable only for the last one.
func (k *Kernel) swapIn(p *Process, v *VMA, va uint64, e mmu.PTE) error {
	slot := int(k.frameOf(e))
	frame, cached := k.swapCache[slot]
	if !cached {
		var err error
		if frame, err = k.allocFrame(); err != nil {
			return err
		}
		k.pin(frame)
		buf := make([]byte, k.pageSize())
		done, err := k.swap.ReadPage(k.t, slot, buf)
		if err != nil {
			return err
		}
		k.t = done
		k.mem.Write(frame<<k.pageShift(), buf)
		k.swapCache[slot] = frame
		k.frames.info(frame).swapped = slot
		k.N.SwapIns++
		p.N.SwapIns++
	}
	k.countFault(p, !cached)
	last := k.swapRefs[slot] == 1 && len(k.frames.info(frame).rmap) == 0
	k.dropSwapRef(slot)
	return k.mapPage(p, va, frame, leafFlags(v, last), anonFrame)
}
