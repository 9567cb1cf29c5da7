package machine

import (
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
)

// counts reads a counter by name: a snapshot's (Snapshot.Value), or one
// core's (its prefix added), or the cores' summed.
type counts func(name string) uint64

// translationReport is what the MMU, its TLBs, the walker (v, by the names
// a core's blocks register) and the kernel (os, nil for none: a core of a
// machine of several, whose kernel counts are the machine's) counted.
func (m *Machine) translationReport(v, os counts) *report.TranslationReport {
	r := &report.TranslationReport{
		Translations: v("mmu.translations"), L1TLBHits: v("mmu.l1_tlb_hits"), L2TLBHits: v("mmu.l2_tlb_hits"),
		Walks: v("mmu.walks"), Rechecks: v("mmu.rechecks"), ADWrites: v("walker.ad_writes"),
		AvgWalkCycles: ratio(v("mmu.walk_cycles"), v("mmu.walks")),
		PTEReads:      map[string]uint64{}, PWCHits: map[string]uint64{}, PWCMisses: map[string]uint64{},
		FaultsByCause: map[string]uint64{},
	}
	if os != nil {
		r.MinorFaults, r.SIGSEGV, r.PageTableFrames = os("os.minor_faults"), os("os.segv"), os("os.table_frames")
		r.Faults = m.kernelFaults(os)
	}
	for _, t := range m.MMU.TLBs() {
		name := t.Config().Name
		hits, misses := v(name+".hits"), v(name+".misses")
		r.TLBs = append(r.TLBs, report.TLBReport{Name: name, Hits: hits, Misses: misses,
			MissRate: ratio(misses, hits+misses), Evictions: v(name + ".evictions")})
	}
	for _, name := range m.walkDepths() {
		if n := v("walker.reads_at." + name); n > 0 {
			r.PTEReads[name] = n
		}
	}
	for l := 2; l <= m.Geometry.Levels; l++ {
		if m.MMU.Walker.PWC(l) != nil {
			name := mmu.PWCName(l)
			r.PWCHits[name], r.PWCMisses[name] = v("pwc."+name+".hits"), v("pwc."+name+".misses")
		}
	}
	for c := mmu.Cause(0); c <= mmu.OutOfRange; c++ {
		if n := v("walker.faults." + c.Key()); n > 0 {
			r.FaultsByCause[c.String()] = n
		}
	}
	if name := m.Config.Reader().Str("stlb.prefetcher"); name != "none" {
		// Every core's MMU is built alike: core 0's ratios define each
		// core's and the cores' summed.
		r.Prefetch = &report.TLBPrefetchReport{PrefetchReport: *m.prefetchReport(v, m.Cores[0].prefix(), "stlb.prefetch", name),
			Walks: v("walker.prefetch_walks")}
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
func (m *Machine) kernelFaults(v counts) report.Counts {
	var out report.Counts
	for _, c := range m.Kernel.N.Faults.Counts() {
		out = append(out, report.Count{Name: c.Name, N: v("os.faults." + c.Name)})
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
