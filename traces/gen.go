package traces

import (
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/sim"
)

// GenParams size a synthetic workload (see Generate). Zero fields take the
// defaults below.
type GenParams struct {
	Size   uint64 // working set in bytes (stream, stride, random, chase); 64 MiB
	Count  uint64 // memory references; 1M for stream, stride, random, chase, the whole product for matmul and transpose
	Stride uint64 // bytes from one reference to the next (stride); 64
	N      int    // matrix dimension (matmul, transpose); 64
	Seed   uint64 // random, chase; 1
	ALU    int    // non-memory instructions after each memory instruction; 0
	Base   uint64 // address of the working set; 0x10000000
}

// Defaults of GenParams.
const (
	GenDefaultSize   = 64 << 20
	GenDefaultCount  = 1 << 20
	GenDefaultStride = 64
	GenDefaultN      = 64
	GenDefaultSeed   = 1
	GenDefaultBase   = 0x10000000
	genCodeBase      = 0x400000 // ip of the first instruction
	genInstrSize     = 4
	genDataSize      = 8
	genMaxChaseNodes = 1 << 28

	// GenMaxRecords bounds the records (fetches and data references) of
	// one generated trace: 2^32, four times a billion-instruction
	// simulation point (what SimPoint picks from SPEC), 40 seconds of
	// generating and 80 GB of lackey text. Without a bound, --alu
	// 1000000000 asks for 10^15 records.
	GenMaxRecords = 1 << 32
	// GenMaxALU bounds GenParams.ALU: a thousand filler instructions after
	// each memory instruction is already a trace that barely touches memory.
	GenMaxALU = 1000
)

// Registers of the generated instructions. They avoid the numbers
// ChampSim's reader gives a meaning (6 stack pointer, 25 flags, 26
// instruction pointer), so a generated trace written as ChampSim runs the
// same there.
const (
	regBase  = 7  // base address: read, never written
	regChase = 1  // the pointer a chase follows: mov r1, [r1]
	regALU   = 8  // 8-15: destinations of the filler instructions
	regLoad  = 16 // 16-23: destinations of independent loads
	regXmm0  = 32 // matmul's product
	regXmm1  = 33 // matmul's sum
)

// genKinds describes the generators, in the order GenKinds lists them.
var genKinds = []struct{ name, doc string }{
	{"stream", "loads of consecutive 8-byte words over the working set, wrapping around"},
	{"stride", "loads --stride bytes apart over the working set, wrapping around"},
	{"random", "independent loads of 8-byte words chosen uniformly over the working set"},
	{"chase", "a pointer chase: each load's address is the previous load's result; the nodes, one per 64-byte line of the working set, form one random cycle"},
	{"matmul", "naive ijk multiply of N x N doubles: C[i][j] = sum over k of A[i][k]*B[k][j]"},
	{"transpose", "naive transpose of N x N doubles: B[j][i] = A[i][j]"},
}

// GenKinds returns the names of the generators and what each makes.
func GenKinds() (names, docs []string) {
	for _, k := range genKinds {
		names = append(names, k.name)
		docs = append(docs, k.doc)
	}
	return names, docs
}

// Generate returns a synthetic trace: a stream of instructions, each a
// 4-byte fetch from a small loop of code at 0x400000 with its registers
// (Instr.HasRegs), and 8-byte loads and stores. The same kind and params
// give the same trace. The Reader is also a RefReader, and Instructions
// gives its instructions with their registers.
//
// Memory instructions read the base register and write a register of their
// own, so independent loads can all be in flight at once; a pointer chase
// reads and writes one register, so each load waits for the previous one.
// Filler instructions (ALU) read the base register and write registers
// no memory instruction reads.
func Generate(kind string, p GenParams) (Reader, error) {
	g := &generator{kind: kind, p: p}
	if err := g.init(); err != nil {
		return nil, err
	}
	return newInstrStream(g), nil
}

type generator struct {
	kind  string
	p     GenParams
	rng   *sim.RNG
	refs  uint64 // memory references made
	limit uint64
	alu   int // filler instructions still to make after the last memory one
	nALU  uint64

	// pattern state
	i, j, k, phase int
	perm           []uint32
	node           uint32
	pos            uint64 // offset of the next stream or stride reference
	a, b, c        uint64 // matrix bases
	span           uint64 // bytes from Base that the pattern may touch
}

func (g *generator) init() error {
	p := &g.p
	if p.Size == 0 {
		p.Size = GenDefaultSize
	}
	if p.Stride == 0 {
		p.Stride = GenDefaultStride
	}
	if p.N == 0 {
		p.N = GenDefaultN
	}
	if p.Seed == 0 {
		p.Seed = GenDefaultSeed
	}
	if p.Base == 0 {
		p.Base = GenDefaultBase
	}
	if p.ALU < 0 || p.N < 0 {
		return fmt.Errorf("gen: negative --alu or --n")
	}
	if p.ALU > GenMaxALU {
		return fmt.Errorf("gen: --alu %d: at most %d filler instructions after each memory instruction", p.ALU, GenMaxALU)
	}
	if p.Base%64 != 0 {
		return fmt.Errorf("gen: base %#x is not 64-byte aligned", p.Base)
	}
	g.rng = sim.NewRNG(p.Seed)
	g.span = p.Size
	g.limit = p.Count
	defLimit := uint64(GenDefaultCount)
	switch g.kind {
	case "stream", "stride", "random":
		if p.Size%genDataSize != 0 || p.Size < genDataSize {
			return fmt.Errorf("gen %s: --size %d is not a positive multiple of %d", g.kind, p.Size, genDataSize)
		}
	case "chase":
		if p.Size%64 != 0 || p.Size < 128 {
			return fmt.Errorf("gen chase: --size %d is not a multiple of 64 of at least 128 (two nodes)", p.Size)
		}
		n := p.Size / 64
		if n > genMaxChaseNodes {
			return fmt.Errorf("gen chase: --size %d is more than %d nodes of 64 bytes", p.Size, genMaxChaseNodes)
		}
		g.perm = cyclicPermutation(g.rng, int(n))
	case "matmul", "transpose":
		if p.N < 1 || p.N > 1<<15 {
			return fmt.Errorf("gen %s: --n %d is not between 1 and 32768", g.kind, p.N)
		}
		n := uint64(p.N)
		span := (n*n*genDataSize + 4095) &^ 4095
		g.a, g.b, g.c = p.Base, p.Base+span, p.Base+2*span
		g.span = 3 * span // the places of three matrices (transpose uses two)
		if g.kind == "matmul" {
			defLimit = 2*n*n*n + n*n
		} else {
			defLimit = 2 * n * n
		}
		if g.limit == 0 || g.limit > defLimit {
			g.limit = defLimit
		}
	default:
		names, _ := GenKinds()
		return fmt.Errorf("gen: unknown kind %q; one of %s", g.kind, strings.Join(names, ", "))
	}
	if g.limit == 0 {
		g.limit = defLimit
	}
	return g.checkSpan()
}

// checkSpan refuses a trace larger than GenMaxRecords, or a working set
// that runs past the top of the address space (its addresses would wrap
// around to 0 without a word). A reference makes at most 3 + ALU records:
// its instruction's fetch and itself, the filler fetches after it, and
// at most one non-memory instruction of the pattern (matmul's addsd,
// one per two loads, and xorpd, one per store).
func (g *generator) checkSpan() error {
	hi, records := bits.Mul64(g.limit, 3+uint64(g.p.ALU))
	if hi != 0 || records > GenMaxRecords {
		return fmt.Errorf("gen %s: %d references with --alu %d make up to %s records; a generated trace holds at most %d (use a smaller --count or --alu)",
			g.kind, g.limit, g.p.ALU, bigProduct(hi, records), uint64(GenMaxRecords))
	}
	if _, carry := bits.Add64(g.p.Base, g.span-1, 0); carry != 0 {
		return fmt.Errorf("gen %s: a working set of %d bytes at --base %#x runs past the top of the 64-bit address space", g.kind, g.span, g.p.Base)
	}
	return nil
}

// bigProduct writes the 128-bit number hi:lo, in decimal when it fits 64
// bits.
func bigProduct(hi, lo uint64) string {
	if hi == 0 {
		return strconv.FormatUint(lo, 10)
	}
	return "more than 2^64"
}

// cyclicPermutation returns next[] such that following it from any node
// visits all n nodes once before coming back (Sattolo's algorithm).
func cyclicPermutation(rng *sim.RNG, n int) []uint32 {
	order := make([]uint32, n)
	for i := range order {
		order[i] = uint32(i)
	}
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i) // j < i: one cycle
		order[i], order[j] = order[j], order[i]
	}
	next := make([]uint32, n)
	for i := range n {
		next[order[i]] = order[(i+1)%n]
	}
	return next
}

func (g *generator) format() string   { return "gen:" + g.kind }
func (g *generator) carries() Carries { return CarriesRegs }
func (g *generator) close() error     { g.perm = nil; return nil }

func (g *generator) fill(ins []Instr) (int, error) {
	n := 0
	for n < len(ins) {
		in := &ins[n]
		if g.alu > 0 {
			// Filler: the instructions after the memory ones in the loop.
			k := uint64(g.p.ALU - g.alu)
			*in = Instr{IP: genCodeBase + 0x100 + k*genInstrSize, Size: genInstrSize, HasRegs: true,
				SrcRegs: [4]uint8{regBase}, DstRegs: [2]uint8{uint8(regALU + g.nALU%8)}}
			g.nALU++
			g.alu--
			n++
			continue
		}
		if g.refs >= g.limit {
			break
		}
		g.step(in)
		g.refs += uint64(in.NMem)
		if in.NMem > 0 {
			g.alu = g.p.ALU
		}
		n++
	}
	if n > 0 {
		return n, nil
	}
	return 0, io.EOF
}

func load(in *Instr, addr uint64) {
	in.Mem[0] = MemRef{Addr: addr, Size: genDataSize}
	in.NMem = 1
}

func store(in *Instr, addr uint64) {
	in.Mem[0] = MemRef{Addr: addr, Size: genDataSize, Store: true}
	in.NMem = 1
}

// step makes the next instruction of the pattern.
func (g *generator) step(in *Instr) {
	p := &g.p
	*in = Instr{Size: genInstrSize, HasRegs: true}
	dst := uint8(regLoad + g.refs%8)
	switch g.kind {
	case "stream", "stride":
		stride := uint64(genDataSize)
		if g.kind == "stride" {
			stride = p.Stride
		}
		in.IP = genCodeBase
		in.SrcRegs, in.DstRegs = [4]uint8{regBase}, [2]uint8{dst}
		load(in, p.Base+g.pos)
		// pos + stride, modulo the size, without a sum that could wrap.
		if step := stride % p.Size; g.pos >= p.Size-step {
			g.pos -= p.Size - step
		} else {
			g.pos += step
		}
	case "random":
		in.IP = genCodeBase
		in.SrcRegs, in.DstRegs = [4]uint8{regBase}, [2]uint8{dst}
		load(in, p.Base+uint64(g.rng.IntN(int(p.Size/genDataSize)))*genDataSize)
	case "chase":
		// mov r1, [r1]: the load reads the address the previous one loaded.
		in.IP = genCodeBase
		in.SrcRegs, in.DstRegs = [4]uint8{regChase}, [2]uint8{regChase}
		g.node = g.perm[g.node]
		load(in, p.Base+uint64(g.node)*64)
	case "matmul":
		g.matmul(in)
	case "transpose":
		n := p.N
		if g.phase == 0 { // mov rX, A[i][j]
			in.IP = genCodeBase
			in.SrcRegs, in.DstRegs = [4]uint8{regBase}, [2]uint8{dst}
			load(in, g.a+uint64(g.i*n+g.j)*genDataSize)
			g.phase = 1
			return
		}
		// mov B[j][i], rX: stores what the load just read
		in.IP = genCodeBase + genInstrSize
		in.SrcRegs = [4]uint8{regBase, uint8(regLoad + (g.refs-1)%8)}
		store(in, g.b+uint64(g.j*n+g.i)*genDataSize)
		g.phase = 0
		if g.j++; g.j == n {
			g.j = 0
			g.i = (g.i + 1) % n
		}
	}
}

// matmul makes, for each (i, j): for each k, "movsd xmm0, A[i][k]",
// "mulsd xmm0, B[k][j]", "addsd xmm1, xmm0"; then "movsd C[i][j], xmm1"
// and "xorpd xmm1, xmm1".
func (g *generator) matmul(in *Instr) {
	n := g.p.N
	ip := func(k int) uint64 { return genCodeBase + uint64(k)*genInstrSize }
	switch g.phase {
	case 0:
		in.IP = ip(0)
		in.SrcRegs, in.DstRegs = [4]uint8{regBase}, [2]uint8{regXmm0}
		load(in, g.a+uint64(g.i*n+g.k)*genDataSize)
	case 1:
		in.IP = ip(1)
		in.SrcRegs, in.DstRegs = [4]uint8{regXmm0, regBase}, [2]uint8{regXmm0}
		load(in, g.b+uint64(g.k*n+g.j)*genDataSize)
	case 2:
		in.IP = ip(2)
		in.SrcRegs, in.DstRegs = [4]uint8{regXmm1, regXmm0}, [2]uint8{regXmm1}
		if g.k++; g.k < n {
			g.phase = 0
			return
		}
		g.k = 0
	case 3:
		in.IP = ip(3)
		in.SrcRegs = [4]uint8{regXmm1, regBase}
		store(in, g.c+uint64(g.i*n+g.j)*genDataSize)
	case 4:
		in.IP = ip(4)
		in.DstRegs = [2]uint8{regXmm1}
		g.phase = 0
		if g.j++; g.j == n {
			g.j = 0
			g.i = (g.i + 1) % n
		}
		return
	}
	g.phase++
}
