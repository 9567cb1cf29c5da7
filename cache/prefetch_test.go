package cache

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/prefetch"
	"github.com/vmemu/vmemu/sim"
)

// fills records what a prefetcher's Fill is told, and prefetches nothing.
type fills struct{ got []prefetch.Fill }

var filled *fills // the last record-fills built

func init() {
	prefetch.Register("record-fills", prefetch.Registration{
		New:   func(prefetch.Config) prefetch.Prefetcher { filled = &fills{}; return filled },
		Where: prefetch.Data,
		Doc:   "records its fills (a test's)",
	})
}

func (f *fills) Operate(*prefetch.Access, prefetch.Issuer) {}
func (f *fills) Fill(x *prefetch.Fill, _ prefetch.Issuer)  { f.got = append(f.got, *x) }

// load presents a load of line ln at cycle at and returns when it is done.
func load(t *testing.T, c *Cache, at sim.Cycle, ln uint64) sim.Cycle {
	t.Helper()
	done, ok := c.Access(at, &sim.Request{Addr: ln * line, Size: 8, Kind: sim.Load, IP: 0x40})
	if !ok {
		t.Fatalf("line %d: pending on a synchronous hierarchy", ln)
	}
	return done
}

func counts(c *Cache) pfCounts { return c.pf.n }

// A prefetch takes an MSHR only when one is free: with one MSHR, the
// demand miss holds it until its fill, and the prefetch is dropped.
func TestPrefetchNeedsAFreeMSHR(t *testing.T) {
	c := level(t, "l1d", 16, 2, func(c *Config) { c.MSHRs = 1; c.Prefetch = PrefetchConfig{Name: "adjacent"} })
	Connect(c, &Memory{Latency: 100})
	load(t, c, 0, 6)
	want := pfCounts{Requested: 1, Dropped: 1}
	want.DroppedBy[dropMSHR] = 1
	if diff := cmp.Diff(want, counts(c)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A prefetch into the level below: the L1's prefetcher sends line 7 into
// the L2 (10 cycles) as a prefetch access there, marked as the L1's. The
// demand for line 7 then misses the L1 and hits the L2: a use of the L1's
// prefetcher's line, though not a miss it removed from the L1 (whose own
// prefetch, of line 6, is redundant: the L1 has it).
func TestPrefetchBelow(t *testing.T) {
	l1 := level(t, "l1d", 16, 2, func(c *Config) { c.Prefetch = PrefetchConfig{Name: "adjacent", Below: true} })
	l2 := level(t, "l2", 64, 4, func(c *Config) { c.Latency = 10; c.Prefetch.Marks = true })
	Connect(l1, l2)
	Connect(l2, &Memory{Latency: 100})
	load(t, l1, 0, 6)
	if got := load(t, l1, 300, 7); got != 314 {
		t.Errorf("line 7 done at %d, want 314 (an L1 miss, an L2 hit)", got)
	}
	want := pfCounts{Requested: 2, Issued: 1, Below: 1, Redundant: 1, Useful: 1}
	if diff := cmp.Diff(want, counts(l1)); diff != "" {
		t.Errorf("l1's prefetcher (-want +got):\n%s", diff)
	}
	if l2.n.Misses[sim.Prefetch] != 1 || l2.n.Hits[sim.Load] != 1 {
		t.Errorf("l2 counted %+v", l2.n)
	}
}

// A physical prefetcher stays in the page of the access that triggered it:
// line 62's prefetch of 63 goes (and is used), but line 63 ends a 4 KiB
// page, and next-line's line 64 is in the next one.
func TestPrefetchStopsAtThePage(t *testing.T) {
	c := level(t, "l2", 64, 4, func(c *Config) { c.Prefetch = PrefetchConfig{Name: "next-line"} })
	Connect(c, &Memory{Latency: 100})
	load(t, c, 0, 62)
	load(t, c, 200, 63)
	want := pfCounts{Requested: 2, Issued: 1, Dropped: 1, Useful: 1, UsefulHere: 1}
	want.DroppedBy[dropPage] = 1
	if diff := cmp.Diff(want, counts(c)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The throttle: every prefetch of a run over even lines asks for an odd
// one, never used. The first epoch's 256 go through; with an accuracy of
// 0 the throttle lets one in two through in the next (512 asked for, 256
// sent), then one in four.
func TestPrefetchThrottle(t *testing.T) {
	c := level(t, "l2", 1024, 8, func(c *Config) { c.MSHRs = 64; c.Prefetch = PrefetchConfig{Name: "adjacent", Throttle: true} })
	Connect(c, &Memory{Latency: 100})
	now := sim.Cycle(0)
	for i := uint64(0); i < 768+4; i++ {
		now = load(t, c, now, 2*i)
	}
	n := counts(c)
	if n.Issued != 512+1 || n.DroppedBy[dropThrottle] != 256+3 || c.pf.throttle.step != 2 {
		t.Errorf("issued %d, throttled %d, step %d; want 513, 259, 2", n.Issued, n.DroppedBy[dropThrottle], c.pf.throttle.step)
	}
}

// Fill is told of each line a miss brings, when its arrival is known: where
// it went, what it evicted, whose it is, and when it was missed and
// arrives (its latency).
func TestPrefetcherFill(t *testing.T) {
	c := level(t, "l2", 2, 1, func(c *Config) { c.Prefetch = PrefetchConfig{Name: "record-fills"} })
	Connect(c, &Memory{Latency: 100})
	load(t, c, 0, 4)
	load(t, c, 200, 6)
	want := []prefetch.Fill{
		{Addr: 4 * line, Set: 0, Way: 0, IP: 0x40, Missed: 0, At: 104},
		{Addr: 6 * line, Set: 0, Way: 0, Evicts: true, Evicted: 4 * line, IP: 0x40, Missed: 200, At: 304},
	}
	if diff := cmp.Diff(want, filled.got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A line that leaves its way before its fill is timed is not told of;
// the line that takes the way is, with its own miss. One way, fills from
// a memory that times them later (at 104, and 114 for the miss at 10).
func TestPrefetcherFillOfAWayReused(t *testing.T) {
	tests := []struct {
		name string
		accs []access
		want []prefetch.Fill
	}{
		{"another line", []access{{0, 4, 8}, {10, 6, 8}},
			[]prefetch.Fill{{Addr: 6 * line, Evicts: true, Evicted: 4 * line, Missed: 10, At: 114}}},
		// Line 4 comes back while its first fill is on its way: it merges
		// with that fill, which tells of the new placement (what it
		// evicted, when it missed).
		{"the same line back", []access{{0, 4, 8}, {10, 6, 8}, {20, 4, 8}},
			[]prefetch.Fill{{Addr: 4 * line, Evicts: true, Evicted: 6 * line, Missed: 20, At: 104}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &sim.Engine{}
			c := level(t, "l2", 1, 1, func(c *Config) { c.Prefetch = PrefetchConfig{Name: "record-fills"} })
			Connect(c, &asyncMemory{e: e, latency: 100})
			issue(t, e, c, tc.accs)
			if diff := cmp.Diff(tc.want, filled.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// An exclusive level holds only what the levels above evict: it cannot
// have a prefetcher; nor can a level have one made for another side.
func TestPrefetcherConfigErrors(t *testing.T) {
	for _, cfg := range []PrefetchConfig{{Name: "nope"}, {Name: "fdip"}} {
		c := Config{Name: "l2", Size: 4096, Ways: 4, LineSize: 64, MSHRs: 4, Prefetch: cfg}
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	c := Config{Name: "l2", Size: 4096, Ways: 4, LineSize: 64, MSHRs: 4, Inclusion: Exclusive,
		Prefetch: PrefetchConfig{Name: "stream"}}
	if err := c.Validate(); err == nil {
		t.Error("a prefetcher at an exclusive level accepted")
	}
}

// Ports: two read ports take two lookups a cycle, the third waits a cycle;
// one write port, one store. A fill a cycle: two misses whose data both
// come at 104, the second a cycle later.
func TestBandwidth(t *testing.T) {
	c := level(t, "l1d", 16, 2, func(c *Config) { c.Bandwidth = Bandwidth{ReadPorts: 2, WritePorts: 1, Fills: 1} })
	Connect(c, &Memory{Latency: 100})
	var got []sim.Cycle
	got = append(got, load(t, c, 0, 1), load(t, c, 0, 2))
	d, _ := c.Access(0, &sim.Request{Addr: 3 * line, Size: 8, Kind: sim.Load})
	got = append(got, d)
	for _, ln := range []uint64{1, 2, 1} { // hits now (the lines are there, arriving)
		d, _ := c.Access(200, &sim.Request{Addr: ln * line, Size: 8, Kind: sim.Store})
		got = append(got, d)
	}
	want := []sim.Cycle{104, 105, 106, 204, 205, 206}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A prefetch into a level below whose prefetch queue is full is dropped.
// The L2 has one port and a prefetch queue of one. The demand miss of line
// 8 takes the port at 4; next-line's first prefetch, sent at 4 too, waits
// in the queue to be looked up at 5, and the other two find it full.
func TestPrefetchQueueFull(t *testing.T) {
	l1 := level(t, "l1d", 16, 2, func(c *Config) {
		c.Prefetch = PrefetchConfig{Name: "next-line", Degree: 3, Below: true}
	})
	l2 := level(t, "l2", 64, 4, func(c *Config) {
		c.MSHRs = 16
		c.Prefetch.Marks = true
		c.Bandwidth = Bandwidth{ReadPorts: 1, PQ: 1}
	})
	Connect(l1, l2)
	Connect(l2, &Memory{Latency: 100})
	load(t, l1, 0, 8)
	want := pfCounts{Requested: 3, Issued: 1, Below: 1, Dropped: 2}
	want.DroppedBy[dropQueue] = 2
	if diff := cmp.Diff(want, counts(l1)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// pageTable is a Translator over a map of page numbers, recording what it
// is asked.
type pageTable struct {
	shift uint
	pages map[uint64]uint64 // virtual page -> physical page
	asked []uint64
}

func (p *pageTable) TranslatePrefetch(now sim.Cycle, va uint64, _ sim.Kind, _ bool) (uint64, sim.Cycle, bool) {
	p.asked = append(p.asked, va)
	ppn, ok := p.pages[va>>p.shift]
	return ppn<<p.shift | va&(1<<p.shift-1), now, ok
}

// A virtual prefetcher stays on the trigger's physical page only within
// the configured page, not a fixed 4 KiB one: with 64-byte pages (the
// CS:APP small system's size class), next-line's prefetch of the line
// after virtual 0x40 is on another page and goes through the TLBs, to
// physical 0x5080, not to 0x1080 beside the trigger's physical line.
func TestVirtualPrefetchTranslatesPastASmallPage(t *testing.T) {
	c := level(t, "l1d", 16, 2, func(c *Config) { c.Prefetch = PrefetchConfig{Name: "next-line", PageShift: 6} })
	Connect(c, &Memory{Latency: 100})
	pt := &pageTable{shift: 6, pages: map[uint64]uint64{1: 0x41, 2: 0x142}}
	c.SetTranslator(pt)
	if _, ok := c.Access(0, &sim.Request{Addr: 0x1040, VA: 0x40, Size: 8, Kind: sim.Load, IP: 0x40}); !ok {
		t.Fatal("pending on a synchronous hierarchy")
	}
	if diff := cmp.Diff([]uint64{0x80}, pt.asked); diff != "" {
		t.Errorf("virtual addresses translated (-want +got):\n%s", diff)
	}
	if c.find(0x5080>>6) < 0 || c.find(0x1080>>6) >= 0 {
		t.Errorf("prefetched line: 0x5080 held %v, 0x1080 held %v; want the first only", c.find(0x5080>>6) >= 0, c.find(0x1080>>6) >= 0)
	}
}

// A coherent core's level reaches the shared level through the
// directory; a prefetch meant for the level below must still go there (a
// prefetch access at the LLC), not stay in the private level.
func TestPrefetchBelowThroughTheDirectory(t *testing.T) {
	llc := level(t, "llc", 64, 8, func(c *Config) { c.Latency = 30; c.Inclusion = Inclusive; c.Prefetch.Marks = true })
	must(t, Connect(llc, &Memory{Latency: 100}))
	var cores [][]*Cache
	for k := range 2 {
		l1 := level(t, fmt.Sprintf("c%d.l1d", k), 16, 2, func(c *Config) { c.Prefetch = PrefetchConfig{Name: "adjacent", Below: true} })
		must(t, Connect(l1, llc))
		cores = append(cores, []*Cache{l1})
	}
	llc.CountByCore(2)
	if _, err := Share(llc, cores, Coherence{Transfer: 40, Invalidate: 20}); err != nil {
		t.Fatal(err)
	}
	load(t, cores[0][0], 0, 6)
	if got := counts(cores[0][0]).Below; got != 1 {
		t.Errorf("prefetches sent below: %d, want 1", got)
	}
	if llc.n.Misses[sim.Prefetch] != 1 || cores[0][0].find(7) >= 0 {
		t.Errorf("llc prefetch misses %d, line 7 in the l1 %v; want 1 and false", llc.n.Misses[sim.Prefetch], cores[0][0].find(7) >= 0)
	}
	// Counted for core 0 too, so the cores' misses add up to the level's.
	if got := llc.byCore[0].Misses[coreSlot[sim.Prefetch]]; got != 1 {
		t.Errorf("llc.core0.prefetch.misses = %d, want 1", got)
	}
}
