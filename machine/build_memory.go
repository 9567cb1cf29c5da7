package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/sim"
)

// dramStats is the name the DRAM's counters go under.
const dramStats = "dram"

// buildMemory makes main memory: a fixed latency or the DRAM controller.
func (m *Machine) buildMemory(r *config.Reader) error {
	level := m.addLevel("memory", len(m.Config.Levels()), sim.Shared)
	if r.Str("memory.model") == "fixed" {
		m.Memory = &cache.Memory{Latency: sim.Cycle(r.Count("memory.latency")), Level: level}
		m.Memory.Register(&m.Stats, "memory")
		m.Main = m.Memory
		return nil
	}
	cfg, err := r.DRAM()
	if err != nil {
		return err
	}
	d, err := dram.New(m.Engine, cfg, m.freqHz, &m.Stats, dramStats)
	if err != nil {
		return config.DRAMError(m.Config, err)
	}
	d.Level = level
	m.DRAM, m.Main = d, d
	return nil
}
