package machine

import (
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
)

// translationReport is what the MMU, its TLBs, the walker and the kernel
// counted.
func (m *Machine) translationReport(s sim.Snapshot) *report.TranslationReport {
	r := &report.TranslationReport{
		Translations: s.Value("mmu.translations"), L1TLBHits: s.Value("mmu.l1_tlb_hits"), L2TLBHits: s.Value("mmu.l2_tlb_hits"),
		Walks: s.Value("mmu.walks"), Rechecks: s.Value("mmu.rechecks"), ADWrites: s.Value("walker.ad_writes"),
		AvgWalkCycles: ratio(s.Value("mmu.walk_cycles"), s.Value("mmu.walks")),
		MinorFaults:   s.Value("os.minor_faults"), SIGSEGV: s.Value("os.segv"), PageTableFrames: s.Value("os.table_frames"),
		PTEReads: map[string]uint64{}, PWCHits: map[string]uint64{}, PWCMisses: map[string]uint64{},
		FaultsByCause: map[string]uint64{}, Faults: m.kernelFaults(s),
	}
	for _, t := range m.MMU.TLBs() {
		name := t.Config().Name
		hits, misses := s.Value(name+".hits"), s.Value(name+".misses")
		r.TLBs = append(r.TLBs, report.TLBReport{Name: name, Hits: hits, Misses: misses,
			MissRate: ratio(misses, hits+misses), Evictions: s.Value(name + ".evictions")})
	}
	for _, name := range m.walkDepths() {
		if n := s.Value("walker.reads_at." + name); n > 0 {
			r.PTEReads[name] = n
		}
	}
	for l := 2; l <= m.Geometry.Levels; l++ {
		if m.MMU.Walker.PWC(l) != nil {
			name := mmu.PWCName(l)
			r.PWCHits[name], r.PWCMisses[name] = s.Value("pwc."+name+".hits"), s.Value("pwc."+name+".misses")
		}
	}
	for c := mmu.Cause(0); c <= mmu.OutOfRange; c++ {
		if n := s.Value("walker.faults." + c.Key()); n > 0 {
			r.FaultsByCause[c.String()] = n
		}
	}
	if name := m.Config.Reader().Str("stlb.prefetcher"); name != "none" {
		r.Prefetch = &report.TLBPrefetchReport{PrefetchReport: *prefetchReport(s, "stlb.prefetch", name),
			Walks: s.Value("walker.prefetch_walks")}
	}
	return r
}

// walkDepths names what supplies a page walk's read at each depth: the
// levels, a split one by its data side (walks read through it), then
// memory.
func (m *Machine) walkDepths() []string {
	var names []string
	for d := range len(m.Config.Levels()) + 1 {
		names = append(names, m.Config.DepthName(d, true))
	}
	return names
}

// kernelFaults are the faults of every process as getrusage counts them,
// in the kernel's order (minor and major, then the breakdown), from the
// registry (os.faults.NAME).
func (m *Machine) kernelFaults(s sim.Snapshot) report.Counts {
	var out report.Counts
	for _, c := range m.Kernel.N.Faults.Counts() {
		out = append(out, report.Count{Name: c.Name, N: s.Value("os.faults." + c.Name)})
	}
	return out
}

// FaultCounts are f's counts for a report, in the kernel's order (minor and
// major, then the breakdown).
func FaultCounts(f *kernel.Faults) report.Counts {
	var out report.Counts
	for _, c := range f.Counts() {
		out = append(out, report.Count{Name: c.Name, N: *c.N})
	}
	return out
}
