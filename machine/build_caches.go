package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/prefetch"
	"github.com/vmemu/vmemu/sim"
)

// buildCaches makes the cache levels, top first, each connected to the one
// above it, and returns the last (both sides, if it is a split first level).
func (m *Machine) buildCaches(r *config.Reader) ([]*cache.Cache, error) {
	c := m.Config
	straddle := cache.Straddle(cache.Lookup(cache.StraddleNames, r.Str("access.straddle")))
	seed := r.Count("seed")

	var above []*cache.Cache
	for depth, l := range c.Levels() {
		var here []*cache.Cache
		for _, name := range []string{l.Name, l.Split} {
			if name == "" {
				continue
			}
			cfg := levelConfig(r, name, straddle, seed)
			cfg.Prefetch.Marks = prefetchesBelow(above)
			if depth == 0 && l.Split != "" && name == l.Name {
				cfg.Prefetch.Where = prefetch.Instruction
			}
			lc, err := cache.New(cfg, m.addLevel(name, depth, 0))
			if err != nil {
				return nil, c.Blame(trimName(err, name), levelKeyNames(name, "size", "ways", "line", "mshrs", "replacement", "prefetcher", "inclusion")...)
			}
			lc.Register(&m.Stats)
			here = append(here, lc)
		}
		for _, u := range above {
			if err := cache.Connect(u, here[0]); err != nil {
				lower, upper := here[0].Config().Name, u.Config().Name
				return nil, c.Blame(trimName(err, lower), lower+".line", upper+".line", lower+".inclusion")
			}
		}
		m.Caches = append(m.Caches, here...)
		above = here
	}
	m.Fetch, m.Data = m.Caches[0], m.Caches[0]
	if c.Levels()[0].Split != "" {
		m.Data = m.Caches[1]
	}
	return above, nil
}

// addLevel names the next level of the hierarchy, of core (sim.Shared for
// main memory): levels are numbered in the order they are built, top
// first, so a deeper one has a larger number.
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
	shift := uint(0)
	for 1<<shift < page {
		shift++
	}
	return shift
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
