package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/machine/config"
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
			lc, err := cache.New(cfg, depth)
			if err != nil {
				return nil, &config.Error{Where: c.Origin(name + ".size"), Key: name, Msg: trimName(err, name)}
			}
			lc.Register(&m.Stats)
			here = append(here, lc)
		}
		for _, u := range above {
			if err := cache.Connect(u, here[0]); err != nil {
				return nil, &config.Error{Where: c.Name, Key: here[0].Config().Name, Msg: trimName(err, here[0].Config().Name)}
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
	}
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
