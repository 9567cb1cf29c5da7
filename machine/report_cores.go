package machine

import (
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
)

// A machine of several cores' report. What belongs to a core (its
// instructions, cycles and CPI stack, its private levels and TLBs, its
// part of the shared levels, the interrupts it took) is read from the
// registry as it was when the core finished its measured part; what the
// cores share (the shared levels whole, memory, the kernel, the
// directory) as it is at the end of the run, the last core's finish. The
// whole machine's keys add up the cores': instructions, accesses, the CPI
// stack and each private level summed, the cycles of the last core to
// finish.

// reportRules are how a run of several cores counts its accesses (kinds:
// their number, mean latency and each kind's, from a core's or the cores'
// counts) and names its CPI stack's components (stack, from the cores'
// counts): a trace's (traceRules) or a scenario's (programRules), each as
// the run of one core counts them.
type reportRules struct {
	kinds kindsOf
	stack func(v counts) []string
}

// kindsOf counts accesses by kind from counts: traceKinds, programKinds.
type kindsOf func(v counts) (kinds []report.KindReport, accesses uint64, amat float64)

func (m *Machine) traceRules() reportRules {
	return reportRules{kinds: traceKinds, stack: m.stackNames}
}

func (m *Machine) programRules() reportRules {
	return reportRules{kinds: programKinds, stack: m.programStackNames}
}

// reportCores is the report of a run of several cores, counted by rules.
func (m *Machine) reportCores(mr *multiRun, format string, rules reportRules) *report.Report {
	final := m.snapshot()
	r := &report.Report{Schema: report.Schema, Config: m.Config.Name, Trace: report.TraceInfo{Format: format},
		Stats: m.frozenStats(mr, final)}
	all := func(name string) uint64 {
		var n uint64
		for _, cr := range mr.runs {
			n += cr.frozen.Value(cr.slot.prefix() + name)
		}
		return n
	}
	// Every core's stack has the same components, so that they line up
	// side by side: kernel if any core spent cycles there.
	stack := rules.stack(all)
	var cycles uint64
	for _, cr := range mr.runs {
		c := m.coreReport(cr, rules.kinds, stack)
		r.Cores = append(r.Cores, c)
		r.Instructions += c.Instructions
		cycles += c.Cycles
	}
	r.Cycles = mr.last.res.Cycles
	r.IPC = ratio(r.Instructions, r.Cycles)
	r.Kinds, r.Accesses, r.AMAT = rules.kinds(all)
	r.Breakdown = breakdown(all, stack, cycles)
	for _, name := range m.Config.LevelNames() {
		if c := m.Cores[0].cacheNamed(name); c != nil {
			lr := levelReport(all, name)
			if c.Prefetcher() != nil { // the cores' prefetchers, summed
				lr.Prefetch = m.levelPrefetch(all, m.Cores[0].prefix(), lr, name)
			}
			r.Levels = append(r.Levels, lr)
		} else {
			r.Levels = append(r.Levels, m.sharedLevel(mr, final, name))
		}
	}
	m.fillMemory(r, final)
	m.measuredBandwidth(r)
	if m.MMU != nil {
		r.Translation = m.translationReport(all, final.Value)
		r.Shootdowns = shootdowns(final)
	}
	if m.Directory != nil {
		v := func(c string) uint64 { return final.Value("coherence." + c) }
		r.Coherence = &report.CoherenceReport{Invalidations: v("invalidations"), Upgrades: v("upgrades"),
			Transfers: v("transfers"), Writebacks: v("writebacks"), BackInvalidations: v("back_invalidations"),
			DirectoryEvictions: v("directory_evictions")}
	}
	return r
}

// coreReport is what one core measured, from the registry as it was when
// the core finished, its accesses counted by kinds, its CPI stack made of
// the components stack names.
func (m *Machine) coreReport(cr *coreRun, kinds kindsOf, stack []string) report.CoreReport {
	s, p := cr.frozen, cr.slot.prefix()
	v := func(name string) uint64 { return s.Value(p + name) }
	c := report.CoreReport{Core: cr.slot.ID, Trace: cr.label, Instructions: cr.res.Instructions, Cycles: cr.res.Cycles, IPC: cr.res.IPC,
		Warmup: cr.from}
	c.Kinds, c.Accesses, c.AMAT = kinds(v)
	c.Breakdown = breakdown(v, stack, c.Cycles)
	for _, x := range cr.slot.Caches {
		lr := levelReport(s.Value, x.Config().Name)
		if x.Prefetcher() != nil {
			lr.Prefetch = m.levelPrefetch(s.Value, "", lr, configName(x))
		}
		c.Levels = append(c.Levels, lr)
	}
	if c.Levels == nil {
		c.Levels = []report.LevelReport{}
	}
	if m.MMU != nil {
		c.Translation = m.translationReport(v, nil)
		q := "os.shootdown." + cr.slot.Name + "."
		c.IPIs, c.IRQCycles = s.Value(q+"ipis"), s.Value(q+"irq_cycles")
	}
	return c
}

// stackNames are the components of a trace's CPI stack on a machine of
// several cores (v's cycles.NAME): kernel when it has any, shootdown on a
// machine with a kernel.
func (m *Machine) stackNames(v counts) []string {
	names := cpu.StackNames(m.levelNames())
	if v("cycles.kernel") > 0 {
		names = append(names, "kernel")
	}
	if m.Kernel != nil {
		names = append(names, "shootdown")
	}
	return names
}

// sharedLevel is a shared level's counts at the end of the run, with each
// core's part as it was when the core finished.
func (m *Machine) sharedLevel(mr *multiRun, final sim.Snapshot, name string) report.LevelReport {
	l := levelReport(final.Value, name)
	for _, c := range m.Caches {
		if c.Config().Name == name && c.Prefetcher() != nil {
			l.Prefetch = m.levelPrefetch(final.Value, "", l, name)
		}
	}
	for _, cr := range mr.runs {
		share := report.CoreShare{Core: cr.slot.ID}
		p := name + ".core" + strconv.Itoa(cr.slot.ID) + "."
		for k := sim.Kind(0); k < sim.NumKinds; k++ {
			if h, ok := cr.frozen.Get(p + k.String() + ".hits"); ok && k.IsDemand() {
				share.Hits += h
				share.Misses += cr.frozen.Value(p + k.String() + ".misses")
			}
		}
		share.Accesses = share.Hits + share.Misses
		share.MissRate = ratio(share.Misses, share.Accesses)
		l.ByCore = append(l.ByCore, share)
	}
	return l
}

// shootdowns are the kernel's counts of the shootdowns across cores.
func shootdowns(s sim.Snapshot) *report.ShootdownReport {
	v := func(c string) uint64 { return s.Value("os.shootdown." + c) }
	return &report.ShootdownReport{IPIs: v("ipis"), Cycles: v("initiator_cycles") + v("target_cycles"), Paths: v("paths"),
		InitiatorCycles: v("initiator_cycles"), TargetCycles: v("target_cycles"), LazySkips: v("lazy_skips"),
		LazyFlushes: v("lazy_flushes")}
}

// frozenStats is every counter, each core's as it was when that core
// finished (the counters under its name, coreN.*, and its parts of shared
// blocks, *.coreN.*), the rest at the end: what the report is made of.
func (m *Machine) frozenStats(mr *multiRun, final sim.Snapshot) map[string]uint64 {
	out := final.Map()
	for _, cr := range mr.runs {
		name := cr.slot.Name
		for k, v := range cr.frozen.Map() {
			if strings.HasPrefix(k, name+".") || strings.Contains(k, "."+name+".") {
				out[k] = v
			}
		}
	}
	return out
}
