package disk

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// The benchmarks measure the emulator's speed: requests served per second
// of host time (not the emulated device's throughput).

func benchDevice(b *testing.B, name string, write, sequential bool) {
	d, err := NewPreset(name, 4_000_000_000)
	if err != nil {
		b.Fatal(err)
	}
	rng := sim.NewRNG(1)
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(i)
	}
	now := sim.Cycle(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		blk := rng.Uint64() % d.Blocks()
		if sequential {
			blk = uint64(i) % d.Blocks()
		}
		var done sim.Cycle
		if write {
			done, err = d.Write(now, blk, buf)
		} else {
			done, err = d.Read(now, blk, buf)
		}
		if err != nil {
			b.Fatal(err)
		}
		now = done
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(d.Counters().AvgLatencyCycles()/4e3, "emulated-us/req")
}

func BenchmarkHDDRandomRead(b *testing.B)     { benchDevice(b, "hdd-7200", false, false) }
func BenchmarkHDDSequentialRead(b *testing.B) { benchDevice(b, "hdd-7200", false, true) }
func BenchmarkHDDRandomWrite(b *testing.B)    { benchDevice(b, "hdd-7200", true, false) }
func BenchmarkSATARandomRead(b *testing.B)    { benchDevice(b, "ssd-sata", false, false) }
func BenchmarkNVMeRandomRead(b *testing.B)    { benchDevice(b, "ssd-nvme", false, false) }
func BenchmarkNVMeRandomWrite(b *testing.B)   { benchDevice(b, "ssd-nvme", true, false) }

func BenchmarkSwapPageOutIn(b *testing.B) {
	d, _ := NewPreset("ssd-nvme", 4_000_000_000)
	s, err := NewSwap(d, 0, d.Blocks(), 4096)
	if err != nil {
		b.Fatal(err)
	}
	page := make([]byte, 4096)
	now := sim.Cycle(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		slot, err := s.Alloc()
		if err != nil {
			b.Fatal(err)
		}
		now, _ = s.WritePage(now, slot, page)
		now, _ = s.ReadPage(now, slot, page)
		s.Free(slot)
	}
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "req/s")
}
