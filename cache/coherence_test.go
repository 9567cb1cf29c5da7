package cache

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// multi is a hand-built many-core hierarchy: each core's private levels
// (top first; the data side's first level is cores[k][data]), a shared
// level with the directory, and a memory below it.
type multi struct {
	e     *sim.Engine
	llc   *Cache
	mem   sim.Port
	cores [][]*Cache
	data  int // index of the first data level in cores[k]
	dir   *Directory
}

// shape says what a hand-built hierarchy is made of. Sizes are in sets and
// ways of 64-byte lines; a zero L2 or L1I leaves the level out.
type shape2 struct {
	cores              int
	l1iSets, l1dSets   int
	l1Ways             int
	l2Sets, l2Ways     int
	llcSets, llcWays   int
	l2Inclusion        Inclusion
	mshrs              int
	async              bool // memory answers through the engine, as DRAM does
	coh                Coherence
	l1, l2, llc, memLt sim.Cycle
}

// handShape is the hierarchy the hand-worked sequences use: L1D 4 cycles,
// L2 10, LLC 30, memory 100; a directory lookup of 2, a transfer of 40, an
// invalidation's round trip of 20.
func handShape(cores int) shape2 {
	return shape2{
		cores: cores, l1dSets: 4, l1Ways: 2, l2Sets: 16, l2Ways: 4, llcSets: 64, llcWays: 8,
		mshrs: 8, coh: Coherence{Lookup: 2, Transfer: 40, Invalidate: 20},
		l1: 4, l2: 10, llc: 30, memLt: 100,
	}
}

func build(t *testing.T, s shape2) *multi {
	t.Helper()
	m := &multi{e: &sim.Engine{}}
	mk := func(name string, sets, ways int, lat sim.Cycle, depth uint8, mod func(*Config)) *Cache {
		c := level(t, name, sets, ways, func(cfg *Config) {
			cfg.Latency, cfg.MSHRs = lat, s.mshrs
			if mod != nil {
				mod(cfg)
			}
		})
		c.level = sim.Level{ID: uint16(depth), Depth: depth}
		return c
	}
	m.llc = mk("llc", s.llcSets, s.llcWays, s.llc, 2, func(cfg *Config) { cfg.Inclusion = Inclusive })
	if s.async {
		m.mem = &asyncMemory{e: m.e, latency: s.memLt}
	} else {
		m.mem = &Memory{Latency: s.memLt, Level: sim.Level{ID: 3, Depth: 3}}
	}
	must(t, Connect(m.llc, m.mem))
	for k := 0; k < s.cores; k++ {
		var levels, tops []*Cache
		if s.l1iSets > 0 {
			tops = append(tops, mk(fmt.Sprintf("c%d.l1i", k), s.l1iSets, s.l1Ways, s.l1, 0, nil))
		}
		m.data = len(tops)
		tops = append(tops, mk(fmt.Sprintf("c%d.l1d", k), s.l1dSets, s.l1Ways, s.l1, 0, nil))
		levels = append(levels, tops...)
		below := []*Cache{m.llc}
		if s.l2Sets > 0 {
			l2 := mk(fmt.Sprintf("c%d.l2", k), s.l2Sets, s.l2Ways, s.l2, 1, func(cfg *Config) { cfg.Inclusion = s.l2Inclusion })
			must(t, Connect(l2, m.llc))
			levels = append(levels, l2)
			below = []*Cache{l2}
		}
		for _, u := range tops {
			must(t, Connect(u, below[0]))
		}
		m.cores = append(m.cores, levels)
	}
	d, err := Share(m.llc, m.cores, s.coh)
	must(t, err)
	m.dir = d
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// state is core k's state for line ln over all its private levels: I if
// none holds it, else S, E or M (M if any copy is dirty).
func (m *multi) state(k int, ln uint64) MESI {
	st := MESIInvalid
	for _, l := range m.cores[k] {
		switch s := l.State(ln * line); {
		case s == MESIInvalid:
		case st == MESIInvalid || s > st:
			st = s
		}
	}
	return st
}

// states is every core's state for line ln, as "S I E".
func (m *multi) states(ln uint64) string {
	var out []string
	for k := range m.cores {
		out = append(out, m.state(k, ln).String())
	}
	return strings.Join(out, " ")
}

// counts is the directory's totals as a short string.
func (m *multi) counts() string {
	n := m.dir.n
	return fmt.Sprintf("inv=%d upg=%d xfer=%d wb=%d", n.Invalidations, n.Upgrades, n.Transfers, n.Writebacks)
}

// access presents one access of core k at cycle at and returns when it is
// done, running the engine for a memory that answers later.
func (m *multi) access(t *testing.T, k int, kind sim.Kind, addr uint64, at sim.Cycle) sim.Cycle {
	t.Helper()
	m.e.RunUntil(at)
	w := &waiter{at: map[uint64]sim.Cycle{}}
	top := m.cores[k][m.data]
	if kind == sim.Fetch {
		top = m.cores[k][0]
	}
	req := &sim.Request{Addr: addr, Size: 1, Kind: kind, Core: uint16(k), Done: w, ID: 1}
	if done, ok := top.Access(at, req); ok {
		return done
	}
	m.e.Run()
	return w.at[1]
}

// Each MESI transition of a two-core machine, by hand: L1D 4 cycles, L2
// 10, LLC 30 (a request reaches it 14 cycles after the core presents it,
// and an upgrade 44 cycles after, past the three lookups), memory 100;
// directory lookup 2, transfer 40, invalidation round trip 20.
func TestMESITransitions(t *testing.T) {
	const x, y = 1, 2
	steps := []struct {
		what   string
		core   int
		kind   sim.Kind
		ln     uint64
		at     sim.Cycle
		done   sim.Cycle
		states string // core 0, core 1
		counts string
	}{
		// A read miss with no other sharer: E. Memory's 100 outlasts the
		// lookup: 0+4+10+30+100.
		{"I->E on a read miss", 0, sim.Load, x, 0, 144, "E I", "inv=0 upg=0 xfer=0 wb=0"},
		// The directory forwards to the owner (it cannot tell E from M):
		// 200+14+30+2+40. Both Shared.
		{"E->S on another's read", 1, sim.Load, x, 200, 286, "S S", "inv=0 upg=0 xfer=1 wb=0"},
		// A store to a Shared line: an upgrade, invalidating core 1 and
		// waiting for its acknowledgment: 300+44+2+20.
		{"S->M by upgrade", 0, sim.Store, x, 300, 366, "M I", "inv=1 upg=1 xfer=1 wb=0"},
		// A read of a Modified line: a transfer, and the owner's data
		// written back to the LLC: 400+14+30+2+40.
		{"M->S on another's read", 1, sim.Load, x, 400, 486, "S S", "inv=1 upg=1 xfer=2 wb=1"},
		{"S->I by another's upgrade", 1, sim.Store, x, 500, 566, "I M", "inv=2 upg=2 xfer=2 wb=1"},
		// A store miss on a line Modified elsewhere: the owner's copy
		// comes over and is invalidated: 600+14+30+2+40.
		{"M->I on another's store miss", 0, sim.Store, x, 600, 686, "M I", "inv=3 upg=2 xfer=3 wb=1"},
		{"M stays M on a store hit", 0, sim.Store, x, 700, 704, "M I", "inv=3 upg=2 xfer=3 wb=1"},
		{"I->E on another line", 1, sim.Load, y, 800, 944, "I E", "inv=3 upg=2 xfer=3 wb=1"},
		// E->M is silent: no message, an L1D hit.
		{"E->M silently", 1, sim.Store, y, 1000, 1004, "I M", "inv=3 upg=2 xfer=3 wb=1"},
		{"M->S, written back", 0, sim.Load, y, 1100, 1186, "S S", "inv=3 upg=2 xfer=4 wb=2"},
		// A read hit changes nothing.
		{"S hit", 0, sim.Load, y, 1200, 1204, "S S", "inv=3 upg=2 xfer=4 wb=2"},
	}
	for _, async := range []bool{false, true} {
		s := handShape(2)
		s.async = async
		m := build(t, s)
		for _, st := range steps {
			done := m.access(t, st.core, st.kind, st.ln*line+8, st.at)
			got := []any{done, m.states(st.ln), m.counts()}
			if diff := cmp.Diff([]any{st.done, st.states, st.counts}, got); diff != "" {
				t.Errorf("async=%v, %s (-want +got):\n%s", async, st.what, diff)
			}
			if err := checkMESI(m); err != nil {
				t.Fatalf("async=%v, after %s: %v", async, st.what, err)
			}
		}
	}
}

// A write to a line three other cores share invalidates them all: fanned
// out it waits for one round trip, in series for three.
func TestInvalidationFanOut(t *testing.T) {
	for _, serial := range []bool{false, true} {
		s := handShape(4)
		s.coh.Serial = serial
		m := build(t, s)
		for k := 1; k < 4; k++ {
			m.access(t, k, sim.Load, line, sim.Cycle(k*1000))
		}
		if got := m.states(1); got != "I S S S" {
			t.Fatalf("serial=%v: states before the write %q, want I S S S", serial, got)
		}
		// A store miss: 5000+14+30+2, and the invalidations.
		done := m.access(t, 0, sim.Store, line, 5000)
		want := sim.Cycle(5046 + 20)
		if serial {
			want = 5046 + 3*20
		}
		if done != want || m.states(1) != "M I I I" || m.dir.n.Invalidations != 3 {
			t.Errorf("serial=%v: store done at %d, states %q, %d invalidations; want %d, M I I I, 3",
				serial, done, m.states(1), m.dir.n.Invalidations, want)
		}
	}
}

// A private eviction tells the directory (clean or dirty): the core leaves
// the sharers, so the next reader gets the line Exclusive with no transfer.
func TestPrivateEvictionLeavesSharers(t *testing.T) {
	s := handShape(2)
	s.l1dSets, s.l1Ways, s.l2Sets, s.l2Ways = 1, 2, 1, 2
	m := build(t, s)
	const x = 5
	now := m.access(t, 0, sim.Store, x*line, 0)
	if cores, owner := m.dir.Sharers(x * line); cores != 1 || owner != 0 {
		t.Fatalf("after core 0's store: sharers %b, owner %d; want 1, 0", cores, owner)
	}
	// Three more lines push x out of core 0's L1D and L2 (both 2-way
	// LRU; x's write-back from the L1D makes it the L2's most recent).
	for ln := uint64(6); ln <= 8; ln++ {
		now = m.access(t, 0, sim.Load, ln*line, now)
	}
	if cores, owner := m.dir.Sharers(x * line); cores != 0 || owner != -1 {
		t.Fatalf("after core 0 evicted the line: sharers %b, owner %d; want none", cores, owner)
	}
	if !m.llc.Holds(x*line) || m.llc.State(x*line) != MESIModified {
		t.Fatalf("the LLC should hold the line dirty (core 0's write-back), has %v", m.llc.State(x*line))
	}
	m.access(t, 1, sim.Load, x*line, now+100)
	if got := m.states(x); got != "I E" || m.dir.n.Transfers != 0 {
		t.Errorf("states %q, %d transfers; want I E, 0", got, m.dir.n.Transfers)
	}
}

// An LLC eviction of a line with sharers invalidates every private copy;
// a Modified one's data goes to memory with the line.
func TestSharedEvictionBackInvalidates(t *testing.T) {
	s := handShape(2)
	s.llcSets, s.llcWays = 1, 2
	m := build(t, s)
	mem := m.mem.(*Memory)
	now := m.access(t, 0, sim.Store, 1*line, 0) // M in core 0
	now = m.access(t, 1, sim.Load, 2*line, now) // E in core 1
	now = m.access(t, 1, sim.Load, 3*line, now) // the LLC evicts line 1 (LRU)
	got := []any{m.states(1), m.states(2), m.states(3), m.dir.evictions, m.dir.n.BackInvals, m.llc.n.BackInvals, mem.n.writes}
	want := []any{"I I", "I E", "I E", uint64(1), uint64(1), uint64(2), uint64(1)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states of lines 1-3, directory evictions, back-invalidations (directory, LLC), memory writes (-want +got):\n%s", diff)
	}
	must(t, checkMESI(m))
}

// Two cores storing to one line, against two cores storing to lines 64
// bytes apart: false sharing ping-pongs the line between them, an
// invalidation and a transfer a store, where padded lines hit in the L1D.
func TestFalseSharing(t *testing.T) {
	const stores = 1000
	run := func(gap uint64) (inv uint64, end sim.Cycle) {
		m := build(t, handShape(2))
		next := []sim.Cycle{0, 0}
		left := []int{stores, stores}
		for left[0]+left[1] > 0 {
			k := 0
			if left[0] == 0 || (left[1] > 0 && next[1] < next[0]) {
				k = 1
			}
			next[k] = m.access(t, k, sim.Store, 4096+uint64(k)*gap, next[k])
			left[k]--
		}
		return m.dir.n.Invalidations, max(next[0], next[1])
	}
	sharedInv, sharedEnd := run(8)
	paddedInv, paddedEnd := run(line)
	t.Logf("one line: %d invalidations, %d cycles; padded: %d, %d", sharedInv, sharedEnd, paddedInv, paddedEnd)
	if sharedInv < 10*max(paddedInv, 1) || sharedEnd < 10*paddedEnd {
		t.Errorf("one line: %d invalidations, %d cycles; padded: %d, %d; want at least 10x both",
			sharedInv, sharedEnd, paddedInv, paddedEnd)
	}
}

// With one core there is nothing to keep coherent: Share changes nothing.
func TestOneCoreIsNotCoherent(t *testing.T) {
	l1 := level(t, "l1d", 4, 2, nil)
	llc := level(t, "llc", 16, 4, nil)
	must(t, Connect(l1, llc))
	d, err := Share(llc, [][]*Cache{{l1}}, Coherence{Transfer: 40})
	if d != nil || err != nil || l1.coherent || llc.coherent {
		t.Errorf("Share with one core: %v, %v; levels coherent %v, %v", d, err, l1.coherent, llc.coherent)
	}
	var s sim.Stats
	d.Register(&s, "coherence")
	if len(s.Infos()) != 0 {
		t.Errorf("a nil directory registered %d counters", len(s.Infos()))
	}
}

// Levels coherence cannot keep are refused, naming the level.
func TestShareRefuses(t *testing.T) {
	tests := []struct {
		name string
		mod  func(l1, llc *Config)
		want string
	}{
		{"write-through private", func(l1, _ *Config) { l1.Write = WriteThrough }, "l1d: coherence needs write-back, write-allocate levels, not write-through"},
		{"no write-allocate", func(l1, _ *Config) { l1.WriteAllocate = false }, "l1d: coherence needs write-back, write-allocate levels, not write-back without write-allocate"},
		{"exclusive shared", func(_, llc *Config) { llc.Inclusion = Exclusive }, "llc: an exclusive level cannot keep the directory"},
		{"line sizes", func(l1, _ *Config) { l1.LineSize, l1.Size = 32, 4*2*32 }, "l1d: line size 32 B differs from llc's 64 B"},
	}
	for _, tc := range tests {
		l1cfg := Config{Name: "l1d", Size: 4 * 2 * line, Ways: 2, LineSize: line, Latency: 4, MSHRs: 2, WriteAllocate: true}
		llcCfg := Config{Name: "llc", Size: 16 * 4 * line, Ways: 4, LineSize: line, Latency: 30, MSHRs: 2, WriteAllocate: true}
		tc.mod(&l1cfg, &llcCfg)
		var cores [][]*Cache
		llc, err := New(llcCfg, sim.Level{})
		must(t, err)
		for k := 0; k < 2; k++ {
			l1, err := New(l1cfg, sim.Level{})
			must(t, err)
			l1.next = llc
			cores = append(cores, []*Cache{l1})
		}
		if _, err := Share(llc, cores, Coherence{}); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one starting %q", tc.name, err, tc.want)
		}
	}
}

// Every counter the directory keeps is registered, in total and by core.
func TestCoherenceCountersRegistered(t *testing.T) {
	m := build(t, handShape(3))
	var s sim.Stats
	m.dir.Register(&s, "coherence")
	for _, counters := range []any{&m.dir.n, &m.dir.byCore[2]} {
		if missed := s.Unregistered(counters); len(missed) > 0 {
			t.Errorf("counters not registered: %v", missed)
		}
	}
	for _, name := range []string{"coherence.invalidations", "coherence.directory_evictions", "coherence.core2.transfers"} {
		if _, ok := s.Get(name); !ok {
			t.Errorf("no counter %s", name)
		}
	}
}

// A store to a line whose fill waits for an MSHR reaches no directory (its
// request has not left); another core takes the line meanwhile. When the
// fill's request (a load's) arrives, the dirty copy asks for ownership:
// the other core is invalidated and the line comes from it.
func TestStoreWhileWaitingForMSHR(t *testing.T) {
	s := handShape(2)
	s.l2Sets, s.mshrs, s.async = 0, 1, true
	m := build(t, s)
	w := &waiter{at: map[uint64]sim.Cycle{}}
	present := func(k int, kind sim.Kind, ln uint64, at sim.Cycle, id uint64) {
		m.e.RunUntil(at)
		req := &sim.Request{Addr: ln * line, Size: 1, Kind: kind, Core: uint16(k), Done: w, ID: id}
		if done, ok := m.cores[k][0].Access(at, req); ok {
			w.at[id] = done
		}
	}
	const a, b = 1, 2
	present(0, sim.Load, a, 0, 0)  // to memory: 0+4+30+100
	present(0, sim.Load, b, 1, 1)  // waits for core 0's one MSHR
	present(0, sim.Store, b, 2, 2) // merges with it; the LLC has no line b yet
	present(1, sim.Load, b, 3, 3)  // core 1 gets b Exclusive
	if got := m.states(b); got != "S E" {
		t.Fatalf("before core 0's request leaves: states %q, want S E (core 0's copy in transit)", got)
	}
	m.e.Run()
	// Core 0's request leaves at 134 and reaches the LLC then (no L2):
	// 134+30, the lookup and a transfer from core 1 make 206, but b itself
	// is late: core 1's miss waited for the LLC's one MSHR too, and left
	// for memory at 134 (134+100).
	got := []any{m.states(b), w.at[1], w.at[2], m.dir.n.Invalidations, m.dir.n.Transfers}
	if diff := cmp.Diff([]any{"M I", sim.Cycle(234), sim.Cycle(234), uint64(1), uint64(1)}, got); diff != "" {
		t.Errorf("states, load and store done, invalidations, transfers (-want +got):\n%s", diff)
	}
	must(t, checkMESI(m))
}

// Requests presented to the directory that no core's levels keep (a page
// walk or the kernel's traffic starting at the shared level): a read has
// the owner forward its copy and keep it Shared, a write invalidates every
// copy.
func TestRequestsFromOutsideTheCores(t *testing.T) {
	m := build(t, handShape(2))
	const x = 3
	now := m.access(t, 0, sim.Store, x*line, 0)
	now = m.access(t, 1, sim.Load, 9*line, now)
	read := &sim.Request{Addr: x * line, Size: 8, Kind: sim.PTERead, Core: 1, Done: &waiter{at: map[uint64]sim.Cycle{}}}
	done, ok := m.dir.Access(1000, read)
	// 1000+30, the lookup and a transfer from core 0, whose data is
	// written back.
	if !ok || done != 1072 || m.states(x) != "S I" || m.dir.n.Writebacks != 1 || !m.llc.Holds(x*line) {
		t.Errorf("read: done %d (%v), states %q, %d write-backs; want 1072, S I, 1", done, ok, m.states(x), m.dir.n.Writebacks)
	}
	m.access(t, 1, sim.Load, x*line, 1100)
	posted := &sim.Request{Addr: x * line, Size: 64, Kind: sim.Store}
	m.dir.Access(1200, posted)
	if got := m.states(x); got != "I I" || m.dir.n.Invalidations != 2 {
		t.Errorf("posted write: states %q, %d invalidations; want I I, 2", got, m.dir.n.Invalidations)
	}
	if cores, owner := m.dir.Sharers(x * line); cores != 0 || owner != -1 {
		t.Errorf("posted write: sharers %b, owner %d; want none", cores, owner)
	}
	must(t, checkMESI(m))
}
