package report

// CoreReport is one core of a machine of several: what it measured, read
// from the registry when its measured part ended. As in ChampSim, a core
// that finishes before the others goes on running its trace for them,
// its statistics frozen.
type CoreReport struct {
	Core         int     `json:"core"`
	Trace        string  `json:"trace"`
	Instructions uint64  `json:"instructions"`
	Cycles       uint64  `json:"cycles"`
	IPC          float64 `json:"ipc"`
	// Warmup is the instructions it had retired when its measured part
	// began: its own warmup, and what it ran while the others finished
	// theirs. --alone runs its trace alone with this warmup, so that the
	// two measure the same instructions equally warm.
	Warmup uint64 `json:"warmup"`
	// AloneIPC is its trace's IPC alone on the machine (--alone), 0 if
	// that was not run.
	AloneIPC  float64      `json:"alone_ipc,omitempty"`
	Accesses  uint64       `json:"accesses"`
	AMAT      float64      `json:"amat"`
	Kinds     []KindReport `json:"kinds"`
	Breakdown []ServedBy   `json:"cpi_stack"`
	// Levels are its private levels, by place (core1.l1d).
	Levels []LevelReport `json:"levels"`
	// Translation is its TLBs, walks and page-walk caches, and the faults
	// its walks took by cause; the kernel's counts are the machine's.
	Translation *TranslationReport `json:"translation,omitempty"`
	// IPIs and IRQCycles are the shootdown interrupts it received and
	// what they cost it; its stack's shootdown is the part of them it
	// could not overlap with a wait.
	IPIs      uint64 `json:"ipis"`
	IRQCycles uint64 `json:"irq_cycles"`
}

// CoreShare is one core's part of a shared level's demand accesses.
type CoreShare struct {
	Core     int     `json:"core"`
	Accesses uint64  `json:"accesses"`
	Hits     uint64  `json:"hits"`
	Misses   uint64  `json:"misses"`
	MissRate float64 `json:"miss_rate"`
}

// ShootdownReport counts the TLB shootdowns across cores: IPIs sent, and
// the cycles they took, the initiators' (sending, waiting for the
// acknowledgments) and the targets' (the interrupts) together.
type ShootdownReport struct {
	IPIs            uint64 `json:"ipis"`
	Cycles          uint64 `json:"cycles"`
	Paths           uint64 `json:"paths"`
	InitiatorCycles uint64 `json:"initiator_cycles"`
	TargetCycles    uint64 `json:"target_cycles"`
	LazySkips       uint64 `json:"lazy_skips"`
	LazyFlushes     uint64 `json:"lazy_flushes"`
}

// CoherenceReport counts what the directory beside the shared level did.
type CoherenceReport struct {
	Invalidations      uint64 `json:"invalidations"`
	Upgrades           uint64 `json:"upgrades"`
	Transfers          uint64 `json:"transfers"`
	Writebacks         uint64 `json:"writebacks"`
	BackInvalidations  uint64 `json:"back_invalidations"`
	DirectoryEvictions uint64 `json:"directory_evictions"`
}

// Speedups compare a multi-program run with each of its traces alone on
// the machine (CoreReport.AloneIPC): the weighted speedup, the sum of each
// core's IPC over its IPC alone (Snavely and Tullsen, ASPLOS 2000; system
// throughput in Eyerman and Eeckhout, IEEE Micro 2008), and the harmonic
// mean of those ratios (Luo, Gummaraju and Franklin, ISPASS 2001), which
// weighs fairness in.
type Speedups struct {
	Weighted float64 `json:"weighted_speedup"`
	Harmonic float64 `json:"harmonic_mean"`
}

// SetAlone records each core's trace's IPC alone and computes the
// speedups from them; a core whose IPC is 0 either way leaves them out.
func (r *Report) SetAlone(ipcs []float64) {
	var ws, inv float64
	for i := range r.Cores {
		c := &r.Cores[i]
		c.AloneIPC = ipcs[i]
		if c.AloneIPC == 0 || c.IPC == 0 {
			return
		}
		ws += c.IPC / c.AloneIPC
		inv += c.AloneIPC / c.IPC
	}
	r.Speedups = &Speedups{Weighted: ws, Harmonic: float64(len(r.Cores)) / inv}
}

// writeCores prints a machine of several cores' part: each core's
// measures, CPI stack and private levels, the shared levels by core, the
// shootdowns and coherence.
func (r *Report) writeCores(p *printer) {
	p.f("\n%-5s %-24s %14s %14s %7s", "core", "trace", "instructions", "cycles", "IPC")
	if r.Speedups != nil {
		p.f(" %9s", "alone IPC")
	}
	p.f("\n")
	for _, c := range r.Cores {
		p.f("%-5d %-24s %14s %14s %7.3f", c.Core, c.Trace, Group(c.Instructions), Group(c.Cycles), c.IPC)
		if r.Speedups != nil {
			p.f(" %9.3f", c.AloneIPC)
		}
		p.f("\n")
	}
	if s := r.Speedups; s != nil {
		p.f("weighted speedup %.3f, harmonic mean of speedups %.3f (against each trace alone)\n", s.Weighted, s.Harmonic)
	}
	p.f("\nwhere each core's cycles went (CPI stack)\n%-12s", "")
	for _, c := range r.Cores {
		p.f(" %14s", "core "+itoa(c.Core))
	}
	p.f("\n")
	for i, s := range r.Cores[0].Breakdown {
		p.f("  %-12s", s.Level)
		for _, c := range r.Cores {
			p.f(" %13.1f%%", 100*c.Breakdown[i].Fraction)
		}
		p.f("\n")
	}
	for _, c := range r.Cores {
		p.f("\n")
		for _, l := range c.Levels {
			p.f("%-12s %14s accesses %14s misses %8.3f%%\n", l.Name, Group(l.Accesses), Group(l.Misses), 100*l.MissRate)
		}
		if tr := c.Translation; tr != nil {
			for _, t := range tr.TLBs {
				p.f("%-12s %14s lookups  %14s misses %8.3f%%\n", "core"+itoa(c.Core)+"."+t.Name, Group(t.Hits+t.Misses), Group(t.Misses), 100*t.MissRate)
			}
			p.f("%-12s %14s walks, %s IPIs received (%s cycles)\n", "", Group(tr.Walks), Group(c.IPIs), Group(c.IRQCycles))
		}
	}
	for _, l := range r.Levels {
		for _, s := range l.ByCore {
			p.f("%s by core %d: %s accesses, %s misses (%.3f%%)\n", l.Name, s.Core, Group(s.Accesses), Group(s.Misses), 100*s.MissRate)
		}
	}
	if s := r.Shootdowns; s != nil {
		p.f("shootdowns: %s IPIs from %s paths, %s cycles (%s initiators', %s targets'), %s lazy skips\n",
			Group(s.IPIs), Group(s.Paths), Group(s.Cycles), Group(s.InitiatorCycles), Group(s.TargetCycles), Group(s.LazySkips))
	}
	if c := r.Coherence; c != nil {
		p.f("coherence: %s invalidations, %s upgrades, %s transfers, %s write-backs, %s back-invalidations\n",
			Group(c.Invalidations), Group(c.Upgrades), Group(c.Transfers), Group(c.Writebacks), Group(c.BackInvalidations))
	}
}

func itoa(n int) string { return Group(uint64(n)) }
