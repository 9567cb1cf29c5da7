package machine

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/prefetch"
	"github.com/vmemu/vmemu/sim"
)

// buildCaches makes the cache levels: each core's private ones, top first,
// then the shared ones, each connected to the one above it, the private
// hierarchies meeting the first shared level in share. It returns what
// connects to main memory: the last shared level, or every core's last
// private levels when none is shared (both sides of a split one).
func (m *Machine) buildCaches(r *config.Reader) ([]*cache.Cache, error) {
	ls := m.Config.Levels()
	split, err := firstShared(r, ls)
	if err != nil {
		return nil, err
	}
	n := int(r.Count("cores"))
	var bottoms [][]*cache.Cache
	for i := range n {
		core := newCore(i, n)
		m.Cores = append(m.Cores, core)
		h, err := m.buildLevels(r, ls[:split], 0, core, 1, nil)
		if err != nil {
			return nil, err
		}
		core.Caches = h.all
		if split > 0 {
			core.Fetch, core.Data = h.top[0], h.top[len(h.top)-1]
		}
		bottoms = append(bottoms, h.bottom)
	}
	shared, err := m.buildLevels(r, ls[split:], split, nil, n, slices.Concat(bottoms...))
	if err != nil {
		return nil, err
	}
	if split == 0 {
		for _, core := range m.Cores {
			core.Fetch, core.Data = shared.top[0], shared.top[len(shared.top)-1]
		}
	}
	m.Fetch, m.Data = m.Cores[0].Fetch, m.Cores[0].Data
	switch {
	case len(shared.all) == 0:
		return slices.Concat(bottoms...), nil
	case split > 0:
		if err := m.share(r, bottoms, shared.top[0]); err != nil {
			return nil, err
		}
	}
	return shared.bottom, nil
}

// hierarchy is levels built one below the other: all of them, top first,
// and the first and last depth's (two when split).
type hierarchy struct{ all, top, bottom []*cache.Cache }

// buildLevels makes the levels ls, the first of them at depth depth0, each
// connected to the one above it: core's private ones, or (core nil) the
// shared ones, which count each of cores cores' accesses apart when there
// are several. above are the levels above the first (whose prefetchers
// may send it prefetches).
func (m *Machine) buildLevels(r *config.Reader, ls []config.Level, depth0 int, core *Core, cores int, above []*cache.Cache) (hierarchy, error) {
	c := m.Config
	straddle := cache.Straddle(cache.Lookup(cache.StraddleNames, r.Str("access.straddle")))
	seed := r.Count("seed")
	var h hierarchy
	for i, l := range ls {
		var here []*cache.Cache
		for _, name := range []string{l.Name, l.Split} {
			if name == "" {
				continue
			}
			cfg := levelConfig(r, name, straddle, seed)
			cfg.Prefetch.Marks = prefetchesBelow(above)
			if depth0+i == 0 && l.Split != "" && name == l.Name {
				cfg.Prefetch.Where = prefetch.Instruction
			}
			owner, place := sim.Shared, name
			if core != nil {
				owner, place = core.ID, core.Place(name)
			}
			cfg.Name = place
			lc, err := cache.New(cfg, m.addLevel(place, depth0+i, owner))
			if err != nil {
				return h, c.Blame(trimName(err, place), levelKeyNames(name, "size", "ways", "line", "mshrs", "replacement", "prefetcher", "inclusion")...)
			}
			if core == nil && cores > 1 {
				lc.CountByCore(cores)
			}
			lc.Register(&m.Stats)
			here = append(here, lc)
		}
		for _, u := range h.bottom {
			if err := cache.Connect(u, here[0]); err != nil {
				return h, c.Blame(trimName(err, here[0].Config().Name), l.Name+".line", configName(u)+".line", l.Name+".inclusion")
			}
		}
		if i == 0 {
			h.top = here
		}
		h.all = append(h.all, here...)
		h.bottom, above = here, here
		m.Caches = append(m.Caches, here...)
	}
	return h, nil
}

// firstShared is the depth of the first shared level (len(ls) if none is
// shared): the levels above it are each core's own, the rest are shared.
// A split level's sides must agree, and no private level may lie below a
// shared one, whose misses it would have to tell apart by core.
func firstShared(r *config.Reader, ls []config.Level) (int, error) {
	split := len(ls)
	for d, l := range ls {
		shared := r.Str(l.Name+".sharing") == "shared"
		if l.Split != "" && shared != (r.Str(l.Split+".sharing") == "shared") {
			return 0, r.Config.Blame(fmt.Sprintf("the two sides of a split level are shared alike (%s and %s)", l.Name, l.Split),
				l.Name+".sharing", l.Split+".sharing")
		}
		switch {
		case shared && split == len(ls):
			split = d
		case !shared && split < len(ls):
			return 0, r.Config.Blame(fmt.Sprintf("%s is private below %s, which is shared: a core's own levels come first",
				l.Name, ls[split].Name), l.Name+".sharing", ls[split].Name+".sharing")
		}
	}
	return split, nil
}

// share connects each core's last private levels (bottoms[i], both sides
// of a split level) to the first shared level, where the private
// hierarchies meet, and, with two cores or more and coherence.model: mesi,
// keeps a MESI directory there (cache.Share): anything that presents
// requests to that level from then on goes through the directory
// (m.portOf). It is the one place the hierarchies are joined.
func (m *Machine) share(r *config.Reader, bottoms [][]*cache.Cache, shared *cache.Cache) error {
	for _, b := range bottoms {
		for _, u := range b {
			if err := cache.Connect(u, shared); err != nil {
				lower := configName(shared)
				return m.Config.Blame(trimName(err, shared.Config().Name), lower+".line", configName(u)+".line", lower+".inclusion")
			}
		}
	}
	m.shared = shared
	if len(m.Cores) < 2 || r.Str("coherence.model") != "mesi" {
		return nil
	}
	var privates [][]*cache.Cache
	for _, core := range m.Cores {
		privates = append(privates, core.Caches)
	}
	d, err := cache.Share(shared, privates, cache.Coherence{
		Lookup:     sim.Cycle(r.Count("coherence.lookup_cycles")),
		Transfer:   sim.Cycle(r.Count("coherence.transfer_cycles")),
		Invalidate: sim.Cycle(r.Count("coherence.invalidate_cycles")),
		Serial:     r.Bool("coherence.serial"),
	})
	if err != nil {
		var keys []string
		for _, n := range m.Config.LevelNames() {
			keys = append(keys, n+".write_policy", n+".write_allocate", n+".line", n+".inclusion")
		}
		return m.Config.Blame(err.Error()+" (or set coherence.model: none)", append(keys, "coherence.model", "cores")...)
	}
	d.Register(&m.Stats, "coherence")
	m.Directory = d
	return nil
}

// configName is the name the levels key gives a cache (l1d for core1.l1d).
func configName(c *cache.Cache) string {
	name := c.Config().Name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// addLevel names the next level of the hierarchy, of core (sim.Shared for
// shared levels and main memory): levels are numbered in the order they
// are built, top first, so a deeper one has a larger number.
func (m *Machine) addLevel(name string, depth, core int) sim.Level {
	l := sim.Level{ID: uint16(len(m.Levels)), Depth: uint8(depth)}
	m.Levels = append(m.Levels, sim.LevelInfo{Name: name, Core: core, Level: l})
	return l
}

// levelConfig reads the keys of the cache level called name.
func levelConfig(r *config.Reader, name string, straddle cache.Straddle, seed uint64) cache.Config {
	p := name + "."
	return cache.Config{
		Name:          name,
		Size:          r.Bytes(p + "size"),
		Ways:          int(r.Count(p + "ways")),
		LineSize:      int(r.Bytes(p + "line")),
		Latency:       sim.Cycle(r.Count(p + "latency")),
		MSHRs:         int(r.Count(p + "mshrs")),
		Replacement:   r.Str(p + "replacement"),
		Write:         cache.WritePolicy(cache.Lookup(cache.WriteNames, r.Str(p+"write_policy"))),
		WriteAllocate: r.Bool(p + "write_allocate"),
		Inclusion:     cache.Inclusion(cache.Lookup(cache.InclusionNames, r.Str(p+"inclusion"))),
		Straddle:      straddle,
		Seed:          seed,
		Prefetch: cache.PrefetchConfig{
			Name:      r.Str(p + "prefetcher"),
			Degree:    int(r.Count(p + "prefetch_degree")),
			Distance:  int(r.Count(p + "prefetch_distance")),
			Below:     r.Str(p+"prefetch_fill") == "below",
			Walk:      r.Bool(p + "prefetch_walk"),
			Throttle:  r.Bool(p + "prefetch_throttle"),
			PageShift: pageShift(r),
		},
		Bandwidth: cache.Bandwidth{
			ReadPorts: int(r.Count(p + "read_ports")), WritePorts: int(r.Count(p + "write_ports")),
			Fills: int(r.Count(p + "fills")), RQ: int(r.Count(p + "rq")), WQ: int(r.Count(p + "wq")), PQ: int(r.Count(p + "pq")),
		},
	}
}

// prefetchesBelow reports whether a level of above has a prefetcher, which
// may send prefetches into the level below it.
func prefetchesBelow(above []*cache.Cache) bool {
	for _, u := range above {
		if u.Prefetcher() != nil {
			return true
		}
	}
	return false
}

// pageShift is log2 of the page a physical prefetch stays in: the base
// page under translation, else 4 KiB.
func pageShift(r *config.Reader) uint {
	page := uint64(4096)
	if r.Bool("mmu.enabled") {
		page = r.Bytes("mmu.page")
	}
	return pageShiftOf(page)
}

// pageShiftOf is log2 of a page of the given bytes, rounded up (the
// schema keeps mmu.page a power of two).
func pageShiftOf(page uint64) uint {
	if page <= 1 {
		return 0
	}
	return uint(bits.Len64(page - 1))
}

// trimName drops the "name: " a cache error starts with, since the config
// error names the key already.
func trimName(err error, name string) string {
	s := err.Error()
	if len(s) > len(name)+2 && s[:len(name)+2] == name+": " {
		return s[len(name)+2:]
	}
	return s
}

// levelKeyNames are the names of some of a level's keys.
func levelKeyNames(level string, keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = level + "." + k
	}
	return out
}
