package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
)

// Machine is a core's memory system assembled from a configuration.
type Machine struct {
	Config *Config
	Engine *sim.Engine
	Stats  sim.Stats
	Caches []*cache.Cache // top first; a split first level gives two
	Fetch  *cache.Cache   // where instruction fetches go
	Data   *cache.Cache   // where loads and stores go
	// Main memory: Memory (fixed latency) or DRAM; Main is whichever.
	Memory *cache.Memory
	DRAM   *dram.Controller
	Main   sim.Port

	// Translation, when mmu.enabled: physical memory's contents, the
	// kernel, the one process a trace runs as, and the MMU.
	Geometry mmu.Geometry
	Phys     *dram.PhysMem
	Kernel   *kernel.Kernel
	Process  *kernel.Process
	MMU      *mmu.MMU
	Disk     disk.Device // nil with disk.model: none

	freqHz      uint64
	coreCfg     cpu.Config
	checkKernel bool // tests: check the kernel's books after every scenario line
	modifyStore bool // a modify is a load then a store
}

// Build assembles the machine a configuration describes.
func Build(c *Config) (*Machine, error) {
	m := &Machine{Config: c, Engine: &sim.Engine{}}
	g := &getter{c: c}
	m.freqHz = g.hertz("core.freq")
	m.modifyStore = g.str("access.modify") == "load-store"
	m.coreCfg = coreConfig(g)
	straddle := cache.Straddle(cache.Lookup(cache.StraddleNames, g.str("access.straddle")))
	seed := g.count("seed")

	var above []*cache.Cache
	for depth, l := range c.Levels() {
		var here []*cache.Cache
		for _, name := range []string{l.Name, l.Split} {
			if name == "" {
				continue
			}
			cfg := levelConfig(g, name, straddle, seed)
			lc, err := cache.New(cfg, depth)
			if err != nil {
				return nil, &Error{Where: c.Origin(name + ".size"), Key: name, Msg: trimName(err, name)}
			}
			lc.Register(&m.Stats)
			here = append(here, lc)
		}
		for _, u := range above {
			if err := cache.Connect(u, here[0]); err != nil {
				return nil, &Error{Where: c.Name, Key: here[0].Config().Name, Msg: trimName(err, here[0].Config().Name)}
			}
		}
		m.Caches = append(m.Caches, here...)
		above = here
	}
	if err := m.buildMemory(g); err != nil {
		return nil, err
	}
	for _, u := range above {
		cache.Connect(u, m.Main)
	}
	m.Fetch, m.Data = m.Caches[0], m.Caches[0]
	if c.Levels()[0].Split != "" {
		m.Data = m.Caches[1]
	}
	if g.err != nil {
		return nil, g.err
	}
	if err := m.coreCfg.Validate(); err != nil {
		return nil, &Error{Where: c.Origin("core.model"), Key: "core", Msg: err.Error()}
	}
	if err := m.buildTranslation(g); err != nil {
		return nil, err
	}
	if err := m.loadState(g.str("state")); err != nil {
		return nil, err
	}
	return m, g.err
}

// Release hands the machine's cache arrays back, for the next machine
// built with levels of the same shape (a sweep builds one a point). The
// machine must not be used after; its reports stay valid.
func (m *Machine) Release() {
	for _, c := range m.Caches {
		c.Release()
	}
}

func levelConfig(g *getter, name string, straddle cache.Straddle, seed uint64) cache.Config {
	p := name + "."
	return cache.Config{
		Name:          name,
		Size:          g.bytes(p + "size"),
		Ways:          int(g.count(p + "ways")),
		LineSize:      int(g.bytes(p + "line")),
		Latency:       sim.Cycle(g.count(p + "latency")),
		MSHRs:         int(g.count(p + "mshrs")),
		Replacement:   cache.Policy(cache.Lookup(cache.PolicyNames, g.str(p+"replacement"))),
		Write:         cache.WritePolicy(cache.Lookup(cache.WriteNames, g.str(p+"write_policy"))),
		WriteAllocate: g.bool(p + "write_allocate"),
		Inclusion:     cache.Inclusion(cache.Lookup(cache.InclusionNames, g.str(p+"inclusion"))),
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

// getter reads checked values; the first failure is kept in err (values were
// validated when set, so one is a bug rather than bad input).
type getter struct {
	c   *Config
	err error
}

func (g *getter) note(key string, err error) {
	if err != nil && g.err == nil {
		g.err = &Error{Where: g.c.Origin(key), Key: key, Msg: err.Error()}
	}
}

func (g *getter) str(key string) string { return g.c.Get(key) }

func (g *getter) bytes(key string) uint64 {
	n, err := parseBytes(g.c.Get(key))
	g.note(key, err)
	return n
}

func (g *getter) count(key string) uint64 {
	n, err := parseCount(g.c.Get(key))
	g.note(key, err)
	return n
}

func (g *getter) hertz(key string) uint64 {
	n, err := parseHertz(g.c.Get(key))
	g.note(key, err)
	return n
}

func (g *getter) bool(key string) bool {
	b, err := parseBool(g.c.Get(key))
	g.note(key, err)
	return b
}

// buildMemory makes main memory: a fixed latency or the DRAM controller.
func (m *Machine) buildMemory(g *getter) error {
	depth := int8(len(m.Config.Levels()))
	if g.str("memory.model") == "fixed" {
		m.Memory = &cache.Memory{Latency: sim.Cycle(g.count("memory.latency")), Depth: depth}
		m.Memory.Register(&m.Stats, "memory")
		m.Main = m.Memory
		return nil
	}
	cfg, err := dramConfig(g)
	if err != nil {
		return err
	}
	d, err := dram.New(m.Engine, cfg, m.freqHz, &m.Stats, "dram")
	if err != nil {
		return dramError(m.Config, err)
	}
	d.Depth = depth
	m.DRAM, m.Main = d, d
	return nil
}

func coreConfig(g *getter) cpu.Config {
	model, _ := cpu.ParseModel(g.str("core.model"))
	return cpu.Config{
		Model:       model,
		Width:       int(g.count("core.width")),
		ROB:         int(g.count("core.rob")),
		LQ:          int(g.count("core.lq")),
		SQ:          int(g.count("core.sq")),
		StoreBuffer: int(g.count("core.store_buffer")),
		FetchQueue:  int(g.count("core.fetch_queue")),
		ExecLatency: sim.Cycle(g.count("core.exec_latency")),
	}
}
