package cache

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// TestCountByCore: a shared level counts each core's hits and misses by
// the core its requests name, and they add up to its totals; a request of
// a core it does not know counts in the totals only.
func TestCountByCore(t *testing.T) {
	c := level(t, "llc", 4, 2, nil)
	c.CountByCore(2)
	must(t, Connect(c, &Memory{Latency: 10}))
	var s sim.Stats
	c.Register(&s)
	for i, a := range []struct {
		core uint16
		kind sim.Kind
		line uint64
	}{
		{0, sim.Load, 1}, {1, sim.Load, 1}, {1, sim.Store, 2}, {0, sim.Store, 2}, {1, sim.Fetch, 3}, {5, sim.Load, 4}, {0, sim.PTERead, 4},
	} {
		req := sim.Request{Addr: a.line * line, Size: 8, Kind: a.kind, Core: a.core}
		c.Access(sim.Cycle(100*i), &req)
	}
	got := map[string]uint64{}
	for _, st := range s.Snapshot().List(true) {
		if st.Value > 0 {
			got[st.Name] = st.Value
		}
	}
	want := map[string]uint64{
		"llc.load.hits": 1, "llc.load.misses": 2, "llc.store.hits": 1, "llc.store.misses": 1, "llc.fetch.misses": 1, "llc.pte_read.hits": 1,
		"llc.core0.load.misses": 1, "llc.core1.load.hits": 1, "llc.core1.store.misses": 1, "llc.core0.store.hits": 1,
		"llc.core1.fetch.misses": 1, "llc.core0.pte_read.hits": 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
