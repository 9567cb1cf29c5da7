package machine

import (
	"io"
	"testing"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// instrs is an instruction stream held in memory.
type instrs struct {
	ins []traces.Instr
	off int
}

func (s *instrs) ReadInstrs(buf []traces.Instr) (int, error) {
	if s.off == len(s.ins) {
		return 0, io.EOF
	}
	n := copy(buf, s.ins[s.off:])
	s.off += n
	return n, nil
}
func (s *instrs) Format() string { return "generated" }
func (s *instrs) Close() error   { return nil }

// loads makes n loads over a working set of size bytes, one a line: a
// pointer chase (each load's address comes from the one before, register
// 1) or independent loads at random lines.
func warmPages(size uint64) uint64 { return size / 4096 }

func loads(n int, size uint64, chase bool) *instrs {
	rng := sim.NewRNG(11)
	lines := int(size / 64)
	perm := make([]int, lines) // a random cycle through every line
	for i := range perm {
		perm[i] = i
	}
	for i := lines - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	out := &instrs{}
	base := uint64(0x10000000)
	// First one load a page, so the pages are mapped before it counts
	// (callers warm up over them: warmPages(size)).
	for p := uint64(0); p < size; p += 4096 {
		in := traces.Instr{IP: 0x400000, Size: 4, NMem: 1, HasRegs: true}
		in.Mem[0] = traces.MemRef{Addr: base + p, Size: 8}
		out.ins = append(out.ins, in)
	}
	for i := 0; i < n; i++ {
		in := traces.Instr{IP: 0x400000 + uint64(i%16)*4, Size: 4, NMem: 1, HasRegs: true}
		line := perm[i%lines]
		if !chase {
			line = rng.IntN(lines)
		}
		in.Mem[0] = traces.MemRef{Addr: base + uint64(line)*64, Size: 8}
		in.DstRegs[0] = 1
		if chase {
			in.SrcRegs[0] = 1
		}
		out.ins = append(out.ins, in)
	}
	return out
}

// Issue 6's check: over 64 MiB, a pointer chase runs at about one load per
// DRAM latency; independent random loads overlap, with a 224-entry window
// at least four times faster, and the core then asks the DRAM for reads
// near the rate it sustains.
func TestPointerChaseAndOverlap(t *testing.T) {
	run := func(chase bool, sets ...string) *report.Report {
		cfg, _ := config.Load("default")
		for _, s := range append([]string{"core.rob=224", "core.lq=72", "core.sq=56"}, sets...) {
			if err := cfg.SetArg(s); err != nil {
				t.Fatal(err)
			}
		}
		m, err := Build(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Warm up over the page tables (64 MiB is 16384 pages of faults)
		// and the caches.
		rep, err := m.RunInstrs([]traces.InstrReader{loads(100000, 64<<20, chase)}, RunOptions{Warmup: warmPages(64<<20) + 20000})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	chase, random := run(true), run(false)
	lat := chase.DRAM.ReadLatencyMean * 4000 / 2400 // DRAM cycles at 2.4 GHz -> core cycles at 4 GHz
	t.Logf("pointer chase IPC %.5f (1/IPC %.0f cycles; DRAM read latency %.0f core cycles); random IPC %.5f, %.2f GB/s",
		chase.IPC, 1/chase.IPC, lat, random.IPC, random.DRAM.BandwidthGBps)
	if perLoad := 1 / chase.IPC; perLoad < lat || perLoad > 3*lat+400 {
		t.Errorf("pointer chase: %.0f cycles a load; want about the memory latency (DRAM alone %.0f)", perLoad, lat)
	}
	if random.IPC < 4*chase.IPC {
		t.Errorf("independent loads IPC %.5f is not 4x the chase's %.5f", random.IPC, chase.IPC)
	}
	// With misses enough in flight (wider queues and MSHRs, and page walks
	// that read through L2 rather than queue behind data misses for the
	// L1D's MSHRs), the core asks for reads near the DRAM's own saturated
	// random-read rate: the controller alone, fed as fast as it accepts.
	wide := run(false, "core.rob=512", "core.lq=192", "l1d.mshrs=64", "l2.mshrs=128", "llc.mshrs=256",
		"mmu.walk_from=l2", "mmu.walkers=16")
	part, _ := dram.Preset("ddr5-4800")
	rng := sim.NewRNG(3)
	var recs []dram.Record
	for i := 0; i < 30000; i++ {
		recs = append(recs, dram.Record{Addr: rng.Uint64() % (1 << 32) &^ 63})
	}
	sat, err := dram.Replay(part, dram.Records(recs))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wide machine: IPC %.4f, %.2f GB/s; the DRAM saturated with random reads: %.2f GB/s",
		wide.IPC, wide.DRAM.BandwidthGBps, sat.BandwidthGBps)
	if wide.DRAM.BandwidthGBps < 0.6*sat.BandwidthGBps {
		t.Errorf("the wide machine reaches %.2f GB/s, under 60%% of the DRAM's %.2f", wide.DRAM.BandwidthGBps, sat.BandwidthGBps)
	}
}

// BenchmarkOOORandom64MiB is issue 6's speed figure: the out-of-order core
// on the trace `emu trace gen random --count 2000000` makes, 2 million
// independent loads at random over 64 MiB (memory-bound: TLB misses, page
// walks, DRAM), in instructions per second. The generator streams the
// instructions as a trace file would; they are never all in memory.
func BenchmarkOOORandom64MiB(b *testing.B) {
	var instrs, cycles uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := build(b, "default")
		g, err := traces.Generate("random", traces.GenParams{Size: 64 << 20, Count: uint64(benchInstrs)})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := m.RunInstrs([]traces.InstrReader{traces.Instructions(g, false)}, RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		instrs += rep.Instructions
		cycles += rep.Cycles
	}
	// Simulated cycles a second too: a cycle-stepped simulator such as
	// ChampSim spends its time per cycle, so this says how the two compare
	// whatever the trace's CPI.
	b.ReportMetric(float64(instrs)/b.Elapsed().Seconds(), "instr/s")
	b.ReportMetric(float64(cycles)/b.Elapsed().Seconds(), "cycles/s")
	b.ReportMetric(float64(cycles)/float64(instrs), "CPI")
}

var benchInstrs = 2_000_000
