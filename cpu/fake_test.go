package cpu

import (
	"cmp"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// region gives the accesses to [lo, hi) a fixed latency, supplied from depth.
type region struct {
	lo, hi    uint64
	lat       sim.Cycle
	depth     int
	tr, fault sim.Cycle // of lat, cycles translating and in the kernel
}

// fakeMem is a memory side with a fixed latency per address range. An
// async one completes every access through an engine event, like DRAM,
// with at most mshrs in service at once (the rest queue). It checks that
// accesses come in time order, never before the engine's present, and never
// from inside its own callback.
type fakeMem struct {
	t          testing.TB
	eng        *sim.Engine
	regions    []region
	def        region
	levels     []string
	async      bool
	mshrs      int
	stuck      bool // never complete anything that had to wait
	switchCost sim.Cycle
	switches   []int

	last       sim.Cycle
	inCallback bool
	log        []logged // every access, when logging
	logging    bool

	slots   []pendingAcc
	free    []uint64
	waiting []pendingAcc
	busy    int
}

type logged struct {
	kind         sim.Kind
	va           uint64
	issued, done sim.Cycle
}

type pendingAcc struct {
	a   *memside.Access
	lat sim.Cycle
	log int
}

var threeLevels = []string{"l1", "l2", "llc"}

func newFake(t testing.TB, eng *sim.Engine, def region, regions ...region) *fakeMem {
	return &fakeMem{t: t, eng: eng, def: def, regions: regions, levels: threeLevels}
}

func (m *fakeMem) Switch(now sim.Cycle, p int) sim.Cycle {
	m.check(now)
	m.switches = append(m.switches, p)
	return m.switchCost
}

func (m *fakeMem) check(now sim.Cycle) {
	if m.inCallback {
		m.t.Errorf("memory called from inside its own callback at %d", now)
	}
	if now < m.last {
		m.t.Errorf("access at %d after one at %d: out of time order", now, m.last)
	}
	if now < m.eng.Now() {
		m.t.Errorf("access at %d before the engine's present %d", now, m.eng.Now())
	}
	m.last = now
}

func (m *fakeMem) region(va uint64) region {
	for _, r := range m.regions {
		if va >= r.lo && va < r.hi {
			return r
		}
	}
	return m.def
}

func (m *fakeMem) Access(now sim.Cycle, a *memside.Access) (sim.Cycle, bool) {
	m.check(now)
	r := m.region(a.VA)
	a.Out = memside.Outcome{Served: sim.Level{Depth: uint8(r.depth)}, Translation: r.tr, FaultCycles: r.fault}
	li := -1
	if m.logging {
		li = len(m.log)
		m.log = append(m.log, logged{kind: a.Kind, va: a.VA, issued: now, done: now + r.lat})
	}
	if !m.async {
		return now + r.lat, true
	}
	if m.stuck {
		return 0, false
	}
	p := pendingAcc{a: a, lat: r.lat, log: li}
	if m.mshrs > 0 && m.busy >= m.mshrs {
		m.waiting = append(m.waiting, p)
		return 0, false
	}
	m.start(now, p)
	return 0, false
}

func (m *fakeMem) start(now sim.Cycle, p pendingAcc) {
	m.busy++
	var i uint64
	if n := len(m.free); n > 0 {
		i, m.free = m.free[n-1], m.free[:n-1]
		m.slots[i] = p
	} else {
		i = uint64(len(m.slots))
		m.slots = append(m.slots, p)
	}
	m.eng.Schedule(now+p.lat, m, i)
}

// Handle completes an access and starts the next one waiting.
func (m *fakeMem) Handle(now sim.Cycle, i uint64) {
	p := m.slots[i]
	m.free = append(m.free, i)
	m.busy--
	if p.log >= 0 {
		m.log[p.log].done = now
	}
	if len(m.waiting) > 0 {
		next := m.waiting[0]
		m.waiting = m.waiting[1:]
		m.start(now, next)
	}
	m.inCallback = true
	p.a.Done.AccessDone(p.a, now)
	m.inCallback = false
}

// maxOverlap is the most loads whose [issued, done) intervals overlap.
func (m *fakeMem) maxOverlap(kind sim.Kind) int {
	type ev struct {
		at    sim.Cycle
		delta int
	}
	var evs []ev
	for _, l := range m.log {
		if l.kind == kind && l.done > l.issued {
			evs = append(evs, ev{l.issued, 1}, ev{l.done, -1})
		}
	}
	// ends before starts at the same cycle
	slices.SortFunc(evs, func(a, b ev) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.delta, b.delta)) })
	best, cur := 0, 0
	for _, e := range evs {
		cur += e.delta
		best = max(best, cur)
	}
	return best
}

// sliceReader serves instructions from a slice, n at a time at most, and
// fails with err at failAt when err is set.
type sliceReader struct {
	ins    []traces.Instr
	pos    int
	batch  int
	failAt int
	err    error
}

func reader(ins []traces.Instr) *sliceReader { return &sliceReader{ins: ins, batch: 100} }

func (r *sliceReader) ReadInstrs(buf []traces.Instr) (int, error) {
	end := min(len(r.ins), r.pos+len(buf), r.pos+r.batch)
	if r.err != nil && end > r.failAt {
		end = r.failAt
		if end == r.pos {
			return 0, r.err
		}
	}
	if r.pos == len(r.ins) {
		return 0, io.EOF
	}
	n := copy(buf, r.ins[r.pos:end])
	r.pos += n
	return n, nil
}
func (r *sliceReader) Format() string { return "test" }
func (r *sliceReader) Close() error   { return nil }

var errBadLine = errors.New("trace.txt:17: bad field")

// Trace makers. Addresses below 1 MiB are "hits" in the tests' fake memory.
const farBase = 1 << 30

func load(addr uint64) traces.Instr {
	in := traces.Instr{NMem: 1}
	in.Mem[0] = traces.MemRef{Addr: addr, Size: 8}
	return in
}

func store(addr uint64) traces.Instr {
	in := traces.Instr{NMem: 1}
	in.Mem[0] = traces.MemRef{Addr: addr, Size: 8, Store: true}
	return in
}

// independent is n loads of distinct far lines with no register links.
func independent(n int) []traces.Instr {
	out := make([]traces.Instr, n)
	for i := range out {
		out[i] = load(farBase + uint64(i)*64)
		out[i].HasRegs = true
		out[i].DstRegs[0] = uint8(1 + i%16)
	}
	return out
}

// randomLoads is n independent loads at pseudo-random far addresses.
func randomLoads(n int, seed uint64) []traces.Instr {
	rng := sim.NewRNG(seed)
	out := make([]traces.Instr, n)
	for i := range out {
		out[i] = load(farBase + rng.Uint64()%(64<<20)&^7)
		out[i].HasRegs = true
		out[i].DstRegs[0] = uint8(1 + i%16)
	}
	return out
}

// chase is a pointer chase: each load's address register is the one the
// load before it wrote.
func chase(n int) []traces.Instr {
	out := make([]traces.Instr, n)
	for i := range out {
		out[i] = load(farBase + uint64(i*4099%n)*64)
		out[i].HasRegs = true
		out[i].SrcRegs[0], out[i].DstRegs[0] = 1, 1
	}
	return out
}

func alu(n int) []traces.Instr { return make([]traces.Instr, n) }

func storeRun(n int, base uint64) []traces.Instr {
	out := make([]traces.Instr, n)
	for i := range out {
		out[i] = store(base + uint64(i)*64)
	}
	return out
}

// lackey is a lackey-style trace: every instruction fetched (4 bytes, so
// 16 to a line), some with a load, a store or a modify.
func lackey(n int, seed uint64) []traces.Instr {
	rng := sim.NewRNG(seed)
	out := make([]traces.Instr, n)
	for i := range out {
		in := traces.Instr{IP: 0x400000 + uint64(i%3000)*4, Size: 4}
		addr := uint64(rng.IntN(1 << 12))
		if rng.IntN(8) == 0 {
			addr = farBase + rng.Uint64()%(1<<24)
		}
		switch rng.IntN(5) {
		case 0:
			in.NMem = 1
			in.Mem[0] = traces.MemRef{Addr: addr, Size: 8}
		case 1:
			in.NMem = 1
			in.Mem[0] = traces.MemRef{Addr: addr, Size: 4, Store: true}
		case 2:
			in.NMem = 2
			in.Mem[0] = traces.MemRef{Addr: addr, Size: 4}
			in.Mem[1] = traces.MemRef{Addr: addr, Size: 4, Store: true}
		}
		out[i] = in
	}
	return out
}

// mixed is a ChampSim-like trace: fetches, registers, loads that depend on
// earlier loads now and then, stores, ALU chains.
func mixed(n int, seed uint64) []traces.Instr {
	rng := sim.NewRNG(seed)
	out := make([]traces.Instr, n)
	for i := range out {
		in := traces.Instr{IP: 0x400000 + uint64(rng.IntN(1<<14)), Size: uint32(1 + rng.IntN(15)), HasRegs: true}
		in.SrcRegs[0] = uint8(1 + rng.IntN(12))
		in.SrcRegs[1] = uint8(rng.IntN(12))
		in.DstRegs[0] = uint8(1 + rng.IntN(12))
		addr := uint64(rng.IntN(1 << 16))
		if rng.IntN(6) == 0 {
			addr = farBase + rng.Uint64()%(1<<26)
		}
		switch rng.IntN(4) {
		case 0:
			in.NMem = 1
			in.Mem[0] = traces.MemRef{Addr: addr, Size: 8}
		case 1:
			in.NMem = 1
			in.Mem[0] = traces.MemRef{Addr: addr, Size: 8, Store: true}
		case 2:
			in.NMem = 3
			in.Mem[0] = traces.MemRef{Addr: addr, Size: 8}
			in.Mem[1] = traces.MemRef{Addr: addr + 4096, Size: 8}
			in.Mem[2] = traces.MemRef{Addr: addr, Size: 8, Store: true}
		}
		out[i] = in
	}
	return out
}
