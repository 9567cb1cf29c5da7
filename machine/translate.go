package machine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// buildTranslation adds the kernel, the page tables of one process and the
// MMU to a machine whose caches are built.
func (m *Machine) buildTranslation(g *config.Reader) error {
	c := m.Config
	if !g.Bool("mmu.enabled") {
		return nil
	}
	geo, err := geometry(g)
	if err != nil {
		return err
	}
	m.Geometry = geo
	m.Phys = dram.NewPhysMem()
	k, err := kernel.New(kernel.Config{
		Geometry:     geo,
		MemoryBytes:  g.Bytes("os.memory"),
		RandomFrames: g.Str("os.frames") == "random",
		Seed:         g.Count("seed"),
		Costs: kernel.Costs{
			Fault:     sim.Cycle(g.Count("os.fault_cycles")),
			Zero:      sim.Cycle(g.Count("os.zero_cycles")),
			Copy:      sim.Cycle(g.Count("os.copy_cycles")),
			Syscall:   sim.Cycle(g.Count("os.syscall_cycles")),
			Switch:    sim.Cycle(g.Count("os.switch_cycles")),
			ForkBase:  sim.Cycle(g.Count("os.fork_cycles")),
			ForkEntry: sim.Cycle(g.Count("os.fork_entry_cycles")),
			Invlpg:    sim.Cycle(g.Count("os.invlpg_cycles")),
			Flush:     sim.Cycle(g.Count("os.flush_cycles")),
			PerByte:   sim.Cycle(g.Count("os.byte_cycles")),
		},
		PCID:           g.Bool("os.pcid"),
		ShootdownLimit: int(g.Count("os.shootdown_limit")),
		StopOnSegv:     g.Str("os.on_segv") == "stop",
	}, m.Phys)
	if err != nil {
		return &config.Error{Where: c.Origin("os.memory"), Key: "os.memory", Msg: err.Error()}
	}
	p, err := k.NewProcess()
	if err != nil {
		return &config.Error{Where: c.Origin("os.memory"), Key: "os.memory", Msg: err.Error()}
	}
	port, err := m.walkPort(g.Str("mmu.walk_from"))
	if err != nil {
		return &config.Error{Where: c.Origin("mmu.walk_from"), Key: "mmu.walk_from", Msg: err.Error()}
	}
	pwc := make([]int, 5)
	pwc[2], pwc[3], pwc[4] = int(g.Count("mmu.pde_cache")), int(g.Count("mmu.pdpte_cache")), int(g.Count("mmu.pml4e_cache"))
	w, err := mmu.NewWalker(mmu.WalkerConfig{Geometry: geo, Walks: int(g.Count("mmu.walkers")), PWCEntries: pwc},
		k, port, k)
	if err != nil {
		return &config.Error{Where: c.Origin("mmu.levels"), Key: "mmu", Msg: err.Error()}
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
		return &config.Error{Where: c.Name, Msg: err.Error()}
	}
	k.SetMMU(u)
	k.MapEverything(p)
	if err := m.buildDisk(g, k); err != nil {
		return err
	}
	if lvl := g.Str("os.traffic"); lvl != "none" {
		port, err := m.walkPort(lvl)
		if _, isCache := port.(*cache.Cache); err != nil || !isCache {
			return &config.Error{Where: c.Origin("os.traffic"), Key: "os.traffic", Msg: fmt.Sprintf("%q is not a cache level (or none)", lvl)}
		}
		k.SetTraffic(port)
	}
	u.Root, u.PCID = p.Root, p.PCID
	if !g.Bool("os.pcid") {
		u.PCID = 0
	}
	m.Kernel, m.Process, m.MMU = k, p, u
	k.Register(&m.Stats)
	u.Register(&m.Stats)
	return nil
}

func tlbConfig(g *config.Reader, name string) tlb.Config {
	p := name + "."
	cfg := tlb.Config{Name: name, Entries: int(g.Count(p + "entries"))}
	if cfg.Entries == 0 {
		return cfg
	}
	cfg.Ways = int(g.Count(p + "ways"))
	cfg.Latency = sim.Cycle(g.Count(p + "latency"))
	cfg.Replacement, _ = tlb.ParsePolicy(g.Str(p + "replacement"))
	sizes, _ := config.ParseSizes(g.Str(p + "pages"))
	for _, s := range sizes {
		shift := uint(0)
		for 1<<shift < s {
			shift++
		}
		cfg.PageShifts = append(cfg.PageShifts, shift)
	}
	cfg.Seed = g.Count("seed")
	return cfg
}

// walkPort returns the level page-table reads enter.
func (m *Machine) walkPort(name string) (sim.Port, error) {
	if name == "memory" {
		return m.Main, nil
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

// geometry reads the page-table geometry keys and checks that they add up.
func geometry(g *config.Reader) (mmu.Geometry, error) {
	page := g.Bytes("mmu.page")
	geo := mmu.Geometry{
		Name:         g.Str("mmu.paging"),
		Levels:       int(g.Count("mmu.levels")),
		BitsPerLevel: int(g.Count("mmu.level_bits")),
		VABits:       uint(g.Count("mmu.va_bits")),
		PABits:       uint(g.Count("mmu.pa_bits")),
		EntryBytes:   8,
	}
	for 1<<geo.PageShift < page {
		geo.PageShift++
	}
	if v := g.Str("mmu.large_pages"); v != "none" && v != "" {
		for _, part := range strings.Split(v, ",") {
			l, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return geo, &config.Error{Where: g.Config.Origin("mmu.large_pages"), Key: "mmu.large_pages", Msg: fmt.Sprintf("%q is not a list of levels (like 2,3) or none", v)}
			}
			geo.LargeLevels = append(geo.LargeLevels, l)
		}
	}
	if g.Err != nil {
		return geo, g.Err
	}
	if sum := uint(geo.Levels*geo.BitsPerLevel) + geo.PageShift; sum != geo.VABits {
		return geo, &config.Error{Where: g.Config.Name, Key: "mmu", Msg: fmt.Sprintf(
			"the page table does not add up: mmu.levels (%d) x mmu.level_bits (%d) + log2 mmu.page (%d) = %d, not mmu.va_bits (%d)",
			geo.Levels, geo.BitsPerLevel, geo.PageShift, sum, geo.VABits)}
	}
	if err := geo.Validate(); err != nil {
		return geo, &config.Error{Where: g.Config.Origin("mmu.va_bits"), Key: "mmu", Msg: err.Error()}
	}
	return geo, nil
}

// buildDisk gives the kernel a disk with a file system and a swap area.
func (m *Machine) buildDisk(g *config.Reader, k *kernel.Kernel) error {
	model := g.Str("disk.model")
	if model == "none" {
		return nil
	}
	dev, err := disk.NewPreset(model, m.freqHz)
	if err != nil {
		return &config.Error{Where: g.Config.Origin("disk.model"), Key: "disk.model", Msg: err.Error()}
	}
	bs := uint64(dev.BlockSize())
	swapBlocks := (g.Bytes("disk.swap") + bs - 1) / bs
	if swapBlocks >= dev.Blocks() {
		return &config.Error{Where: g.Config.Origin("disk.swap"), Key: "disk.swap", Msg: "leaves no room for files"}
	}
	fs, err := disk.NewFS(dev, 0, dev.Blocks()-swapBlocks)
	if err != nil {
		return &config.Error{Where: g.Config.Origin("disk.swap"), Key: "disk.swap", Msg: err.Error()}
	}
	var swap *disk.Swap
	if swapBlocks > 0 {
		if swap, err = disk.NewSwap(dev, dev.Blocks()-swapBlocks, swapBlocks, int(uint64(1)<<m.Geometry.PageShift)); err != nil {
			return &config.Error{Where: g.Config.Origin("disk.swap"), Key: "disk.swap", Msg: err.Error()}
		}
		swap.RegisterStats(&m.Stats, "swap")
	}
	dev.RegisterStats(&m.Stats, "disk")
	k.SetDisk(fs, swap)
	m.Disk = dev
	return nil
}
