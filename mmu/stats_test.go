package mmu

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// Register covers every counter the MMU, the walker and its page-walk
// caches keep (with a TLB prefetcher, whose counters exist only then);
// reads are counted by the depth that served them, under the names the
// walker was given, a prefetch walk's apart.
func TestEveryCounterRegistered(t *testing.T) {
	tb := newTables(x86())
	tb.mapPage(0x400000, 0x100, 1, Present|Writable|User)
	w, err := NewWalker(WalkerConfig{Geometry: tb.g, Walks: 2, PWCEntries: []int{0, 0, 32, 4, 2},
		Depths: []string{"l1d", "l2", "memory"}}, tb.mem, &fixedPort{latency: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Config{Prefetch: PrefetchConfig{Name: "next-page", Buffer: 16}}, w)
	if err != nil {
		t.Fatal(err)
	}
	m.Root = tb.root()
	var s sim.Stats
	m.Register(&s)
	counters := []any{&m.n, &w.n, &m.pf.n}
	for _, c := range w.pwc {
		if c != nil {
			counters = append(counters, &c.n)
		}
	}
	for _, c := range counters {
		if missed := s.Unregistered(c); len(missed) > 0 {
			t.Errorf("counters not registered: %v", missed)
		}
	}
	m.Translate(0, &Translation{VA: 0x400000, Kind: sim.Load, User: true})
	got := map[string]uint64{}
	for _, st := range s.Under("walker.reads_at") {
		got[strings.TrimPrefix(st.Name, "walker.reads_at.")] = st.Value
	}
	// fixedPort answers as depth 1; a walk reads four entries. The next
	// page's prefetch walk, counted apart, reads only its page-table entry
	// (the page-walk caches know the rest of the path), which is not
	// present: the walk ends there, with no fault taken.
	if diff := cmp.Diff(map[string]uint64{"l1d": 0, "l2": 4, "memory": 0}, got); diff != "" {
		t.Errorf("reads by depth (-want +got):\n%s", diff)
	}
	for name, want := range map[string]uint64{"walker.prefetch_walks": 1, "walker.prefetch_reads": 1, "stlb.prefetch.unmapped": 1} {
		if v, _ := s.Get(name); v != want {
			t.Errorf("%s = %d, want %d", name, v, want)
		}
	}
}
