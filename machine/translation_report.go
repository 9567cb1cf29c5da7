package machine

import (
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
)

var pwcNames = map[int]string{2: "pde", 3: "pdpte", 4: "pml4e", 5: "pml5e"}

// translationReport is what the MMU, its TLBs, the walker and the kernel
// counted.
func (m *Machine) translationReport() *report.TranslationReport {
	u, w, k := m.MMU, m.MMU.Walker, m.Kernel
	r := &report.TranslationReport{
		Translations: u.N.Translations, L1TLBHits: u.N.L1Hits, L2TLBHits: u.N.L2Hits,
		Walks: u.N.Walks, Rechecks: u.N.Rechecks, ADWrites: w.N.ADWrites,
		AvgWalkCycles: ratio(u.N.WalkCycles, u.N.Walks),
		MinorFaults:   k.N.MinorFaults, SIGSEGV: k.N.Segv, PageTableFrames: k.N.TableFrames,
		PTEReads: map[string]uint64{}, PWCHits: map[string]uint64{}, PWCMisses: map[string]uint64{},
		FaultsByCause: map[string]uint64{}, Faults: FaultCounts(&k.N.Faults),
	}
	for _, t := range u.TLBs() {
		n := t.Counts()
		r.TLBs = append(r.TLBs, report.TLBReport{Name: t.Config().Name, Hits: n.Hits, Misses: n.Misses,
			MissRate: ratio(n.Misses, n.Hits+n.Misses), Evictions: n.Evictions})
	}
	for d, n := range w.N.ReadsAt {
		if n > 0 {
			// Walks read through the data side of a split level.
			r.PTEReads[m.Config.DepthName(d, true)] += n
		}
	}
	for l := 2; l <= m.Geometry.Levels; l++ {
		if p := w.PWC(l); p != nil {
			r.PWCHits[pwcNames[l]], r.PWCMisses[pwcNames[l]] = p.Hits, p.Misses
		}
	}
	for cause, n := range w.N.FaultsBy {
		if n > 0 {
			r.FaultsByCause[mmu.Cause(cause).String()] = n
		}
	}
	return r
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
