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

// Machine is the cores and their memory system, assembled from a
// configuration.
type Machine struct {
	Config *config.Config
	Engine *sim.Engine
	Stats  sim.Stats
	// Caches are every level: each core's private ones, top first (a
	// split first level gives two), core 0's first, then the shared ones.
	Caches []*cache.Cache
	// Levels says what each level (sim.Level.ID) is: the caches in the
	// order of Caches, then main memory.
	Levels []sim.LevelInfo
	// Cores are what each core has to itself; Fetch, Data and MMU are
	// core 0's, the machine's on one core.
	Cores []*Core
	Fetch *cache.Cache // where instruction fetches go
	Data  *cache.Cache // where loads and stores go
	// Directory keeps the private levels of two cores or more coherent at
	// the first shared level (shared), nil without.
	Directory *cache.Directory
	shared    *cache.Cache
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
	modifyStore bool // a modify is a load then a store
	// ignoreFetches drops a trace's fetch records (access.fetch: ignore);
	// see Input.
	ignoreFetches bool
	ran           bool // a run has begun (see once)
}

// Build assembles the machine a configuration describes.
func Build(c *config.Config) (*Machine, error) {
	m := &Machine{Config: c, Engine: &sim.Engine{}}
	r := c.Reader()
	m.freqHz = r.Hertz("core.freq")
	m.modifyStore = r.Str("access.modify") == "load-store"
	m.ignoreFetches = r.Str("access.fetch") == "ignore"
	m.coreCfg = coreConfig(r)
	if err := checkBudget(r); err != nil {
		return nil, err
	}
	above, err := m.buildCaches(r)
	if err != nil {
		return nil, err
	}
	if err := m.buildMemory(r); err != nil {
		return nil, err
	}
	for _, u := range above {
		cache.Connect(u, m.Main)
	}
	if r.Err != nil {
		return nil, r.Err
	}
	if err := m.coreCfg.Validate(); err != nil {
		return nil, &config.Error{Where: c.Origin("core.model"), Key: "core", Msg: err.Error()}
	}
	if err := m.buildTranslation(r); err != nil {
		return nil, err
	}
	if err := m.loadState(r.Str("state"), c.Dir("state")); err != nil {
		return nil, err
	}
	return m, r.Err
}

// Release hands the machine's cache arrays back, for the next machine
// built with levels of the same shape (a sweep builds one a point). The
// machine must not be used after; its reports stay valid.
func (m *Machine) Release() {
	for _, c := range m.Caches {
		c.Release()
	}
}

func coreConfig(r *config.Reader) cpu.Config {
	model, _ := cpu.ParseModel(r.Str("core.model"))
	return cpu.Config{
		Model:        model,
		Width:        int(r.Count("core.width")),
		ROB:          int(r.Count("core.rob")),
		LQ:           int(r.Count("core.lq")),
		SQ:           int(r.Count("core.sq")),
		StoreBuffer:  int(r.Count("core.store_buffer")),
		FetchQueue:   int(r.Count("core.fetch_queue")),
		ExecLatency:  sim.Cycle(r.Count("core.exec_latency")),
		FetchOnTaken: r.Bool("core.fetch_on_taken"),
	}
}

// BuildFrom loads a preset or configuration file, applies key=value
// settings to it as --set does, and builds the machine.
func BuildFrom(spec string, sets ...string) (*Machine, error) {
	c, err := config.Load(spec)
	if err != nil {
		return nil, err
	}
	for _, s := range sets {
		if err := c.SetArg(s); err != nil {
			return nil, err
		}
	}
	return Build(c)
}
