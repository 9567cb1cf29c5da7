package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// memoryBound is a synthetic stream: every other instruction a load at a
// random address of a 64 MiB set (misses, 200 cycles), the others ALU work
// on the loaded registers; fetched 4 bytes at a time, as lackey would.
func memoryBound(n int) []traces.Instr {
	rng := sim.NewRNG(42)
	out := make([]traces.Instr, n)
	for i := range out {
		in := traces.Instr{IP: 0x400000 + uint64(i%512)*4, Size: 4, HasRegs: true}
		r := uint8(1 + i%8)
		if i%2 == 0 {
			in.NMem = 1
			in.Mem[0] = traces.MemRef{Addr: farBase + rng.Uint64()%(64<<20)&^7, Size: 8}
			in.DstRegs[0] = r
		} else {
			in.SrcRegs[0], in.DstRegs[0] = r, 9
		}
		out[i] = in
	}
	return out
}

func benchRun(b *testing.B, cfg Config, async bool) {
	ins := memoryBound(200_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		eng := &sim.Engine{}
		mem := hitsAndMisses(b, eng, 200)
		mem.async, mem.mshrs = async, 16
		if _, err := replay(cfg, mem, []traces.InstrReader{reader(ins)}, 0, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(ins))/b.Elapsed().Seconds(), "instr/s")
}

func BenchmarkOOO(b *testing.B)          { benchRun(b, DefaultConfig(), false) }
func BenchmarkOOOAsync(b *testing.B)     { benchRun(b, DefaultConfig(), true) }
func BenchmarkInOrder(b *testing.B)      { benchRun(b, inOrderConfig(1), false) }
func BenchmarkInOrderAsync(b *testing.B) { benchRun(b, inOrderConfig(1), true) }
