package report

// TranslationReport is what the MMU, its TLBs, the walker and the kernel
// counted.
type TranslationReport struct {
	Translations uint64      `json:"translations"`
	L1TLBHits    uint64      `json:"l1_tlb_hits"`
	L2TLBHits    uint64      `json:"l2_tlb_hits"`
	Walks        uint64      `json:"walks"`
	Rechecks     uint64      `json:"rechecks"`
	TLBs         []TLBReport `json:"tlbs"`
	// PTEReads counts the entries walks read, by the level that supplied
	// them; PWCHits the page-walk-cache hits by the level of the entry.
	PTEReads      map[string]uint64 `json:"pte_reads"`
	PWCHits       map[string]uint64 `json:"pwc_hits"`
	PWCMisses     map[string]uint64 `json:"pwc_misses"`
	ADWrites      uint64            `json:"ad_writes"`
	AvgWalkCycles float64           `json:"avg_walk_cycles"`
	// MinorFaults counts the faults the kernel mended without the disk
	// and without a copy-on-write (its own count; Faults has getrusage's).
	MinorFaults uint64 `json:"minor_faults"`
	// Faults are the faults as getrusage counts them (minor, major), then
	// their breakdown: the machine's, so none in a core's part of a
	// machine of several.
	Faults          Counts            `json:"faults,omitempty"`
	SIGSEGV         uint64            `json:"sigsegv"`
	FaultsByCause   map[string]uint64 `json:"faults_by_cause"`
	PageTableFrames uint64            `json:"page_table_frames"`
	// Prefetch is the TLB prefetcher's work, when there is one: Useful
	// counts the misses its buffer answered (the demand walks it removed),
	// Coverage those over the walks there would have been, Walks the page
	// walks prefetches started (apart from Walks above), its own and the
	// caches' prefetchers'.
	Prefetch *TLBPrefetchReport `json:"prefetch,omitempty"`
}

// TLBPrefetchReport is a TLB prefetcher's work (see PrefetchReport).
type TLBPrefetchReport struct {
	PrefetchReport
	Walks uint64 `json:"walks"`
}

// TLBReport is one TLB's counts.
type TLBReport struct {
	Name      string  `json:"name"`
	Hits      uint64  `json:"hits"`
	Misses    uint64  `json:"misses"`
	MissRate  float64 `json:"miss_rate"`
	Evictions uint64  `json:"evictions"`
}

func (r *TranslationReport) writeText(p *printer) {
	p.f("\n%-8s %14s %14s %14s %9s %13s\n", "tlb", "lookups", "hits", "misses", "miss rate", "evictions")
	for _, t := range r.TLBs {
		p.f("%-8s %14s %14s %14s %8.3f%% %13s\n", t.Name, Group(t.Hits+t.Misses), Group(t.Hits), Group(t.Misses), 100*t.MissRate, Group(t.Evictions))
	}
	p.f("walks %s (%.1f cycles on average), page-table reads:", Group(r.Walks), r.AvgWalkCycles)
	for _, name := range sortedKeys(r.PTEReads) {
		p.f(" %s %s", name, Group(r.PTEReads[name]))
	}
	p.f("\npage-walk caches:")
	for _, name := range []string{"pml4e", "pdpte", "pde"} {
		if h, ok := r.PWCHits[name]; ok {
			p.f(" %s %s/%s hits", name, Group(h), Group(h+r.PWCMisses[name]))
		}
	}
	p.f("\nfaults: %s minor, %s major, %s SIGSEGV", Group(r.Faults.Get("minor")), Group(r.Faults.Get("major")), Group(r.SIGSEGV))
	for _, cause := range sortedKeys(r.FaultsByCause) {
		p.f("; %s %s", cause, Group(r.FaultsByCause[cause]))
	}
	p.f("\nfaults in detail: %s\n", r.Faults.nonZero(2))
	if f := r.Prefetch; f != nil {
		p.f("tlb prefetch (%s): %s walks, %s pages issued, %s dropped, %s useful (%s late), %s useless, accuracy %.1f%%, coverage %.1f%%\n",
			f.Name, Group(f.Walks), Group(f.Issued), Group(f.Dropped), Group(f.Useful), Group(f.Late), Group(f.Useless),
			100*f.Accuracy, 100*f.Coverage)
	}
}
