package machine

import (
	"fmt"
	"strings"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// buildTranslation adds the kernel, the page tables of one process and the
// MMU to a machine whose caches are built.
func (m *Machine) buildTranslation(g *getter) error {
	c := m.Config
	if !g.bool("mmu.enabled") {
		return nil
	}
	geo := mmu.Geometries[g.str("mmu.paging")]
	m.Geometry = geo
	m.Phys = dram.NewPhysMem()
	k, err := kernel.New(kernel.Config{
		Geometry:     geo,
		MemoryBytes:  g.bytes("os.memory"),
		RandomFrames: g.str("os.frames") == "random",
		Seed:         g.count("seed"),
		FaultCycles:  sim.Cycle(g.count("os.fault_cycles")),
		ZeroCycles:   sim.Cycle(g.count("os.zero_cycles")),
	}, m.Phys)
	if err != nil {
		return &Error{Where: c.Origin("os.memory"), Key: "os.memory", Msg: err.Error()}
	}
	p, err := k.NewProcess()
	if err != nil {
		return &Error{Where: c.Origin("os.memory"), Key: "os.memory", Msg: err.Error()}
	}
	port, err := m.walkPort(g.str("mmu.walk_from"))
	if err != nil {
		return &Error{Where: c.Origin("mmu.walk_from"), Key: "mmu.walk_from", Msg: err.Error()}
	}
	pwc := make([]int, 5)
	pwc[2], pwc[3], pwc[4] = int(g.count("mmu.pde_cache")), int(g.count("mmu.pdpte_cache")), int(g.count("mmu.pml4e_cache"))
	w, err := mmu.NewWalker(mmu.WalkerConfig{Geometry: geo, Walks: int(g.count("mmu.walkers")), PWCEntries: pwc},
		k, port, kernel.Faults{K: k, P: p})
	if err != nil {
		return &Error{Where: c.Origin("mmu.paging"), Key: "mmu.paging", Msg: err.Error()}
	}
	cfg := mmu.Config{Walker: mmu.WalkerConfig{Geometry: geo}}
	for _, t := range []struct {
		name string
		dst  *tlb.Config
	}{{"itlb", &cfg.ITLB}, {"dtlb", &cfg.DTLB}, {"stlb", &cfg.STLB}} {
		*t.dst = tlbConfig(g, t.name)
	}
	u, err := mmu.New(cfg, w)
	if err != nil {
		return &Error{Where: c.Name, Msg: err.Error()}
	}
	u.Root, u.PCID = p.Root, p.PCID
	m.Kernel, m.Process, m.MMU = k, p, u
	k.Register(&m.Stats)
	u.Register(&m.Stats)
	return nil
}

func tlbConfig(g *getter, name string) tlb.Config {
	p := name + "."
	cfg := tlb.Config{Name: name, Entries: int(g.count(p + "entries"))}
	if cfg.Entries == 0 {
		return cfg
	}
	cfg.Ways = int(g.count(p + "ways"))
	cfg.Latency = sim.Cycle(g.count(p + "latency"))
	cfg.Replacement, _ = tlb.ParsePolicy(g.str(p + "replacement"))
	sizes, _ := parseSizes(g.str(p + "pages"))
	for _, s := range sizes {
		shift := uint(0)
		for 1<<shift < s {
			shift++
		}
		cfg.PageShifts = append(cfg.PageShifts, shift)
	}
	cfg.Seed = g.count("seed")
	return cfg
}

// walkPort returns the level page-table reads enter.
func (m *Machine) walkPort(name string) (sim.Port, error) {
	if name == "memory" {
		return m.Memory, nil
	}
	var names []string
	for _, c := range m.Caches {
		if c.Config().Name == name {
			return c, nil
		}
		names = append(names, c.Config().Name)
	}
	return nil, fmt.Errorf("no cache level called %q (levels: %s, or memory)", name, strings.Join(names, ", "))
}
