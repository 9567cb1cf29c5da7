package machine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// buildTranslation adds the kernel, the page tables of one process and
// each core's MMU to a machine whose caches are built.
func (m *Machine) buildTranslation(r *config.Reader) error {
	c := m.Config
	if !r.Bool("mmu.enabled") {
		return nil
	}
	geo, err := geometry(r)
	if err != nil {
		return err
	}
	m.Geometry = geo
	k, p, err := m.buildKernel(r, geo)
	if err != nil {
		return err
	}
	var mmus []*mmu.MMU
	for _, core := range m.Cores {
		u, err := m.buildMMU(r, k, core)
		if err != nil {
			return err
		}
		core.MMU = u
		if len(m.Cores) == 1 || len(core.Caches) > 0 {
			// A shared first level's prefetches would need every core's
			// TLBs: they stay physical there.
			core.Fetch.SetTranslator(u)
			core.Data.SetTranslator(u)
		}
		mmus = append(mmus, u)
	}
	u := mmus[0]
	if len(mmus) == 1 {
		k.SetMMU(u)
	} else if err := k.SetCores(mmus); err != nil {
		return &config.Error{Where: c.Origin("cores"), Key: "cores", Msg: err.Error()}
	}
	k.MapEverything(p)
	if err := m.buildDisk(r, k); err != nil {
		return err
	}
	if err := m.kernelTraffic(r, k); err != nil {
		return err
	}
	u.Root, u.PCID = p.Root, p.PCID
	if !r.Bool("os.pcid") {
		u.PCID = 0
	}
	m.Kernel, m.Process, m.MMU = k, p, u
	k.Register(&m.Stats)
	k.RegisterFaults(&m.Stats) // as getrusage counts them: warmup clears them too
	for _, core := range m.Cores {
		core.register(&m.Stats, core.MMU.Register)
	}
	if len(m.Cores) > 1 {
		k.RegisterShootdowns(&m.Stats)
	}
	return nil
}

// buildMMU makes a core's TLBs, page walker and page-walk caches. Its
// walks read through the core's levels from mmu.walk_from, and its faults
// run the kernel on that core.
func (m *Machine) buildMMU(r *config.Reader, k *kernel.Kernel, core *Core) (*mmu.MMU, error) {
	c, geo := m.Config, m.Geometry
	port, err := m.portOf(core, r.Str("mmu.walk_from"))
	if err != nil {
		return nil, &config.Error{Where: c.Origin("mmu.walk_from"), Key: "mmu.walk_from", Msg: err.Error()}
	}
	var faults mmu.FaultHandler = k
	if len(m.Cores) > 1 {
		faults = k.FaultHandler(core.ID)
	}
	pwc := make([]int, 5)
	pwc[2], pwc[3], pwc[4] = int(r.Count("mmu.pde_cache")), int(r.Count("mmu.pdpte_cache")), int(r.Count("mmu.pml4e_cache"))
	w, err := mmu.NewWalker(mmu.WalkerConfig{Geometry: geo, Walks: int(r.Count("mmu.walkers")), PWCEntries: pwc,
		Depths: m.walkDepths()}, k, port, faults)
	if err != nil {
		return nil, c.Blame(err.Error(), geometryKeys...)
	}
	cfg := mmu.Config{Walker: mmu.WalkerConfig{Geometry: geo}, Prefetch: mmu.PrefetchConfig{
		Name: r.Str("stlb.prefetcher"), Buffer: int(r.Count("stlb.prefetch_buffer")),
		Degree: int(r.Count("stlb.prefetch_degree")), CacheWalks: prefetchWalks(r, core),
	}}
	for _, t := range []struct {
		name string
		dst  *tlb.Config
	}{{"itlb", &cfg.ITLB}, {"dtlb", &cfg.DTLB}, {"stlb", &cfg.STLB}} {
		if *t.dst, err = tlbConfig(r, t.name); err != nil {
			return nil, err
		}
	}
	u, err := mmu.New(cfg, w)
	if err != nil {
		return nil, &config.Error{Where: c.Name, Msg: err.Error()}
	}
	return u, nil
}

// kernelTraffic sends each core's kernel paths' zeroing and copying
// through the level os.traffic names (that core's, if it is private).
func (m *Machine) kernelTraffic(r *config.Reader, k *kernel.Kernel) error {
	lvl := r.Str("os.traffic")
	if lvl == "none" {
		return nil
	}
	for _, core := range m.Cores {
		port, err := m.portOf(core, lvl)
		if err != nil || lvl == "memory" {
			return &config.Error{Where: m.Config.Origin("os.traffic"), Key: "os.traffic", Msg: fmt.Sprintf("%q is not a cache level (or none)", lvl)}
		}
		if len(m.Cores) == 1 {
			k.SetTraffic(port)
		} else {
			k.SetTrafficOn(core.ID, port)
		}
	}
	return nil
}

// tlbConfig reads a TLB's keys, and checks them: the keys that disagree
// are named as the user wrote them, not as the TLB's fields.
func tlbConfig(r *config.Reader, name string) (tlb.Config, error) {
	p := name + "."
	cfg := tlb.Config{Name: name, Entries: int(r.Count(p + "entries"))}
	if cfg.Entries == 0 {
		return cfg, nil
	}
	cfg.Ways = int(r.Count(p + "ways"))
	cfg.Latency = sim.Cycle(r.Count(p + "latency"))
	cfg.Replacement = r.Str(p + "replacement")
	sizes, _ := config.ParseSizes(r.Str(p + "pages"))
	for _, s := range sizes {
		shift := uint(0)
		for 1<<shift < s {
			shift++
		}
		cfg.PageShifts = append(cfg.PageShifts, shift)
	}
	cfg.Seed = r.Count("seed")
	if err := cfg.Validate(); err != nil {
		msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("tlb %q: ", name))
		return cfg, r.Config.Blame(msg, p+"entries", p+"ways", p+"pages", p+"replacement")
	}
	return cfg, nil
}

// portOf returns where a core's requests to the level called name (as the
// levels key names it) enter: the core's own level, a shared one (through
// the directory, where it keeps one), or memory.
func (m *Machine) portOf(core *Core, name string) (sim.Port, error) {
	if name == "memory" {
		return m.Main, nil
	}
	if c := core.cacheNamed(name); c != nil {
		return c, nil
	}
	for _, c := range m.Caches[len(m.Caches)-m.sharedLevels():] {
		if c.Config().Name != name {
			continue
		}
		if c == m.shared && m.Directory != nil {
			return m.Directory, nil
		}
		return c, nil
	}
	return nil, fmt.Errorf("no cache level called %q (levels: %s, or memory)", name, strings.Join(m.Config.LevelNames(), ", "))
}

// sharedLevels is how many of the caches are shared.
func (m *Machine) sharedLevels() int {
	n := 0
	for _, l := range m.Levels[:len(m.Caches)] {
		if l.Core == sim.Shared {
			n++
		}
	}
	return n
}

// geometry reads the page-table geometry keys and checks that they add up.
func geometry(r *config.Reader) (mmu.Geometry, error) {
	page := r.Bytes("mmu.page")
	geo := mmu.Geometry{
		Name:         r.Str("mmu.paging"),
		Levels:       int(r.Count("mmu.levels")),
		BitsPerLevel: int(r.Count("mmu.level_bits")),
		VABits:       uint(r.Count("mmu.va_bits")),
		PABits:       uint(r.Count("mmu.pa_bits")),
		EntryBytes:   8,
		PageShift:    pageShiftOf(page),
	}
	if v := r.Str("mmu.large_pages"); v != "none" && v != "" {
		for _, part := range strings.Split(v, ",") {
			l, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return geo, &config.Error{Where: r.Config.Origin("mmu.large_pages"), Key: "mmu.large_pages", Msg: fmt.Sprintf("%q is not a list of levels (like 2,3) or none", v)}
			}
			geo.LargeLevels = append(geo.LargeLevels, l)
		}
	}
	if r.Err != nil {
		return geo, r.Err
	}
	if sum := uint(geo.Levels*geo.BitsPerLevel) + geo.PageShift; sum != geo.VABits {
		return geo, r.Config.Blame(fmt.Sprintf(
			"the page table does not add up: mmu.levels (%d) x mmu.level_bits (%d) + log2 mmu.page (%d) = %d, not mmu.va_bits (%d)",
			geo.Levels, geo.BitsPerLevel, geo.PageShift, sum, geo.VABits), geometryKeys...)
	}
	if err := geo.Validate(); err != nil {
		return geo, r.Config.Blame(err.Error(), geometryKeys...)
	}
	return geo, nil
}

// geometryKeys are the keys a page-table geometry is made of.
var geometryKeys = []string{"mmu.va_bits", "mmu.levels", "mmu.level_bits", "mmu.page", "mmu.pa_bits", "mmu.large_pages"}

// prefetchWalks reports whether a first level's prefetcher may walk for a
// translation core's TLBs lack.
func prefetchWalks(r *config.Reader, core *Core) bool {
	for _, c := range []*cache.Cache{core.Fetch, core.Data} {
		if c.Prefetcher() != nil && r.Bool(configName(c)+".prefetch_walk") {
			return true
		}
	}
	return false
}
