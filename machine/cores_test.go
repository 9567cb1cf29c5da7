package machine

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/sim"

	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// runCopies runs n copies of the trace gen makes on a machine of n cores
// (the default preset with sets), each core replaying its copy from the
// start when it ends (ChampSim's rule), and returns the report.
func runCopies(t *testing.T, n int, gen func() traces.Reader, opt RunOptions, sets ...string) *report.Report {
	t.Helper()
	m := build(t, "default", append([]string{fmt.Sprintf("cores=%d", n)}, sets...)...)
	rs := make([]traces.Reader, n)
	for i := range rs {
		rs[i] = gen()
	}
	opt.Reopen = func(int) (traces.Reader, error) { return gen(), nil }
	rep, err := m.RunMany(rs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// generator makes the generated trace of kind with p, each call from its
// start.
func generator(t *testing.T, kind string, p traces.GenParams) func() traces.Reader {
	return func() traces.Reader {
		g, err := traces.Generate(kind, p)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
}

// Copies of a trace that fits a core's private caches do not meet once
// warm: each core's IPC is within 1% of the trace's alone. Random loads
// over 256 KiB (two other instructions after each) miss the L1D (48 KiB)
// and hit the L2 (2 MiB); the warmup (40,000 loads, about ten for each
// of the 4096 lines) leaves none of them cold. Measured: IPC 3.6852
// alone; on 2 cores 3.6831-3.6852, on 4 3.6792-3.6852 (0.16% off at most:
// the cores begin measuring at once, at different places in the trace).
func TestCoresPrivateCopies(t *testing.T) {
	gen := generator(t, "random", traces.GenParams{Size: 256 << 10, Count: 60000, ALU: 2})
	opt := RunOptions{Warmup: 120000, Measure: 45000}
	alone := runCopies(t, 1, gen, opt, freeFaults...)
	for _, n := range []int{2, 4} {
		r := runCopies(t, n, gen, opt, freeFaults...)
		for _, c := range r.Cores {
			off := c.IPC/alone.IPC - 1
			t.Logf("%d cores: core %d IPC %.4f, alone %.4f (%+.2f%%)", n, c.Core, c.IPC, alone.IPC, 100*off)
			if off > 0.01 || off < -0.01 {
				t.Errorf("%d cores: core %d's IPC %.4f is %+.2f%% off the trace's alone, %.4f", n, c.Core, c.IPC, 100*off, alone.IPC)
			}
		}
	}
}

// Copies of a DRAM-bound trace contend for the DRAM: each core's IPC falls
// as cores are added, and the bandwidth of the whole run (bytes the DRAM
// moved over the measured cycles) never passes what the DRAM alone
// sustains for random reads: emu dram's replay (dram.Replay), fed as fast
// as it accepts, on the machine's own DRAM configuration. The trace is
// random loads over 128 MiB with 2 MiB pages (so the TLBs hold them and
// the DRAM is what a core waits for). Measured, against 33.87 GB/s for
// the DRAM alone (DDR5-4800, two 32-bit channels):
//
//	cores  IPC per core     DRAM GB/s
//	1      0.0506           12.75 (38%)
//	2      0.0450-0.0454    22.63 (67%)
//	4      0.0329-0.0331    32.89 (97%)
//	8      0.0166-0.0169    33.56 (99%)
func TestCoresDRAMBound(t *testing.T) {
	gen := generator(t, "random", traces.GenParams{Size: 128 << 20, Count: 40000})
	opt := RunOptions{Warmup: 20000, Measure: 20000}
	sets := append([]string{"os.thp=always"}, freeFaults...)
	sat := randomReadBandwidth(t, sets...)
	prev := 0.0
	for _, n := range []int{1, 2, 4, 8} {
		r := runCopies(t, n, gen, opt, sets...)
		ipcs := []float64{r.IPC}
		if n > 1 {
			ipcs = ipcs[:0]
			for _, c := range r.Cores {
				ipcs = append(ipcs, c.IPC)
			}
		}
		lo, hi := slices.Min(ipcs), slices.Max(ipcs)
		t.Logf("%d cores: IPC %.4f-%.4f, DRAM %.2f GB/s (%.0f%% of the %.2f it sustains alone)", n, lo, hi,
			r.DRAM.BandwidthGBps, 100*r.DRAM.BandwidthGBps/sat, sat)
		if prev > 0 && hi >= prev {
			t.Errorf("%d cores: a core's IPC %.4f is not below every core's with fewer cores (%.4f)", n, hi, prev)
		}
		if r.DRAM.BandwidthGBps > sat {
			t.Errorf("%d cores: the DRAM moved %.2f GB/s, more than the %.2f GB/s it sustains for random reads", n, r.DRAM.BandwidthGBps, sat)
		}
		prev = lo
	}
}

// randomReadBandwidth is the bandwidth in GB/s the default machine's DRAM
// (with sets) sustains for reads of lines at random over its capacity,
// replayed as emu dram replays a trace.
func randomReadBandwidth(t *testing.T, sets ...string) float64 {
	t.Helper()
	dc, err := config.DRAMConfig(configFor(t, "default", sets...))
	if err != nil {
		t.Fatal(err)
	}
	rng := sim.NewRNG(5)
	lines := dc.Geometry.Capacity() / 64
	recs := make([]dram.Record, 40000)
	for i := range recs {
		recs[i] = dram.Record{Addr: rng.Uint64() % lines * 64}
	}
	res, err := dram.Replay(dc, dram.Records(recs))
	if err != nil {
		t.Fatal(err)
	}
	return res.BandwidthGBps
}

// increments is counter++ on the 8-byte word at addr, n times: a load, an
// add and a store. The core forwards nothing from a store to a later load
// (each load goes to the memory side), so the dependency counter++ has
// through memory is carried by a register: each load waits for the add
// before it, as a load forwarded from the previous store would.
func increments(addr uint64, n int) *instrs {
	out := &instrs{}
	for i := 0; i < n; i++ {
		ld := traces.Instr{IP: 0x400000, Size: 4, NMem: 1, HasRegs: true, SrcRegs: [4]uint8{1}, DstRegs: [2]uint8{1}}
		ld.Mem[0] = traces.MemRef{Addr: addr, Size: 8}
		add := traces.Instr{IP: 0x400004, Size: 4, HasRegs: true, SrcRegs: [4]uint8{1}, DstRegs: [2]uint8{1}}
		st := traces.Instr{IP: 0x400008, Size: 4, NMem: 1, HasRegs: true, SrcRegs: [4]uint8{1}}
		st.Mem[0] = traces.MemRef{Addr: addr, Size: 8, Store: true}
		out.ins = append(out.ins, ld, add, st)
	}
	return out
}

// False sharing, with physical addresses (no MMU, so both traces reach
// the same memory): two cores each incrementing its own counter, the
// counters 8 bytes apart in one line, take the line from each other at
// every increment; 64 bytes apart, in two lines, they never meet. The
// invalidations and the cycles differ by 10x or more. Measured: one line
// 19,331 invalidations (one a store) and 1,275,914 cycles (132 an
// increment: the L1D, L2 and LLC lookups and the transfer from the other
// core), two lines none and 57,998 cycles (6 an increment: an L1D hit and
// the add), 22x.
func TestCoresFalseSharing(t *testing.T) {
	const base = 0x1000000
	run := func(second uint64) *report.Report {
		m := build(t, "default", "cores=2", "mmu.enabled=false")
		rep, err := m.RunInstrs([]traces.InstrReader{increments(base, 10000), increments(second, 10000)}, RunOptions{Warmup: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	one, two := run(base+8), run(base+64)
	t.Logf("one line: %d invalidations, %d transfers, %d cycles; two lines: %d invalidations, %d transfers, %d cycles",
		one.Coherence.Invalidations, one.Coherence.Transfers, one.Cycles, two.Coherence.Invalidations, two.Coherence.Transfers, two.Cycles)
	if one.Coherence.Invalidations < 10*max(two.Coherence.Invalidations, 1) {
		t.Errorf("invalidations: %d on one line, %d on two: not 10x", one.Coherence.Invalidations, two.Coherence.Invalidations)
	}
	if one.Cycles < 10*two.Cycles {
		t.Errorf("cycles: %d on one line, %d on two: not 10x", one.Cycles, two.Cycles)
	}
}

// Without --max or --measure a core measures to the end of the pass of its
// trace it was in when measuring began, however many passes it had read
// ahead: two-instruction traces measure one or two instructions each,
// ending at a pass's end, not the passes their cores had read ahead
// (hundreds of instructions: 579 between the two before).
func TestCoresMeasureToTheEndOfThePass(t *testing.T) {
	recs := []traces.Record{{Addr: 0, Size: 8, Op: traces.Load}, {Addr: 64, Size: 8, Op: traces.Store}}
	m := build(t, "default", "cores=2")
	rs := []traces.Reader{&sliceReader{recs: recs}, &sliceReader{recs: recs}}
	rep, err := m.RunMany(rs, RunOptions{Warmup: 5, Reopen: func(int) (traces.Reader, error) { return &sliceReader{recs: recs}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Cores {
		if end := c.Warmup + c.Instructions; c.Instructions == 0 || c.Instructions > 2 || end%2 != 0 {
			t.Errorf("core %d measured %d instructions after %d: want 1 or 2, to the end of the pass", c.Core, c.Instructions, c.Warmup)
		}
	}
}

// A core whose trace cannot be read again (standard input) and ends
// inside its warmup stops there; the others, warm already, must still
// begin their measured part and end, and the run reports the core that
// measured nothing (it used to replay the others' traces for ever).
func TestCoresOneStopsWhileTheOthersWait(t *testing.T) {
	fast := []traces.Record{{Addr: 0, Size: 8, Op: traces.Load}}
	slow := make([]traces.Record, 500)
	for i := range slow {
		slow[i] = traces.Record{Addr: uint64(i) << 22, Size: 8, Op: traces.Load} // DRAM misses
	}
	m := build(t, "default", "cores=2")
	rs := []traces.Reader{&sliceReader{recs: fast}, &sliceReader{recs: slow}}
	opt := RunOptions{Warmup: 1000, Names: []string{"fast", "slow"}, Reopen: func(i int) (traces.Reader, error) {
		if i == 1 {
			return nil, nil // read once, as standard input is
		}
		return &sliceReader{recs: fast}, nil
	}}
	errc := make(chan error, 1)
	go func() { _, err := m.RunMany(rs, opt); errc <- err }()
	select {
	case err := <-errc:
		var we *WarmupError
		if !errors.As(err, &we) || we.Core != 1 || we.Trace != "slow" {
			t.Errorf("err = %v; want a WarmupError for core 1 (slow)", err)
		}
	case <-time.After(2 * time.Minute): // a hang guard, not a timing
		t.Fatal("the run did not end")
	}
}
