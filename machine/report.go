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

// report is a scenario run's report, from the in-order scenario core.
func (m *Machine) report(c *core, format string) *report.Report {
	r := &report.Report{Schema: report.Schema, Config: m.Config.Name, Trace: report.TraceInfo{Format: format}}
	for k := sim.Kind(0); k < sim.NumKinds; k++ {
		if c.accesses[k] == 0 {
			continue
		}
		r.Accesses += c.accesses[k]
		r.Kinds = append(r.Kinds, report.KindReport{Kind: k.String(), Accesses: c.accesses[k], Cycles: c.cycles[k],
			AMAT: ratio(c.cycles[k], c.accesses[k])})
	}
	r.Cycles = uint64(c.now)
	r.Instructions = c.records
	r.IPC = ratio(r.Instructions, r.Cycles)
	r.AMAT = ratio(sumCycles(c), r.Accesses)
	names := m.depthNames()
	total := uint64(c.now)
	if m.MMU != nil {
		r.Breakdown = append(r.Breakdown,
			report.ServedBy{Level: "translation", Cycles: c.translation, Fraction: ratio(c.translation, total)},
			report.ServedBy{Level: "faults", Cycles: c.faults, Fraction: ratio(c.faults, total)})
		if c.kernel > 0 {
			r.Breakdown = append(r.Breakdown, report.ServedBy{Level: "kernel", Cycles: c.kernel, Fraction: ratio(c.kernel, total)})
		}
	}
	for d, cy := range c.byDepth {
		r.Breakdown = append(r.Breakdown, report.ServedBy{Level: names[d], Cycles: cy, Fraction: ratio(cy, total)})
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

func sumCycles(c *core) uint64 {
	var s uint64
	for _, v := range c.cycles {
		s += v
	}
	return s
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
