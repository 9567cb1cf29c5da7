package os

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Faults is the kernel seen as the MMU's fault handler for process p.
type Faults struct {
	K *Kernel
	P *Process
}

// PageFault maps a demand-zero page on a not-present fault; any other fault
// is a SIGSEGV and the access is abandoned.
func (h Faults) PageFault(now sim.Cycle, f mmu.Fault) (sim.Cycle, bool) {
	k, g := h.K, h.K.cfg.Geometry
	done := now + k.cfg.FaultCycles
	if f.Cause == mmu.NotPresent && !k.DemandZero {
		k.N.FaultCycles += uint64(k.cfg.FaultCycles)
		return done, false
	}
	if f.Cause != mmu.NotPresent || k.err != nil {
		return k.segv(h.P, f, done), false
	}
	frame, err := k.frames.alloc()
	if err == nil {
		k.mem.Zero(frame<<g.PageShift, 1<<g.PageShift)
		err = k.Map(h.P, f.VA, frame, mmu.Present|mmu.Writable|mmu.User)
	}
	if err != nil {
		k.err = err
		return k.segv(h.P, f, done), false
	}
	k.N.MinorFaults++
	done += k.cfg.ZeroCycles
	k.N.FaultCycles += uint64(done - now)
	return done, true
}

func (k *Kernel) segv(p *Process, f mmu.Fault, done sim.Cycle) sim.Cycle {
	k.N.Segv++
	k.N.SegvBy[f.Cause]++
	k.N.FaultCycles += uint64(k.cfg.FaultCycles)
	p.LastSegv = &f
	return done
}
