package cache

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// asyncMemory answers reads through the engine, as a DRAM controller does:
// Access cannot tell the time, Complete comes later.
type asyncMemory struct {
	e       *sim.Engine
	latency sim.Cycle
	waiting []*sim.Request
}

func (m *asyncMemory) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	if req.Done == nil {
		return now, true
	}
	m.waiting = append(m.waiting, req)
	m.e.Schedule(now+m.latency, m, uint64(len(m.waiting)-1))
	return 0, false
}

func (m *asyncMemory) Handle(now sim.Cycle, i uint64) {
	req := m.waiting[i]
	req.Served = sim.Level{ID: 2, Depth: 2}
	req.Done.Complete(req, now)
}

// waiter collects completions.
type waiter struct{ at map[uint64]sim.Cycle }

func (w *waiter) Complete(req *sim.Request, at sim.Cycle) { w.at[req.ID] = at }

type access struct {
	at   sim.Cycle
	line uint64
	size uint32
}

// issue presents every access at its cycle (all in flight together) and
// returns when each got its data and the depth that supplied it.
func issue(t *testing.T, e *sim.Engine, top *Cache, accs []access) ([]sim.Cycle, []int8) {
	t.Helper()
	w := &waiter{at: map[uint64]sim.Cycle{}}
	reqs := make([]*sim.Request, len(accs))
	done := make([]sim.Cycle, len(accs))
	for i, a := range accs {
		e.RunUntil(a.at)
		reqs[i] = &sim.Request{Addr: a.line*line + 8, Size: max(a.size, 1), Kind: sim.Load, Done: w, ID: uint64(i)}
		if d, ok := top.Access(a.at, reqs[i]); ok {
			done[i] = d
		} else {
			done[i] = sim.Never
		}
	}
	e.Run()
	depth := make([]int8, len(accs))
	for i := range accs {
		if done[i] == sim.Never {
			d, ok := w.at[uint64(i)]
			if !ok {
				t.Fatalf("access %d never completed", i)
			}
			done[i] = d
		}
		depth[i] = int8(reqs[i].Served.Depth)
	}
	return done, depth
}

func TestMissTiming(t *testing.T) {
	// L1: 4 cycles, 2 MSHRs. L2: 10 cycles. Memory: 100 cycles.
	// A miss in both: 4 + 10 + 100 = 114.
	tests := []struct {
		name      string
		accs      []access
		wantDone  []sim.Cycle
		wantDepth []int8
	}{
		{"one miss", []access{{0, 1, 8}}, []sim.Cycle{114}, []int8{2}},
		{"hit after fill", []access{{0, 1, 8}, {200, 1, 8}}, []sim.Cycle{114, 204}, []int8{2, 0}},
		// A second access to the line in flight waits for the same fill.
		{"merge", []access{{0, 1, 8}, {5, 1, 8}}, []sim.Cycle{114, 114}, []int8{2, 2}},
		// Two misses overlap; the third finds both MSHRs busy after its
		// lookup and leaves when the first fill is back, at 114.
		{"mshr limit", []access{{0, 1, 8}, {0, 2, 8}, {0, 3, 8}}, []sim.Cycle{114, 114, 114 + 10 + 100}, []int8{2, 2, 2}},
		// Five misses through two MSHRs go two at a time: a queue drained
		// at a fill must not start more than the free MSHRs.
		{"mshr queue", []access{{0, 1, 8}, {0, 2, 8}, {0, 3, 8}, {0, 4, 8}, {0, 5, 8}},
			[]sim.Cycle{114, 114, 224, 224, 334}, []int8{2, 2, 2, 2, 2}},
		// An access over two lines waits for both.
		{"straddle", []access{{0, 1, 8}, {300, 1, 120}}, []sim.Cycle{114, 300 + 114}, []int8{2, 2}},
	}
	for _, mode := range []string{"sync", "async"} {
		for _, tc := range tests {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				e := &sim.Engine{}
				l1 := level(t, "l1", 4, 2, func(c *Config) { c.MSHRs = 2 })
				l2 := level(t, "l2", 16, 4, func(c *Config) { c.Latency = 10 })
				l2.level = sim.Level{ID: 1, Depth: 1}
				Connect(l1, l2)
				if mode == "sync" {
					Connect(l2, &Memory{Latency: 100, Level: sim.Level{ID: 2, Depth: 2}})
				} else {
					Connect(l2, &asyncMemory{e: e, latency: 100})
				}
				done, depth := issue(t, e, l1, tc.accs)
				if diff := cmp.Diff(tc.wantDone, done); diff != "" {
					t.Errorf("done cycles (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.wantDepth, depth); diff != "" {
					t.Errorf("depth that served (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestStraddleModes(t *testing.T) {
	// An 8-byte load at byte 60 of line 0 covers lines 0 and 1.
	tests := []struct {
		mode           Straddle
		wantL1, wantL2 string
		wantMemReads   uint64
	}{
		{StraddleFirst, "m h", "m -", 1}, // only line 0; the second load hits it
		{StraddleLines, "m h", "m -", 2}, // both lines fetched, one miss counted
		{StraddleWhole, "m h", "m -", 1}, // the whole access goes down as one request
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			l1 := level(t, "l1", 4, 2, func(c *Config) { c.Straddle = tc.mode })
			l2 := level(t, "l2", 16, 4, func(c *Config) { c.Straddle = tc.mode })
			mem := &Memory{Latency: 100}
			Connect(l1, l2)
			Connect(l2, mem)
			var got []string
			var got2 []string
			for _, addr := range []uint64{60, 60} {
				b1, b2 := l1.n, l2.n
				l1.Access(0, &sim.Request{Addr: addr, Size: 8, Kind: sim.Load})
				got = append(got, word(b1, l1.n))
				got2 = append(got2, word(b2, l2.n))
			}
			if diff := cmp.Diff([]string{tc.wantL1, tc.wantL2}, []string{join(got), join(got2)}); diff != "" {
				t.Errorf("L1, L2 outcomes (-want +got):\n%s", diff)
			}
			if mem.n.reads != tc.wantMemReads {
				t.Errorf("memory reads = %d, want %d", mem.n.reads, tc.wantMemReads)
			}
		})
	}
}

func word(b, a Counts) string {
	switch {
	case a.Misses[sim.Load] > b.Misses[sim.Load]:
		return "m"
	case a.Hits[sim.Load] > b.Hits[sim.Load]:
		return "h"
	}
	return "-"
}

func join(s []string) string {
	out := ""
	for i, w := range s {
		if i > 0 {
			out += " "
		}
		out += w
	}
	return out
}
