package os

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// The signals a fault the kernel does not mend delivers.
const (
	SIGSEGV = "SIGSEGV" // no area there, or one that does not allow the access
	SIGBUS  = "SIGBUS"  // a page of a file mapping past the file's end; an empty MAP_HUGETLB pool
)

// sigbus is a fault the kernel will not mend with a SIGBUS, Linux's
// VM_FAULT_SIGBUS: a page of a file mapping wholly past the end of its
// file, or a MAP_HUGETLB page its pool cannot give. The access gets the
// signal, and the run goes on.
type sigbus string

func (s sigbus) Error() string { return string(s) }

// PageFault is the kernel's fault handler (mmu.FaultHandler) for the
// process running on the core the kernel runs on (RunOn; FaultHandler
// gives each core's): it mends what CS:APP 9.8 says it mends (a
// demand-zero page, a file page, a page in swap, a copy-on-write) and
// delivers SIGSEGV or SIGBUS for the rest; the access restarts only after
// a mend.
func (k *Kernel) PageFault(now sim.Cycle, f mmu.Fault) (sim.Cycle, bool) {
	p := k.here().proc()
	if p == nil {
		return now, false // a core that runs no process translates nothing
	}
	k.enter(now, k.cfg.Costs.Fault)
	var before faultCounts
	if k.byIP != nil {
		before = k.faultCounts()
	}
	ok := k.fault(p, f)
	if k.byIP != nil {
		k.countByIP(f.IP, &before)
	}
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
	k.waited = false
	var err error
	switch f.Cause {
	case mmu.NotPresent:
		if e, _, _ := k.lookup(p, f.VA); e == 0 && v.File == nil && !k.DemandZero {
			return false // an explanation shows the fault as it is
		}
		// A trace's area fills a page of its own on any fault (VMA.Trace).
		err = k.faultIn(p, v, f.VA, write || v.Trace)
	case mmu.WriteProtect:
		err = k.writeFault(p, v, f.VA)
	case mmu.ExecuteNX:
		err = k.refresh(p, v, f.VA) // mprotect added PROT_EXEC
	default:
		return k.segv(p, f, f.Cause.String())
	}
	if bus, ok := err.(sigbus); ok {
		return k.signal(p, f, SIGBUS, string(bus))
	}
	if err != nil {
		k.err = err
		return k.segv(p, f, err.Error())
	}
	if k.waited {
		k.note(p, Faults{Major: 1})
	} else {
		k.note(p, Faults{Minor: 1})
	}
	return true
}

// segv delivers SIGSEGV.
func (k *Kernel) segv(p *Process, f mmu.Fault, reason string) bool {
	return k.signal(p, f, SIGSEGV, reason)
}

// signal delivers a signal for a fault: counted, remembered, the access
// abandoned.
func (k *Kernel) signal(p *Process, f mmu.Fault, name, reason string) bool {
	if name == SIGBUS {
		k.N.Sigbus++
		p.N.Sigbus++
	} else {
		k.N.Segv++
		k.N.SegvBy[f.Cause]++
		p.N.Segv++
	}
	p.LastSegv = &f
	p.Signals = append(p.Signals, mmu.Fault(f))
	p.SignalReasons = append(p.SignalReasons, reason)
	p.SignalNames = append(p.SignalNames, name)
	return false
}

// faultIn makes a page that is not present present.
func (k *Kernel) faultIn(p *Process, v *VMA, va uint64, write bool) error {
	va &^= k.pageSize() - 1
	e, addr, level := k.lookup(p, va)
	switch {
	case level > 1 && e != 0:
		return k.hugeRefresh(p, v, va, addr, e, level) // a huge page held back by PROT_NONE
	case e&swapped != 0:
		return k.swapIn(p, v, va, e)
	case e&protNone != 0:
		return k.refresh(p, v, va)
	case v.HugeLevel > 0:
		return k.hugetlbFault(p, v, va)
	case v.File != nil:
		return k.fileFault(p, v, va, write)
	}
	if ok, err := k.thpFault(p, v, va, write); ok || err != nil {
		return err
	}
	if !write && k.usesZeroPage(v) {
		return k.mapZeroPage(p, v, va)
	}
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

// fileFault maps a page of a file (or shared anonymous object): the
// page-cache frame itself for a shared area, or for reading a private one,
// with its neighbours already cached (fault-around); a private copy for a
// write to a private one.
func (k *Kernel) fileFault(p *Process, v *VMA, va uint64, write bool) error {
	if k.pastEOF(v, va) {
		return sigbus("access past the end of " + v.File.Name)
	}
	index := (va - v.Start + v.Offset) >> k.pageShift()
	frame, major, err := k.faultPage(p, v, index)
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
		if err := k.mapPage(p, va, frame, leafFlags(v, true), fileFrame); err != nil || write {
			return err
		}
	case write:
		copyF, err := k.allocFrame()
		if err != nil {
			return err
		}
		k.pin(copyF)
		k.copyFrame(copyF, frame)
		k.countCOW(p, true)
		return k.mapPage(p, va, copyF, leafFlags(v, true), anonFrame)
	default:
		if err := k.mapPage(p, va, frame, leafFlags(v, false), fileFrame); err != nil {
			return err
		}
	}
	k.faultAround(p, v, va)
	return nil
}

// pastEOF reports whether va's page of area v is a page of a file wholly
// past the file's end, where an access is SIGBUS (Linux's filemap_fault);
// the part of the last page past the end reads zeros.
func (k *Kernel) pastEOF(v *VMA, va uint64) bool {
	f := v.File
	if f == nil || f.anon {
		return false
	}
	index := (va - v.Start + v.Offset) >> k.pageShift()
	return index<<k.pageShift() >= f.Size()
}

// faultPage is Linux's filemap_fault for page index of v's file: a page
// found in the page cache (waited for if still on its way; a mark starts
// the next readahead window); else a read around it, or of it alone. major
// says the page was not in the page cache.
func (k *Kernel) faultPage(p *Process, v *VMA, index uint64) (frame uint64, major bool, err error) {
	f := v.File
	if f.anon {
		return k.shmemPage(p, f, index)
	}
	if fr, ok := f.pages[index]; ok {
		k.pin(fr) // the next window's frames must not be taken from it
		k.asyncMmapReadahead(p, v, fr, index)
		k.await(fr)
		return fr, false, nil
	}
	k.syncMmapReadahead(p, v, index)
	if fr, ok := f.pages[index]; ok {
		k.await(fr)
		return fr, true, nil
	}
	return k.cachedPage(f, index)
}

// countCOW counts a copy-on-write fault: in the kernel's own counts (a COW
// fault, and a page copied unless it was a zero page) and in getrusage's
// breakdown.
func (k *Kernel) countCOW(p *Process, copied bool) {
	p.N.COW++
	k.N.COWFaults++
	if copied {
		k.N.COWCopies++
	}
	k.note(p, Faults{COW: 1})
}

// countFault counts a fault in the kernel's own counts (Counts and
// ProcessCounts, which a COW fault counts apart): major if it read the
// disk.
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
// the page is shared; a write to the zero page gets a fresh zeroed page.
func (k *Kernel) writeFault(p *Process, v *VMA, va uint64) error {
	va &^= k.pageSize() - 1
	e, addr, level := k.lookup(p, va)
	if level > 1 {
		return k.hugeWriteFault(p, v, va, addr, e, level)
	}
	frame := k.frameOf(e)
	fi := k.frames.info(frame)
	if v.Shared || exclusive(fi) {
		// Nothing to copy: the page is shared, or this process alone
		// holds it (its other holders wrote their own copies or exited,
		// and none still waits for it in swap).
		k.countFault(p, false)
		if v.Shared {
			fi.dirty = true
		} else {
			k.note(p, Faults{Reuse: 1})
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
	if fi.kind == zeroFrame {
		k.zeroFrame(copyF) // wp_page_copy of the zero page zeroes, copying nothing
	} else {
		k.copyFrame(copyF, frame)
	}
	k.unmapLeaf(p, va, addr, e)
	k.countCOW(p, fi.kind != zeroFrame)
	return k.mapPage(p, va, copyF, leafFlags(v, true), anonFrame)
}

// exclusive reports whether an anonymous page is held by one entry alone,
// and may be written in place: not waiting for other holders in swap, and
// not part of a huge page another entry maps whole.
func exclusive(fi *frameInfo) bool {
	return fi.kind == anonFrame && len(fi.rmap) == 1 && fi.swapped < 0 && fi.hp == nil
}

// refresh rewrites a resident page's entry from its area's protection
// (after mprotect: PROT_NONE lifted, PROT_EXEC added).
func (k *Kernel) refresh(p *Process, v *VMA, va uint64) error {
	va &^= k.pageSize() - 1
	e, addr, level := k.lookup(p, va)
	if level > 1 {
		return k.hugeRefresh(p, v, va, addr, e, level)
	}
	frame := k.frameOf(e)
	fi := k.frames.info(frame)
	writable := v.Shared || exclusive(fi)
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
		k.t, k.waited = done, true
		k.mem.Write(frame<<k.pageShift(), buf)
		k.swapCache[slot] = frame
		k.frames.info(frame).swapped = slot
		k.N.SwapIns++
		p.N.SwapIns++
		k.note(p, Faults{SwapIns: 1})
	} else {
		k.await(frame) // read ahead by MADV_WILLNEED, maybe still on its way
	}
	k.countFault(p, !cached)
	last := k.swapRefs[slot] == 1 && len(k.frames.info(frame).rmap) == 0
	k.dropSwapRef(slot)
	return k.mapPage(p, va, frame, leafFlags(v, last), anonFrame)
}
