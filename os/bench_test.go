package os

import (
	"testing"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// BenchmarkFirstTouch is the kernel's demand-zero path, textbook
// configuration: one fault per op, each on a new page (memory is reused
// every 64 Mi pages' worth by starting a new kernel).
func BenchmarkFirstTouch(b *testing.B) {
	const pages = 1 << 16
	var k *Kernel
	for i := 0; b.Loop(); i++ {
		if i%pages == 0 {
			b.StopTimer()
			var err error
			k, err = New(Config{Geometry: mmu.Geometries["x86-64"], MemoryBytes: 1 << 30, Costs: Costs{Fault: 1000, Zero: 100}}, dram.NewPhysMem())
			if err != nil {
				b.Fatal(err)
			}
			p, _ := k.NewProcess()
			k.MapEverything(p)
			b.StartTimer()
		}
		if _, ok := k.PageFault(0, mmu.Fault{VA: 0x10000000 + uint64(i%pages)<<12, Kind: sim.Store, Cause: mmu.NotPresent}); !ok {
			b.Fatal("fault not mended")
		}
	}
}
