package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/sim"
)

// ReportSchema names the version of the JSON report. It changes when a
// field changes meaning or goes away; new fields may appear within a version.
const ReportSchema = "vmemu.run/1"

// Report is what a replay measured. Its JSON form is the --json output.
type Report struct {
	Schema string    `json:"schema"`
	Config string    `json:"config"`
	Trace  TraceInfo `json:"trace"`
	// Instructions, Cycles and IPC are the core's: warmup excluded.
	Instructions uint64        `json:"instructions"`
	Cycles       uint64        `json:"cycles"`
	IPC          float64       `json:"ipc"`
	Accesses     uint64        `json:"accesses"`
	AMAT         float64       `json:"amat"` // mean cycles from issue to data
	Kinds        []KindReport  `json:"kinds"`
	Levels       []LevelReport `json:"levels"`
	Memory       MemoryReport  `json:"memory"`
	// DRAM is the controller's summary when main memory is the DRAM model.
	DRAM     *dram.Summary `json:"dram,omitempty"`
	DRAMName string        `json:"dram_part,omitempty"`
	// Breakdown says where the core's cycles went (the CPI stack): base,
	// the front end, each level and memory, translation (TLBs and walks),
	// the kernel's fault handling, and so on. It adds up to Cycles.
	Breakdown   []ServedBy         `json:"cpi_stack"`
	Translation *TranslationReport `json:"translation,omitempty"`
	// Cachegrind holds the same counts under cachegrind's names when the
	// first level is split (instruction and data); LL is the last level.
	Cachegrind *CachegrindCounts `json:"cachegrind,omitempty"`
	// Scenario is what a scenario's processes did, for scenario runs.
	Scenario *ScenarioReport `json:"scenario,omitempty"`
}

// TraceInfo says what was replayed.
type TraceInfo struct {
	Path   string `json:"path"`
	Format string `json:"format"`
}

// KindReport is the core's view of one kind of access.
type KindReport struct {
	Kind     string  `json:"kind"`
	Accesses uint64  `json:"accesses"`
	Cycles   uint64  `json:"cycles"`
	AMAT     float64 `json:"amat"`
}

// LevelReport is one cache level's counts. Accesses, hits and misses are
// demand accesses (fetches, loads, stores, page-table reads and writes,
// prefetches); write-backs and victims arriving from above are in ByKind.
type LevelReport struct {
	Name       string                `json:"name"`
	Accesses   uint64                `json:"accesses"`
	Hits       uint64                `json:"hits"`
	Misses     uint64                `json:"misses"`
	MissRate   float64               `json:"miss_rate"`
	Evictions  uint64                `json:"evictions"`
	Writebacks uint64                `json:"writebacks"`
	Merged     uint64                `json:"merged"`
	MSHRWaits  uint64                `json:"mshr_waits"`
	BackInvals uint64                `json:"back_invalidations"`
	ByKind     map[string]KindCounts `json:"by_kind"`
}

// KindCounts are one level's hits and misses of one kind.
type KindCounts struct {
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

// MemoryReport counts what reached main memory.
type MemoryReport struct {
	Reads  uint64 `json:"reads"`
	Writes uint64 `json:"writes"`
}

// ServedBy is the share of the core's cycles spent in one place: a level
// answering accesses, memory, translation or faults.
type ServedBy struct {
	Level    string  `json:"level"`
	Cycles   uint64  `json:"cycles"`
	Fraction float64 `json:"fraction"`
}

// CachegrindCounts carry cachegrind's event names.
type CachegrindCounts struct {
	Ir   uint64 `json:"Ir"`
	I1mr uint64 `json:"I1mr"`
	ILmr uint64 `json:"ILmr"`
	Dr   uint64 `json:"Dr"`
	D1mr uint64 `json:"D1mr"`
	DLmr uint64 `json:"DLmr"`
	Dw   uint64 `json:"Dw"`
	D1mw uint64 `json:"D1mw"`
	DLmw uint64 `json:"DLmw"`
}

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
	for _, l := range m.Config.Levels() {
		n := l.Name
		if l.Split != "" {
			n += "+" + l.Split
		}
		names = append(names, n)
	}
	return append(names, "memory")
}

// report is a scenario run's report, from the in-order scenario core.
func (m *Machine) report(c *core, format string) *Report {
	r := &Report{Schema: ReportSchema, Config: m.Config.Name, Trace: TraceInfo{Format: format}}
	for k := sim.Kind(0); k < sim.NumKinds; k++ {
		if c.accesses[k] == 0 {
			continue
		}
		r.Accesses += c.accesses[k]
		r.Kinds = append(r.Kinds, KindReport{k.String(), c.accesses[k], c.cycles[k], ratio(c.cycles[k], c.accesses[k])})
	}
	r.Cycles = uint64(c.now)
	r.Instructions = c.records
	r.IPC = ratio(r.Instructions, r.Cycles)
	r.AMAT = ratio(sumCycles(c), r.Accesses)
	names := m.depthNames()
	total := uint64(c.now)
	if m.MMU != nil {
		r.Breakdown = append(r.Breakdown, ServedBy{"translation", c.translation, ratio(c.translation, total)},
			ServedBy{"faults", c.faults, ratio(c.faults, total)})
		if c.kernel > 0 {
			r.Breakdown = append(r.Breakdown, ServedBy{"kernel", c.kernel, ratio(c.kernel, total)})
		}
	}
	for d, cy := range c.byDepth {
		r.Breakdown = append(r.Breakdown, ServedBy{names[d], cy, ratio(cy, total)})
	}
	m.fillReport(r)
	return r
}

// reportCPU is a trace run's report, from the core's result.
func (m *Machine) reportCPU(res cpu.Result, format string) *Report {
	r := &Report{Schema: ReportSchema, Config: m.Config.Name, Trace: TraceInfo{Format: format},
		Instructions: res.Instructions, Cycles: res.Cycles, IPC: res.IPC}
	var cycles uint64
	for k := range res.Access {
		a := &res.Access[k]
		if a.Count == 0 {
			continue
		}
		r.Accesses += a.Count
		cycles += a.Cycles
		r.Kinds = append(r.Kinds, KindReport{sim.Kind(k).String(), a.Count, a.Cycles, a.AMAT()})
	}
	r.AMAT = ratio(cycles, r.Accesses)
	for _, e := range res.Stack {
		r.Breakdown = append(r.Breakdown, ServedBy{e.Name, e.Cycles, ratio(e.Cycles, res.Cycles)})
	}
	m.fillReport(r)
	if d := r.DRAM; d != nil && r.Cycles > 0 {
		// Over the measured run (after any warmup), not the DRAM's life.
		d.BandwidthGBps = float64((d.Reads+d.Writes)*64) / (float64(r.Cycles) / float64(m.freqHz)) / 1e9
	}
	return r
}

// fillReport adds what the caches, memory, MMU and kernel counted.
func (m *Machine) fillReport(r *Report) {
	for _, lc := range m.Caches {
		r.Levels = append(r.Levels, levelReport(lc.Config().Name, lc.Counts()))
	}
	if m.Memory != nil {
		r.Memory = MemoryReport{Reads: m.Memory.Reads, Writes: m.Memory.Writes}
	} else {
		m.DRAM.Settle(m.Engine.Now())
		s := m.DRAM.Summary()
		r.Memory = MemoryReport{Reads: s.Reads, Writes: s.Writes}
		r.DRAM, r.DRAMName = &s, m.DRAM.Config().Name
	}
	if m.MMU != nil {
		r.Translation = m.translationReport(m.depthNames())
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

func levelReport(name string, n cache.Counts) LevelReport {
	l := LevelReport{Name: name, Evictions: n.Evictions, Writebacks: n.Writebacks,
		Merged: n.Merged, MSHRWaits: n.MSHRWaits, BackInvals: n.BackInvals, ByKind: map[string]KindCounts{}}
	for k := sim.Kind(0); k < sim.NumKinds; k++ {
		if n.Hits[k]+n.Misses[k] == 0 {
			continue
		}
		l.ByKind[k.String()] = KindCounts{n.Hits[k], n.Misses[k]}
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

func cachegrindCounts(m *Machine) *CachegrindCounts {
	i1, d1, ll := m.Fetch.Counts(), m.Data.Counts(), m.Caches[len(m.Caches)-1].Counts()
	return &CachegrindCounts{
		Ir: i1.Hits[sim.Fetch] + i1.Misses[sim.Fetch], I1mr: i1.Misses[sim.Fetch], ILmr: ll.Misses[sim.Fetch],
		Dr: d1.Hits[sim.Load] + d1.Misses[sim.Load], D1mr: d1.Misses[sim.Load], DLmr: ll.Misses[sim.Load],
		Dw: d1.Hits[sim.Store] + d1.Misses[sim.Store], D1mw: d1.Misses[sim.Store], DLmw: ll.Misses[sim.Store],
	}
}
