package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
)

// Machine is a core's memory system assembled from a configuration.
type Machine struct {
	Config *config.Config
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
func Build(c *config.Config) (*Machine, error) {
	m := &Machine{Config: c, Engine: &sim.Engine{}}
	g := c.Reader()
	m.freqHz = g.Hertz("core.freq")
	m.modifyStore = g.Str("access.modify") == "load-store"
	m.coreCfg = coreConfig(g)
	straddle := cache.Straddle(cache.Lookup(cache.StraddleNames, g.Str("access.straddle")))
	seed := g.Count("seed")

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
	if g.Err != nil {
		return nil, g.Err
	}
	if err := m.coreCfg.Validate(); err != nil {
		return nil, &config.Error{Where: c.Origin("core.model"), Key: "core", Msg: err.Error()}
	}
	if err := m.buildTranslation(g); err != nil {
		return nil, err
	}
	if err := m.loadState(g.Str("state")); err != nil {
		return nil, err
	}
	return m, g.Err
}

// Release hands the machine's cache arrays back, for the next machine
// built with levels of the same shape (a sweep builds one a point). The
// machine must not be used after; its reports stay valid.
func (m *Machine) Release() {
	for _, c := range m.Caches {
		c.Release()
	}
}

func levelConfig(g *config.Reader, name string, straddle cache.Straddle, seed uint64) cache.Config {
	p := name + "."
	return cache.Config{
		Name:          name,
		Size:          g.Bytes(p + "size"),
		Ways:          int(g.Count(p + "ways")),
		LineSize:      int(g.Bytes(p + "line")),
		Latency:       sim.Cycle(g.Count(p + "latency")),
		MSHRs:         int(g.Count(p + "mshrs")),
		Replacement:   cache.Policy(cache.Lookup(cache.PolicyNames, g.Str(p+"replacement"))),
		Write:         cache.WritePolicy(cache.Lookup(cache.WriteNames, g.Str(p+"write_policy"))),
		WriteAllocate: g.Bool(p + "write_allocate"),
		Inclusion:     cache.Inclusion(cache.Lookup(cache.InclusionNames, g.Str(p+"inclusion"))),
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

// buildMemory makes main memory: a fixed latency or the DRAM controller.
func (m *Machine) buildMemory(g *config.Reader) error {
	depth := int8(len(m.Config.Levels()))
	if g.Str("memory.model") == "fixed" {
		m.Memory = &cache.Memory{Latency: sim.Cycle(g.Count("memory.latency")), Depth: depth}
		m.Memory.Register(&m.Stats, "memory")
		m.Main = m.Memory
		return nil
	}
	cfg, err := g.DRAM()
	if err != nil {
		return err
	}
	d, err := dram.New(m.Engine, cfg, m.freqHz, &m.Stats, "dram")
	if err != nil {
		return config.DRAMError(m.Config, err)
	}
	d.Depth = depth
	m.DRAM, m.Main = d, d
	return nil
}

func coreConfig(g *config.Reader) cpu.Config {
	model, _ := cpu.ParseModel(g.Str("core.model"))
	return cpu.Config{
		Model:       model,
		Width:       int(g.Count("core.width")),
		ROB:         int(g.Count("core.rob")),
		LQ:          int(g.Count("core.lq")),
		SQ:          int(g.Count("core.sq")),
		StoreBuffer: int(g.Count("core.store_buffer")),
		FetchQueue:  int(g.Count("core.fetch_queue")),
		ExecLatency: sim.Cycle(g.Count("core.exec_latency")),
	}
}
