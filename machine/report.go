package machine

import (
	"strings"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
)

// A run's report is read from a snapshot of the machine's registry
// (m.Stats), named by the machine's layout: its levels, TLBs and page-walk
// caches.

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

// levelNames names the cache levels' depths, memory left out: where a
// core's CPI stack puts the cycles it waited on each.
func (m *Machine) levelNames() []string { return m.depthNames()[:len(m.Config.Levels())] }

// snapshot is every counter at the end of a run, the DRAM's idle stretch
// at the end counted.
func (m *Machine) snapshot() sim.Snapshot {
	if m.DRAM != nil {
		m.DRAM.Settle(m.Engine.Now())
	}
	return m.Stats.Snapshot()
}

// coreKinds are the kinds of access the core counts (core.KIND.*).
var coreKinds = []sim.Kind{sim.Fetch, sim.Load, sim.Store}

// reportProgram is a scenario's report, from its in-order core's result,
// its accesses and CPI stack counted by the scenario's rules
// (programKinds, programStackNames).
func (m *Machine) reportProgram(res cpu.Result, format string) *report.Report {
	s := m.snapshot()
	r := newReport(m, res, format, s)
	v := coreCounters(s)
	r.Kinds, r.Accesses, r.AMAT = programKinds(v)
	r.Breakdown = breakdown(v, m.programStackNames(v), r.Cycles)
	m.fillReport(r, s)
	return r
}

// reportCPU is a trace run's report, from the core's result.
func (m *Machine) reportCPU(res cpu.Result, format string) *report.Report {
	s := m.snapshot()
	r := newReport(m, res, format, s)
	r.Kinds, r.Accesses, r.AMAT = traceKinds(coreCounters(s))
	names := cpu.StackNames(m.levelNames())
	if s.Value("core.cycles.kernel") > 0 {
		names = append(names, "kernel")
	}
	r.Breakdown = breakdown(coreCounters(s), names, r.Cycles)
	m.fillReport(r, s)
	m.measuredBandwidth(r)
	return r
}

// measuredBandwidth is the DRAM's bandwidth over the measured run (after
// any warmup), not over its life.
func (m *Machine) measuredBandwidth(r *report.Report) {
	if d := r.DRAM; d != nil && r.Cycles > 0 {
		d.BandwidthGBps = float64((d.Reads+d.Writes)*64) / (float64(r.Cycles) / float64(m.freqHz)) / 1e9
	}
}

// programKinds are a scenario's accesses by kind, counted by a core (v's
// KIND.*), their number and their mean latency, as the coursework model
// counts them: those that reached the caches, each with the cycles the
// caches took (its translation and faults are apart, in the CPI stack); an
// access abandoned after a fault counts only there.
func programKinds(v counts) (kinds []report.KindReport, accesses uint64, amat float64) {
	return kindReports(func(k sim.Kind) (uint64, uint64) {
		p := k.String() + "."
		return v(p+"accesses") - v(p+"faulted"), v(p+"cycles") - v(p+"translation_cycles") - v(p+"fault_cycles")
	})
}

// programStackNames are the components of a scenario's CPI stack (v's
// cycles.NAME): on a machine that translates, translation, faults and
// kernel when it has any; the levels and memory; then, on a machine of
// several cores, frontend (a core waiting for another's lines: cpu.OpWait)
// and shootdown when they have any, so that the stack adds up to the
// cycles and a scenario run on one core of several lists what it lists on
// a machine of one.
func (m *Machine) programStackNames(v counts) []string {
	var names []string
	if m.MMU != nil {
		names = []string{"translation", "faults"}
		if v("cycles.kernel") > 0 {
			names = append(names, "kernel")
		}
	}
	names = append(names, m.depthNames()...)
	if len(m.Cores) == 1 {
		return names // no shootdowns registered, no other core to wait for
	}
	for _, name := range []string{"frontend", "shootdown"} {
		if v("cycles."+name) > 0 {
			names = append(names, name)
		}
	}
	return names
}

// traceKinds are a trace run's accesses by kind, counted by a core (v's
// KIND.accesses and KIND.cycles), their number and their mean latency.
func traceKinds(v counts) (kinds []report.KindReport, accesses uint64, amat float64) {
	return kindReports(func(k sim.Kind) (uint64, uint64) {
		return v(k.String() + ".accesses"), v(k.String() + ".cycles")
	})
}

// kindReports are the accesses of each kind the core counts that count
// says there were, with their cycles; their number and mean latency.
func kindReports(count func(k sim.Kind) (n, cycles uint64)) (kinds []report.KindReport, accesses uint64, amat float64) {
	var cycles uint64
	for _, k := range coreKinds {
		n, cy := count(k)
		if n == 0 {
			continue
		}
		accesses += n
		cycles += cy
		kinds = append(kinds, report.KindReport{Kind: k.String(), Accesses: n, Cycles: cy, AMAT: ratio(cy, n)})
	}
	return kinds, accesses, ratio(cycles, accesses)
}

// newReport starts a run's report: what it ran, the core's instructions
// and cycles, and every counter.
func newReport(m *Machine, res cpu.Result, format string, s sim.Snapshot) *report.Report {
	return &report.Report{Schema: report.Schema, Config: m.Config.Name, Trace: report.TraceInfo{Format: format},
		Instructions: s.Value("core.instructions"), Cycles: res.Cycles, IPC: res.IPC, Stats: s.Map()}
}

// coreCounters reads the counters of a machine of one core's core
// (core.NAME).
func coreCounters(s sim.Snapshot) counts {
	return func(name string) uint64 { return s.Value("core." + name) }
}

// breakdown is the named components of the CPI stack (v's cycles.NAME),
// each with its share of cycles.
func breakdown(v counts, names []string, cycles uint64) []report.ServedBy {
	var out []report.ServedBy
	for _, name := range names {
		cy := v("cycles." + name)
		out = append(out, report.ServedBy{Level: name, Cycles: cy, Fraction: ratio(cy, cycles)})
	}
	return out
}

// fillReport adds what the caches, memory, MMU and kernel counted.
func (m *Machine) fillReport(r *report.Report, s sim.Snapshot) {
	for i, l := range m.Levels[:len(m.Caches)] {
		lr := levelReport(s.Value, l.Name)
		if m.Caches[i].Prefetcher() != nil {
			lr.Prefetch = m.levelPrefetch(s.Value, "", lr, configName(m.Caches[i]))
		}
		r.Levels = append(r.Levels, lr)
	}
	m.fillMemory(r, s)
	if m.MMU != nil {
		r.Translation = m.translationReport(s.Value, s.Value)
	}
	if m.Fetch != m.Data {
		r.Cachegrind = cachegrindCounts(s, m.Fetch.Config().Name, m.Data.Config().Name, m.Caches[len(m.Caches)-1].Config().Name)
	}
}

// fillMemory adds what main memory counted.
func (m *Machine) fillMemory(r *report.Report, s sim.Snapshot) {
	if m.Memory != nil {
		r.Memory = report.MemoryReport{Reads: s.Value("memory.reads"), Writes: s.Value("memory.writes")}
		return
	}
	d := dramSummary(m, s)
	r.Memory = report.MemoryReport{Reads: d.Reads, Writes: d.Writes}
	r.DRAM, r.DRAMName = &d, m.DRAM.Config().Name
}

// dramSummary is the DRAM's part, as the controller summarizes it.
func dramSummary(m *Machine, s sim.Snapshot) dram.Summary {
	return dram.SummaryOf(m.DRAM.Config(), s, dramStats)
}

// levelReport is the counts of the level called name (by place).
func levelReport(s counts, name string) report.LevelReport {
	v := func(counter string) uint64 { return s(name + "." + counter) }
	l := report.LevelReport{Name: name, Evictions: v("evictions"), Writebacks: v("writebacks"),
		Merged: v("merged"), MSHRWaits: v("mshr_waits"), BackInvals: v("back_invalidations"), ByKind: map[string]report.KindCounts{}}
	for k := sim.Kind(0); k < sim.NumKinds; k++ {
		hits, misses := v(k.String()+".hits"), v(k.String()+".misses")
		if hits+misses == 0 {
			continue
		}
		l.ByKind[k.String()] = report.KindCounts{Hits: hits, Misses: misses}
		if k.IsDemand() {
			l.Hits += hits
			l.Misses += misses
		}
	}
	l.Accesses = l.Hits + l.Misses
	l.MissRate = ratio(l.Misses, l.Accesses)
	return l
}

// prefetchReport is what the prefetcher counted under name (LEVEL.prefetch
// or stlb.prefetch), its accuracy and coverage the ratios the registry
// derives as place + name (cache's and mmu's RegisterDerived), made here
// from v (figure) so that a core's counts and the cores' summed have them
// too.
func (m *Machine) prefetchReport(v counts, place, name, prefetcher string) *report.PrefetchReport {
	c := func(n string) uint64 { return v(name + "." + n) }
	return &report.PrefetchReport{Name: prefetcher, Issued: c("issued"), Dropped: c("dropped"), Useful: c("useful"),
		Late: c("late"), Useless: c("useless"), Accuracy: m.figure(v, place, name+".accuracy"),
		Coverage: m.figure(v, place, name+".coverage")}
}

// figure is the ratio registered as place + name, made from v, which
// reads counters by their names less place: a core's blocks register
// their ratios under the core's place (core1.stlb.prefetch.accuracy, of
// core1.stlb.prefetch.useful), and a report reads one core's counts, or
// the cores' summed, by the names the blocks gave them
// (stlb.prefetch.useful). A report of a ratio never registered is a
// programming error.
func (m *Machine) figure(v counts, place, name string) float64 {
	d, ok := m.Stats.Definition(place + name)
	if !ok {
		panic("machine: no ratio " + place + name + " registered")
	}
	return d.Of(func(n string) uint64 { return v(strings.TrimPrefix(n, place)) })
}

// levelPrefetch is the report of the prefetcher of the level l reports,
// whose ratios are registered under place (see figure).
func (m *Machine) levelPrefetch(v counts, place string, l report.LevelReport, config string) *report.PrefetchReport {
	name := l.Name + ".prefetch"
	r := m.prefetchReport(v, place, name, m.Config.Reader().Str(config+".prefetcher"))
	r.Below = v(name + ".below")
	return r
}

// cachegrindCounts are the counts under cachegrind's names, of the first
// level's instruction and data sides and the last level.
func cachegrindCounts(s sim.Snapshot, i1, d1, ll string) *report.CachegrindCounts {
	v := func(level string, k sim.Kind, what string) uint64 {
		return s.Value(level + "." + k.String() + "." + what)
	}
	return &report.CachegrindCounts{
		Ir: v(i1, sim.Fetch, "hits") + v(i1, sim.Fetch, "misses"), I1mr: v(i1, sim.Fetch, "misses"), ILmr: v(ll, sim.Fetch, "misses"),
		Dr: v(d1, sim.Load, "hits") + v(d1, sim.Load, "misses"), D1mr: v(d1, sim.Load, "misses"), DLmr: v(ll, sim.Load, "misses"),
		Dw: v(d1, sim.Store, "hits") + v(d1, sim.Store, "misses"), D1mw: v(d1, sim.Store, "misses"), DLmw: v(ll, sim.Store, "misses"),
	}
}
