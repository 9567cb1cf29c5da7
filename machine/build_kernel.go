package machine

import (
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
)

// buildKernel gives the machine physical memory's contents and a kernel
// with its first process; the disk and the MMU are added later.
func (m *Machine) buildKernel(r *config.Reader, geo mmu.Geometry) (*kernel.Kernel, *kernel.Process, error) {
	c := m.Config
	m.Phys = dram.NewPhysMem()
	k, err := kernel.New(kernelConfig(r, geo), m.Phys)
	if err != nil {
		// The kernel refuses memory too small for its pools, a window its
		// page size cannot make, huge pages the page table cannot map: the
		// key set last of those is the user's change.
		return nil, nil, c.Blame(err.Error(), "os.memory", "os.fault_around", "os.readahead", "os.thp",
			"os.hugetlb_2m", "os.hugetlb_1g", "mmu.paging", "mmu.page", "mmu.large_pages")
	}
	p, err := k.NewProcess()
	if err != nil {
		return nil, nil, &config.Error{Where: c.Origin("os.memory"), Key: "os.memory", Msg: err.Error()}
	}
	return k, p, nil
}

// kernelConfig reads the os keys.
func kernelConfig(r *config.Reader, geo mmu.Geometry) kernel.Config {
	thp, _ := kernel.ParseTHP(r.Str("os.thp")) // the schema checked it
	return kernel.Config{
		Geometry:     geo,
		MemoryBytes:  r.Bytes("os.memory"),
		RandomFrames: r.Str("os.frames") == "random",
		Seed:         r.Count("seed"),
		Costs: kernel.Costs{
			Fault:     sim.Cycle(r.Count("os.fault_cycles")),
			Zero:      sim.Cycle(r.Count("os.zero_cycles")),
			Copy:      sim.Cycle(r.Count("os.copy_cycles")),
			Syscall:   sim.Cycle(r.Count("os.syscall_cycles")),
			Switch:    sim.Cycle(r.Count("os.switch_cycles")),
			ForkBase:  sim.Cycle(r.Count("os.fork_cycles")),
			ForkEntry: sim.Cycle(r.Count("os.fork_entry_cycles")),
			Invlpg:    sim.Cycle(r.Count("os.invlpg_cycles")),
			Flush:     sim.Cycle(r.Count("os.flush_cycles")),
			PerByte:   sim.Cycle(r.Count("os.byte_cycles")),
			Clone:     sim.Cycle(r.Count("os.clone_cycles")),
			// With one core no shootdown ever interrupts another: the
			// costs are those of a machine of several.
			IPISend:    sim.Cycle(r.Count("os.ipi_send_cycles")),
			IPILatency: sim.Cycle(r.Count("os.ipi_latency_cycles")),
			IRQEntry:   sim.Cycle(r.Count("os.irq_entry_cycles")),
			IRQExit:    sim.Cycle(r.Count("os.irq_exit_cycles")),
		},
		PCID:           r.Bool("os.pcid"),
		ShootdownLimit: int(r.Count("os.shootdown_limit")),
		StopOnSegv:     r.Str("os.on_segv") == "stop",
		ZeroPage:       r.Bool("os.zero_page"),
		FaultAround:    r.Bytes("os.fault_around"),
		Readahead:      r.Bytes("os.readahead"),
		THP:            thp,
		HugeTLB2M:      r.Count("os.hugetlb_2m"),
		HugeTLB1G:      r.Count("os.hugetlb_1g"),
	}
}
