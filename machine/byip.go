package machine

import (
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// EventCounter counts a run's events by instruction (emu annotate's
// table): the machine names each event it counts (Event, in the report's
// names, in a fixed order), then every block that counts one counts it
// there too (sim.ByIP). Reset discards the counts (the end of warmup).
type EventCounter interface {
	sim.ByIP
	Event(name string) sim.Event
	Reset()
}

// The events a run counts by instruction, under the report's names:
//
//   - instructions;
//   - LEVEL.misses, each cache level's demand misses (its misses in the
//     report: fetches, loads, stores, page-table reads and writes), each
//     charged to the instruction its request serves. A miss at l2 is a
//     request l2 counted as a miss: the fill of an l1 miss, or a walk's
//     page-table read or an A/D write entering at or above l2, of that
//     instruction's access; an access that merges with a fill already on
//     its way misses nowhere (the fill's first access was charged);
//   - TLB.misses, each TLB's misses, and walks, charged to the access that
//     looked up and walked;
//   - faults.NAME: the faults as getrusage counts them (faults.minor,
//     faults.major) and their breakdown (faults.cow, faults.zero_page,
//     ...), and sigsegv and sigbus, charged to the access that faulted;
//   - memory.reads: the reads main memory counts (lines, in DRAM),
//     charged to the instruction behind the request;
//   - cpi_stack.NAME, each component of the CPI stack (kernel last),
//     charged as cpu.Options.ByIP says.
//
// Traffic no instruction is behind (write-backs, the kernel's zeroing and
// copying through os.traffic, context switches) is charged to IP 0.

// countByIP makes every block that counts an event count it in t too, and
// sets the core's options to; the function it returns stops them.
func (m *Machine) countByIP(t EventCounter, copt *cpu.Options) (stop func()) {
	copt.ByIP, copt.InstrEvent = t, t.Event("instructions")
	for _, lc := range m.Caches {
		lc.CountMissesByIP(t, t.Event(lc.Config().Name+".misses"))
	}
	if u := m.MMU; u != nil {
		var ev mmu.Events
		for _, p := range []struct {
			t  *tlb.TLB
			ev *sim.Event
		}{{u.ITLB(), &ev.ITLBMiss}, {u.DTLB(), &ev.DTLBMiss}, {u.STLB(), &ev.STLBMiss}} {
			if p.t != nil {
				*p.ev = t.Event(p.t.Config().Name + ".misses")
			}
		}
		ev.Walk = t.Event("walks")
		u.CountByIP(t, ev)
	}
	if k := m.Kernel; k != nil {
		var ev kernel.FaultEvents
		for _, c := range k.N.Faults.Counts() {
			ev.Faults = append(ev.Faults, t.Event("faults."+c.Name))
		}
		ev.Segv, ev.Sigbus = t.Event("sigsegv"), t.Event("sigbus")
		k.CountFaultsByIP(t, ev)
	}
	reads := t.Event("memory.reads")
	if m.Memory != nil {
		m.Memory.CountReadsByIP(t, reads)
	} else {
		m.DRAM.CountReadsByIP(t, reads)
	}
	for _, name := range append(cpu.StackNames(copt.Levels), "kernel") {
		copt.StackEvents = append(copt.StackEvents, t.Event("cpi_stack."+name))
	}
	return func() {
		for _, lc := range m.Caches {
			lc.CountMissesByIP(nil, 0)
		}
		if m.MMU != nil {
			m.MMU.CountByIP(nil, mmu.Events{})
		}
		if m.Kernel != nil {
			m.Kernel.CountFaultsByIP(nil, kernel.FaultEvents{})
		}
		if m.Memory != nil {
			m.Memory.CountReadsByIP(nil, 0)
		} else {
			m.DRAM.CountReadsByIP(nil, 0)
		}
	}
}

// EventTotals are a trace run's report's figures under the names of the
// events the run counts by instruction, for those the report has: the
// counts by instruction of a run add up to them.
func EventTotals(r *report.Report) map[string]uint64 {
	out := map[string]uint64{"instructions": r.Instructions, "memory.reads": r.Memory.Reads}
	for _, l := range r.Levels {
		out[l.Name+".misses"] = l.Misses
	}
	if t := r.Translation; t != nil {
		for _, tl := range t.TLBs {
			out[tl.Name+".misses"] = tl.Misses
		}
		out["walks"], out["sigsegv"] = t.Walks, t.SIGSEGV
		for _, f := range t.Faults {
			out["faults."+f.Name] = f.N
		}
	}
	for _, e := range r.Breakdown {
		out["cpi_stack."+e.Level] = e.Cycles
	}
	return out
}
