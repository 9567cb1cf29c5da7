package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
)

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// depthNames names the depths that answer accesses: each level (a split
// one as "l1i+l1d"), then memory.
func (m *Machine) depthNames() []string {
	var names []string
	for d := range len(m.Config.Levels()) + 1 {
		names = append(names, m.Config.DepthName(d, false))
	}
	return names
}

// reportProgram is a scenario's report, from its in-order core's result.
// A scenario's accesses are counted as the coursework model counts them:
// those that reached the caches, each with the cycles the caches took (its
// translation and faults are apart, in the breakdown); an access abandoned
// after a fault counts only there.
func (m *Machine) reportProgram(res cpu.Result, format string) *report.Report {
	r := &report.Report{Schema: report.Schema, Config: m.Config.Name, Trace: report.TraceInfo{Format: format},
		Instructions: res.Instructions, Cycles: res.Cycles, IPC: res.IPC}
	var cycles uint64
	for k := range res.Access {
		a := &res.Access[k]
		n, cy := a.Count-a.Faulted, a.Cycles-a.Translation-a.FaultCycles
		if n == 0 {
			continue
		}
		r.Accesses += n
		cycles += cy
		r.Kinds = append(r.Kinds, report.KindReport{Kind: sim.Kind(k).String(), Accesses: n, Cycles: cy, AMAT: ratio(cy, n)})
	}
	r.AMAT = ratio(cycles, r.Accesses)
	if m.MMU != nil {
		for _, name := range []string{"translation", "faults", "kernel"} {
			if cy := res.Component(name); cy > 0 || name != "kernel" {
				r.Breakdown = append(r.Breakdown, report.ServedBy{Level: name, Cycles: cy, Fraction: ratio(cy, r.Cycles)})
			}
		}
	}
	for _, name := range m.depthNames() {
		cy := res.Component(name)
		r.Breakdown = append(r.Breakdown, report.ServedBy{Level: name, Cycles: cy, Fraction: ratio(cy, r.Cycles)})
	}
	m.fillReport(r)
	return r
}

// reportCPU is a trace run's report, from the core's result.
func (m *Machine) reportCPU(res cpu.Result, format string) *report.Report {
	r := &report.Report{Schema: report.Schema, Config: m.Config.Name, Trace: report.TraceInfo{Format: format},
		Instructions: res.Instructions, Cycles: res.Cycles, IPC: res.IPC}
	var cycles uint64
	for k := range res.Access {
		a := &res.Access[k]
		if a.Count == 0 {
			continue
		}
		r.Accesses += a.Count
		cycles += a.Cycles
		r.Kinds = append(r.Kinds, report.KindReport{Kind: sim.Kind(k).String(), Accesses: a.Count, Cycles: a.Cycles,
			AMAT: a.AMAT()})
	}
	r.AMAT = ratio(cycles, r.Accesses)
	for _, e := range res.Stack {
		r.Breakdown = append(r.Breakdown,
			report.ServedBy{Level: e.Name, Cycles: e.Cycles, Fraction: ratio(e.Cycles, res.Cycles)})
	}
	m.fillReport(r)
	if d := r.DRAM; d != nil && r.Cycles > 0 {
		// Over the measured run (after any warmup), not the DRAM's life.
		d.BandwidthGBps = float64((d.Reads+d.Writes)*64) / (float64(r.Cycles) / float64(m.freqHz)) / 1e9
	}
	return r
}

// fillReport adds what the caches, memory, MMU and kernel counted.
func (m *Machine) fillReport(r *report.Report) {
	for _, lc := range m.Caches {
		r.Levels = append(r.Levels, levelReport(lc.Config().Name, lc.Counts()))
	}
	if m.Memory != nil {
		r.Memory = report.MemoryReport{Reads: m.Memory.Reads, Writes: m.Memory.Writes}
	} else {
		m.DRAM.Settle(m.Engine.Now())
		s := m.DRAM.Summary()
		r.Memory = report.MemoryReport{Reads: s.Reads, Writes: s.Writes}
		r.DRAM, r.DRAMName = &s, m.DRAM.Config().Name
	}
	if m.MMU != nil {
		r.Translation = m.translationReport()
	}
	if m.Fetch != m.Data {
		r.Cachegrind = cachegrindCounts(m)
	}
}

func levelReport(name string, n cache.Counts) report.LevelReport {
	l := report.LevelReport{Name: name, Evictions: n.Evictions, Writebacks: n.Writebacks,
		Merged: n.Merged, MSHRWaits: n.MSHRWaits, BackInvals: n.BackInvals, ByKind: map[string]report.KindCounts{}}
	for k := sim.Kind(0); k < sim.NumKinds; k++ {
		if n.Hits[k]+n.Misses[k] == 0 {
			continue
		}
		l.ByKind[k.String()] = report.KindCounts{Hits: n.Hits[k], Misses: n.Misses[k]}
		if isDemand(k) {
			l.Hits += n.Hits[k]
			l.Misses += n.Misses[k]
		}
	}
	l.Accesses = l.Hits + l.Misses
	l.MissRate = ratio(l.Misses, l.Accesses)
	return l
}

func isDemand(k sim.Kind) bool { return k != sim.Writeback && k != sim.Victim }

func cachegrindCounts(m *Machine) *report.CachegrindCounts {
	i1, d1, ll := m.Fetch.Counts(), m.Data.Counts(), m.Caches[len(m.Caches)-1].Counts()
	return &report.CachegrindCounts{
		Ir: i1.Hits[sim.Fetch] + i1.Misses[sim.Fetch], I1mr: i1.Misses[sim.Fetch], ILmr: ll.Misses[sim.Fetch],
		Dr: d1.Hits[sim.Load] + d1.Misses[sim.Load], D1mr: d1.Misses[sim.Load], DLmr: ll.Misses[sim.Load],
		Dw: d1.Hits[sim.Store] + d1.Misses[sim.Store], D1mw: d1.Misses[sim.Store], DLmw: ll.Misses[sim.Store],
	}
}
