package mmu

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// physMem is a sparse physical memory of 8-byte entries.
type physMem map[uint64]PTE

func (m physMem) ReadPTE(pa uint64) PTE     { return m[pa] }
func (m physMem) WritePTE(pa uint64, v PTE) { m[pa] = v }

// tables builds page tables by hand in physMem: frames are handed out in
// order from frame 1; the root is frame 1.
type tables struct {
	g    Geometry
	mem  physMem
	next uint64
}

func newTables(g Geometry) *tables {
	return &tables{g: g, mem: physMem{}, next: 2}
}

func (t *tables) root() uint64 { return 1 << t.g.PageShift }

// mapPage maps va to frame with flags, as a leaf at level (1 for a small
// page), creating tables on the way with every right granted.
func (t *tables) mapPage(va, frame uint64, level int, flags PTE) {
	table := t.root()
	for l := t.g.Levels; l > level; l-- {
		addr := table + t.g.Index(va, l)*8
		e := t.mem[addr]
		if e&Present == 0 {
			e = MakePTE(t.next, Present|Writable|User)
			t.next++
			t.mem[addr] = e
		}
		table = e.Frame(t.g.PABits, t.g.PageShift) << t.g.PageShift
	}
	if level > 1 {
		flags |= PageSize
	}
	t.mem[table+t.g.Index(va, level)*8] = MakePTE(frame, flags)
}

// fixedPort answers every access after a fixed latency, from depth 1.
type fixedPort struct {
	latency sim.Cycle
	reads   int
	writes  int
}

func (p *fixedPort) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	if req.Kind == sim.PTEWrite {
		p.writes++
	} else {
		p.reads++
	}
	req.Served = sim.Level{ID: 1, Depth: 1}
	return now + p.latency, true
}

func x86() Geometry { return Geometries["x86-64"] }

func walker(t *testing.T, tb *tables, port sim.Port, os FaultHandler) *Walker {
	t.Helper()
	w, err := NewWalker(WalkerConfig{Geometry: tb.g, Walks: 2, PWCEntries: []int{0, 0, 32, 4, 2}}, tb.mem, port, os)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWalkReads(t *testing.T) {
	type result struct {
		PA    uint64
		Shift uint
		Reads int
		Done  sim.Cycle
	}
	const rw = Present | Writable | User
	tb := newTables(x86())
	tb.mapPage(0x7f0000001000, 0x100, 1, rw)
	tb.mapPage(0x7f0000002000, 0x101, 1, rw) // same page table: PDE cache hit
	tb.mapPage(0x7f0000400000, 0x200, 2, rw) // a 2 MiB page (frame in 4 KiB units)
	tb.mapPage(0x000040000000, 0x40000, 3, rw)
	port := &fixedPort{latency: 10}
	w := walker(t, tb, port, nil)
	tests := []struct {
		name string
		va   uint64
		want result
	}{
		{"cold 4 KiB walk reads 4", 0x7f0000001234, result{0x100234, 12, 4, 40}},
		{"neighbour: PDE cache hit reads 1", 0x7f0000002008, result{0x101008, 12, 1, 10}},
		// The PDPTE cache knows the PD; the PDE is a 2 MiB leaf.
		{"2 MiB page in a known PD reads 1", 0x7f0000512345, result{0x200000 + 0x112345, 21, 1, 10}},
		// A fresh 1 GiB region: PML4E cached, PDPTE is the leaf.
		{"1 GiB page reads 1 after the PML4E cache", 0x0000400abcde, result{0x40000000 + 0xabcde, 30, 2, 20}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := port.reads
			q := &Query{VA: tc.va, Kind: sim.Load, User: true, Root: tb.root()}
			done, ok := w.Walk(100, q)
			if !ok || q.Faulted {
				t.Fatalf("walk did not finish: ok=%v fault=%v", ok, q.Fault)
			}
			got := result{q.PA, q.Shift, port.reads - before, done - 100}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWalk2MiBColdReadsThree(t *testing.T) {
	tb := newTables(x86())
	tb.mapPage(0x200000, 0x400, 2, Present|Writable|User)
	port := &fixedPort{latency: 3}
	w := walker(t, tb, port, nil)
	q := &Query{VA: 0x2abcde, Kind: sim.Load, Root: tb.root()}
	w.Walk(0, q)
	if port.reads != 3 || q.PA != 0x4abcde || q.Shift != 21 {
		t.Errorf("reads %d, PA %#x, shift %d; want 3, 0x4abcde, 21", port.reads, q.PA, q.Shift)
	}
}

func TestAccessedAndDirtyBits(t *testing.T) {
	tb := newTables(x86())
	va := uint64(0x601000)
	tb.mapPage(va, 0x55, 1, Present|Writable|User)
	port := &fixedPort{latency: 1}
	w := walker(t, tb, port, nil)
	var steps []Step
	w.Walk(0, &Query{VA: va, Kind: sim.Load, Root: tb.root(), Steps: &steps})
	for _, s := range steps {
		if got := tb.mem[s.EntryAddr]; got&Accessed == 0 || got&Dirty != 0 {
			t.Errorf("after a load, level %d entry %v: want A set, D clear", s.Level, got)
		}
	}
	leaf := steps[len(steps)-1].EntryAddr
	w.InvalidatePWC(0, true)
	w.Walk(10, &Query{VA: va, Kind: sim.Store, Root: tb.root()})
	if got := tb.mem[leaf]; got&Dirty == 0 {
		t.Errorf("after a store, leaf %v: want D set", got)
	}
	// 4 entries got A (one write each), then the leaf got D: 5 posted writes.
	if port.writes != 5 || w.n.ADWrites != 5 {
		t.Errorf("A/D writes: port saw %d, walker counted %d; want 5", port.writes, w.n.ADWrites)
	}
}

// mapOnFault is a fault handler that maps the missing page and retries.
type mapOnFault struct {
	tb     *tables
	faults []Fault
	cost   sim.Cycle
}

func (m *mapOnFault) PageFault(now sim.Cycle, f Fault) (sim.Cycle, bool) {
	m.faults = append(m.faults, f)
	if f.Cause != NotPresent {
		return now + m.cost, false
	}
	m.tb.mapPage(f.VA, 0x900+uint64(len(m.faults)), 1, Present|Writable|User)
	return now + m.cost, true
}

func TestFaults(t *testing.T) {
	const va = 0x403000
	tests := []struct {
		name    string
		flags   PTE // leaf flags; 0 = not mapped
		kind    sim.Kind
		user    bool
		cause   Cause
		faulted bool
	}{
		{"not present, mapped by the OS", 0, sim.Load, true, NotPresent, false},
		{"write to read-only", Present | User, sim.Store, true, WriteProtect, true},
		{"user to supervisor", Present | Writable, sim.Load, true, UserSupervisor, true},
		{"supervisor may read a supervisor page", Present | Writable, sim.Load, false, 0, false},
		{"execute NX", Present | User | NoExec, sim.Fetch, true, ExecuteNX, true},
		// With 46-bit physical addresses, bits 46 to 51 are reserved (SDM §4.5).
		{"reserved bit", Present | User | PTE(1)<<50, sim.Load, true, ReservedBit, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := x86()
			g.PABits = 46
			tb := newTables(g)
			tb.mapPage(va+0x1000, 0x10, 1, Present|User) // builds the tables
			if tc.flags != 0 {
				tb.mapPage(va, 0x20, 1, tc.flags)
			}
			os := &mapOnFault{tb: tb, cost: 1000}
			w := walker(t, tb, &fixedPort{latency: 1}, os)
			q := &Query{VA: va, Kind: tc.kind, User: tc.user, Root: tb.root()}
			w.Walk(0, q)
			if q.Faulted != tc.faulted {
				t.Fatalf("faulted = %v, want %v (faults %v)", q.Faulted, tc.faulted, os.faults)
			}
			wantFaults := 1
			if tc.name == "supervisor may read a supervisor page" {
				wantFaults = 0
			}
			if len(os.faults) != wantFaults {
				t.Fatalf("OS saw %d faults, want %d", len(os.faults), wantFaults)
			}
			if wantFaults == 1 && (os.faults[0].Cause != tc.cause || os.faults[0].VA != va || os.faults[0].Level != 1) {
				t.Errorf("fault = %+v, want cause %v at level 1", os.faults[0], tc.cause)
			}
		})
	}
}

func TestUnmendedFaultDoesNotHang(t *testing.T) {
	tb := newTables(x86())
	stubborn := FaultHandlerFunc(func(now sim.Cycle, f Fault) (sim.Cycle, bool) { return now + 1, true })
	w := walker(t, tb, &fixedPort{latency: 1}, stubborn)
	q := &Query{VA: 0x1000, Kind: sim.Load, Root: tb.root()}
	w.Walk(0, q)
	if !q.Faulted || q.Faults != maxFaults {
		t.Errorf("faulted %v after %d retries; want abandoned after %d", q.Faulted, q.Faults, maxFaults)
	}
}

func TestOutOfRange(t *testing.T) {
	tb := newTables(Geometries["csapp-small"])
	w := walker(t, tb, &fixedPort{latency: 1}, nil)
	q := &Query{VA: 1 << 14, Kind: sim.Load, Root: tb.root()}
	w.Walk(0, q)
	if !q.Faulted || q.Fault.Cause != OutOfRange {
		t.Errorf("fault %+v, want out of range", q.Fault)
	}
}

func TestPWCInvalidationByPCID(t *testing.T) {
	tb := newTables(x86())
	tb.mapPage(0x1000, 0x10, 1, Present|User)
	tb.mapPage(0x2000, 0x11, 1, Present|User)
	port := &fixedPort{latency: 1}
	w := walker(t, tb, port, nil)
	w.Walk(0, &Query{VA: 0x1000, Kind: sim.Load, PCID: 1, Root: tb.root()})
	w.Walk(0, &Query{VA: 0x1000, Kind: sim.Load, PCID: 2, Root: tb.root()})
	w.InvalidatePWC(1, false) // INVLPG under PCID 1
	reads := func(pcid uint16) int {
		before := port.reads
		w.Walk(0, &Query{VA: 0x2000, Kind: sim.Load, PCID: pcid, Root: tb.root()})
		return port.reads - before
	}
	if got := []int{reads(1), reads(2)}; !cmp.Equal(got, []int{4, 1}) {
		t.Errorf("reads after invalidating PCID 1's walk caches = %v, want [4 1]", got)
	}
}

// An access abandoned after a fault ends when the kernel is done with it.
func TestAbandonedWalkEndsAfterTheKernel(t *testing.T) {
	tb := newTables(x86())
	os := FaultHandlerFunc(func(now sim.Cycle, f Fault) (sim.Cycle, bool) { return now + 500, false })
	w := walker(t, tb, &fixedPort{latency: 1}, os)
	q := &Query{VA: 0x1000, Kind: sim.Load, Root: tb.root()}
	done, ok := w.Walk(100, q)
	if !ok || !q.Faulted || done != 100+1+500 || q.FaultCycles != 500 {
		t.Errorf("done %d ok %v faulted %v fault cycles %d; want 601 true true 500", done, ok, q.Faulted, q.FaultCycles)
	}
}
