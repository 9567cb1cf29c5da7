package cache

// This file is the prefetcher docs/prefetchers.md walks through: Intel's
// "spatial prefetcher" (Optimization Reference Manual, "Hardware
// Prefetching"), which completes every 128-byte aligned pair of lines.
// It is registered here, by the test package, exactly as a prefetcher of
// package prefetch registers itself; the test after it runs it.

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/prefetch"
	"github.com/vmemu/vmemu/sim"
)

func init() {
	prefetch.Register("adjacent", prefetch.Registration{
		New:   func(c prefetch.Config) prefetch.Prefetcher { return &adjacent{line: 1 << c.LineShift} },
		Where: prefetch.Data,
		Doc:   "the other line of each 128-byte pair a miss touches (Intel's spatial prefetcher)",
	})
}

// adjacent keeps nothing but the line size.
type adjacent struct{ line uint64 }

// Operate asks, on every miss, for the line that completes the missed
// line's 128-byte pair: the one with the other value of the line
// address's lowest bit. The level drops it if it is there already.
func (p *adjacent) Operate(a *prefetch.Access, l prefetch.Issuer) {
	if !a.Hit {
		l.Prefetch((a.Addr&^(p.line-1))^p.line, true)
	}
}

// Fill needs nothing: the pair is known from the miss alone.
func (p *adjacent) Fill(*prefetch.Fill, prefetch.Issuer) {}

// The adjacent prefetcher on a level of 4 cycles over memory of 100. Line
// 6 misses at 0: its MSHR and the prefetch of line 7 both leave at 4, and
// both lines arrive at 104. Line 7, asked for at 200, is a hit (the
// prefetch's first use: useful, in time). Line 9 misses at 300, so line 8
// is prefetched; asked for at 302, line 8 is still on its way: a hit that
// waits for the fill (useful and late), done at 404. Lines 16, 32 and 48
// all go to set 0 of this 16-set, 2-way level, and the lines they bring
// along, 17, 33 and 49, to set 1, where the third pushes out the first,
// never used.
func TestAdjacentPrefetcher(t *testing.T) {
	c := level(t, "l1d", 16, 2, func(c *Config) { c.Prefetch = PrefetchConfig{Name: "adjacent"} })
	Connect(c, &Memory{Latency: 100})
	var s sim.Stats
	c.Register(&s)
	steps := []struct {
		at   sim.Cycle
		line uint64
		done sim.Cycle
	}{
		{0, 6, 104},   // a miss: 4 + 100; line 7 prefetched alongside
		{200, 7, 204}, // the prefetched line: a hit
		{300, 9, 404}, // a miss; line 8 prefetched
		{302, 8, 404}, // the prefetch still on its way: waits for it
		{500, 16, 604},
		{700, 32, 804}, // lines 16 and 32 fill set 0; 17 and 33 set 1
		{900, 48, 1004},
	}
	for _, st := range steps {
		done, _ := c.Access(st.at, &sim.Request{Addr: st.line * line, Size: 8, Kind: sim.Load})
		if done != st.done {
			t.Errorf("line %d at %d: done at %d, want %d", st.line, st.at, done, st.done)
		}
	}
	got := map[string]uint64{}
	for _, st := range s.Under("l1d.prefetch") {
		if st.Value != 0 {
			got[st.Name] = st.Value
		}
	}
	// Prefetched: 7, 8, 17, 33, 49 (5 issued). Used: 7 (in time), 8
	// (late). Set 1 holds 17 then 33 and, when 49 comes, has to evict the
	// older of them: 17, never used.
	want := map[string]uint64{"l1d.prefetch.requested": 5, "l1d.prefetch.issued": 5,
		"l1d.prefetch.useful": 2, "l1d.prefetch.useful_here": 2, "l1d.prefetch.late": 1, "l1d.prefetch.useless": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
	snap := s.Snapshot()
	acc, _ := snap.DerivedNamed("l1d.prefetch.accuracy")
	cov, _ := snap.DerivedNamed("l1d.prefetch.coverage")
	// 2 of 5 used; 2 misses removed of the 7 there would have been (5
	// demand misses left).
	if acc != 2.0/5 || cov != 2.0/7 {
		t.Errorf("accuracy %v, coverage %v; want 0.4, %v", acc, cov, 2.0/7)
	}
}
