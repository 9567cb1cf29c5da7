package machine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// buildTranslation adds the kernel, the page tables of one process and the
// MMU to a machine whose caches are built.
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
	port, err := m.walkPort(r.Str("mmu.walk_from"))
	if err != nil {
		return &config.Error{Where: c.Origin("mmu.walk_from"), Key: "mmu.walk_from", Msg: err.Error()}
	}
	pwc := make([]int, 5)
	pwc[2], pwc[3], pwc[4] = int(r.Count("mmu.pde_cache")), int(r.Count("mmu.pdpte_cache")), int(r.Count("mmu.pml4e_cache"))
	w, err := mmu.NewWalker(mmu.WalkerConfig{Geometry: geo, Walks: int(r.Count("mmu.walkers")), PWCEntries: pwc,
		Depths: m.walkDepths()}, k, port, k)
	if err != nil {
		return c.Blame(err.Error(), geometryKeys...)
	}
	cfg := mmu.Config{Walker: mmu.WalkerConfig{Geometry: geo}, Prefetch: mmu.PrefetchConfig{
		Name: r.Str("stlb.prefetcher"), Buffer: int(r.Count("stlb.prefetch_buffer")),
		Degree: int(r.Count("stlb.prefetch_degree")), CacheWalks: m.prefetchWalks(r),
	}}
	for _, t := range []struct {
		name string
		dst  *tlb.Config
	}{{"itlb", &cfg.ITLB}, {"dtlb", &cfg.DTLB}, {"stlb", &cfg.STLB}} {
		if *t.dst, err = tlbConfig(r, t.name); err != nil {
			return err
		}
	}
	u, err := mmu.New(cfg, w)
	if err != nil {
		return &config.Error{Where: c.Name, Msg: err.Error()}
	}
	m.Fetch.SetTranslator(u)
	m.Data.SetTranslator(u)
	k.SetMMU(u)
	k.MapEverything(p)
	if err := m.buildDisk(r, k); err != nil {
		return err
	}
	if lvl := r.Str("os.traffic"); lvl != "none" {
		port, err := m.walkPort(lvl)
		if _, isCache := port.(*cache.Cache); err != nil || !isCache {
			return &config.Error{Where: c.Origin("os.traffic"), Key: "os.traffic", Msg: fmt.Sprintf("%q is not a cache level (or none)", lvl)}
		}
		k.SetTraffic(port)
	}
	u.Root, u.PCID = p.Root, p.PCID
	if !r.Bool("os.pcid") {
		u.PCID = 0
	}
	m.Kernel, m.Process, m.MMU = k, p, u
	k.Register(&m.Stats)
	k.RegisterFaults(&m.Stats) // as getrusage counts them: warmup clears them too
	u.Register(&m.Stats)
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
func geometry(r *config.Reader) (mmu.Geometry, error) {
	page := r.Bytes("mmu.page")
	geo := mmu.Geometry{
		Name:         r.Str("mmu.paging"),
		Levels:       int(r.Count("mmu.levels")),
		BitsPerLevel: int(r.Count("mmu.level_bits")),
		VABits:       uint(r.Count("mmu.va_bits")),
		PABits:       uint(r.Count("mmu.pa_bits")),
		EntryBytes:   8,
	}
	for 1<<geo.PageShift < page {
		geo.PageShift++
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
// translation its TLBs lack.
func (m *Machine) prefetchWalks(r *config.Reader) bool {
	for _, c := range []*cache.Cache{m.Fetch, m.Data} {
		if c.Prefetcher() != nil && r.Bool(c.Config().Name+".prefetch_walk") {
			return true
		}
	}
	return false
}
