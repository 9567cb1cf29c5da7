package memside

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// A side without translation over one direct-mapped level of four 64-byte
// lines and a fixed-latency memory.
func tinySide(t *testing.T) *Side {
	t.Helper()
	l1, err := cache.New(cache.Config{Name: "l1", Size: 256, Ways: 1, LineSize: 64, Latency: 4, MSHRs: 4,
		Replacement: replacement.LRU, Write: cache.WriteBack, WriteAllocate: true}, sim.Level{ID: 0, Depth: 0})
	if err != nil {
		t.Fatal(err)
	}
	cache.Connect(l1, &cache.Memory{Latency: 100, Level: sim.Level{ID: 1, Depth: 1}})
	return New(Config{Fetch: l1, Data: l1, Phys: dram.NewPhysMem()})
}

func TestOutcomes(t *testing.T) {
	type step struct {
		kind  sim.Kind
		va    uint64
		size  uint32
		value uint64
	}
	type result struct {
		Done           sim.Cycle
		Served         uint8
		Missed, Merged bool
		Evicted        uint64
		Value          uint64
	}
	steps := []step{
		{sim.Store, 0x10, 8, 0x1122334455667788}, // miss: the line comes from memory
		{sim.Load, 0x10, 8, 0},                   // hit, the bytes stored
		{sim.Load, 0x13, 2, 0},                   // a part of them
		{sim.Load, 0x110, 4, 0},                  // same set: evicts line 0
		{sim.Load, 0x3e, 4, 0},                   // straddles lines 0 and 1: both miss
	}
	want := []result{
		{Done: 104, Served: 1, Missed: true},
		{Done: 108, Served: 0, Value: 0x1122334455667788},
		{Done: 112, Served: 0, Value: 0x4455},
		{Done: 216, Served: 1, Missed: true, Evicted: 0 + 1},
		{Done: 320, Served: 1, Missed: true, Evicted: 4 + 1},
	}
	s := tinySide(t)
	now := sim.Cycle(0)
	var got []result
	for _, st := range steps {
		a := &Access{VA: st.va, Size: st.size, Kind: st.kind, Data: true, Value: st.value}
		done, ok := s.Access(now, a)
		if !ok {
			t.Fatalf("%+v waited on a fixed-latency memory", st)
		}
		o := a.Out
		got = append(got, result{done, o.Served.Depth, o.Missed, o.Merged, o.Evicted, o.Value})
		now = done
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}
