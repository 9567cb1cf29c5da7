package cache

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

func TestWritePolicies(t *testing.T) {
	type result struct {
		Outcomes      string
		Writebacks    uint64
		MemReads      uint64
		MemWrites     uint64
		FinalContents []int64
	}
	tests := []struct {
		name  string
		write WritePolicy
		alloc bool
		seq   string
		want  result
	}{
		// Two ways. The store dirties line 0; lines 1 and 2 push it out.
		{"write-back allocate", WriteBack, true, "S0 L1 L2 L0",
			result{"m m m+e m+e", 1, 4, 1, []int64{2, 0}}},
		// Every store goes down at once; nothing is dirty at eviction.
		{"write-through allocate", WriteThrough, true, "S0 S0 L1 L2 L0",
			result{"m h m m+e m+e", 0, 4, 2, []int64{2, 0}}},
		// A store miss goes down and leaves the cache alone.
		{"write-through no-allocate", WriteThrough, false, "S0 L0 S0 L1 L2",
			result{"m m h m m+e", 0, 3, 2, []int64{2, 1}}},
		{"write-back no-allocate", WriteBack, false, "S0 L0 S0 L1 L2",
			result{"m m h m m+e", 1, 3, 2, []int64{2, 1}}},
		// cachegrind: a store is a read; no dirty state, no write traffic.
		{"as-read", WriteAsRead, true, "S0 S0 L1 L2 L0",
			result{"m h m m+e m+e", 0, 4, 0, []int64{2, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := level(t, "c", 1, 2, func(cfg *Config) { cfg.Write, cfg.WriteAllocate = tc.write, tc.alloc })
			mem := &Memory{Latency: 10}
			Connect(c, mem)
			got := result{Outcomes: run(t, c, tc.seq)}
			got.Writebacks, got.MemReads, got.MemWrites = c.n.Writebacks, mem.n.reads, mem.n.writes
			got.FinalContents = contents(c)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// two builds L1 (one set of upperWays) over L2 (one set of lowerWays) over a
// memory.
func two(t *testing.T, inc Inclusion, upperWays, lowerWays int) (*Cache, *Cache, *Memory) {
	t.Helper()
	l1 := level(t, "l1", 1, upperWays, nil)
	l2 := level(t, "l2", 1, lowerWays, func(cfg *Config) { cfg.Inclusion = inc; cfg.Latency = 10 })
	mem := &Memory{Latency: 100, Level: sim.Level{ID: 2, Depth: 2}}
	l2.level = sim.Level{ID: 1, Depth: 1}
	if err := Connect(l1, l2); err != nil {
		t.Fatal(err)
	}
	Connect(l2, mem)
	return l1, l2, mem
}

func TestInclusion(t *testing.T) {
	type result struct {
		L1, L2     string
		L1Lines    []int64
		L2Lines    []int64
		BackInvals uint64
		MemReads   uint64
		MemWrites  uint64
	}
	tests := []struct {
		name    string
		inc     Inclusion
		up, low int
		seq     string
		want    result
	}{
		// L2 (2 ways) evicts line 0 when 2 arrives; L1 (4 ways) keeps it.
		{"non-inclusive", NonInclusive, 4, 2, "L0 L1 L2 L0", result{
			"m m m h", "m m m+e -", []int64{0, 1, 2, -1}, []int64{2, 1}, 0, 3, 0}},
		// The same, inclusive: L2's eviction of 0 takes it out of L1 too.
		{"inclusive", Inclusive, 4, 2, "L0 L1 L2 L0", result{
			"m m m m", "m m m+e m+e", []int64{0, -1, 2, -1}, []int64{2, 0}, 2, 4, 0}},
		// A dirty line invalidated above is written back by the level below.
		{"inclusive dirty", Inclusive, 4, 2, "S0 L1 L2", result{
			"m m m", "m m m+e", []int64{-1, 1, 2, -1}, []int64{2, 1}, 1, 3, 1}},
		// Exclusive: misses fill L1 only; L1's victims go to L2; an L2 hit
		// moves the line up and out of L2.
		{"exclusive", Exclusive, 2, 2, "L0 L1 L2 L0", result{
			"m m m+e m+e", "m m m h", []int64{2, 0}, []int64{-1, 1}, 0, 3, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l1, l2, mem := two(t, tc.inc, tc.up, tc.low)
			words := runAll(t, l1, tc.seq, l2)
			got := result{L1: words[0], L2: words[1]}
			got.L1Lines, got.L2Lines = contents(l1), contents(l2)
			got.BackInvals, got.MemReads, got.MemWrites = l2.n.BackInvals, mem.n.reads, mem.n.writes
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestConnectRefusesMismatchedLines(t *testing.T) {
	l1 := level(t, "l1", 1, 2, nil)
	l2 := level(t, "l2", 1, 2, func(cfg *Config) { cfg.LineSize = 32; cfg.Size = 64 })
	if err := Connect(l1, l2); err == nil {
		t.Error("a 32 B level below a 64 B level was accepted")
	}
	l3 := level(t, "l3", 1, 2, func(cfg *Config) { cfg.LineSize = 128; cfg.Size = 256; cfg.Inclusion = Exclusive })
	if err := Connect(l1, l3); err == nil {
		t.Error("an exclusive level with another line size was accepted")
	}
}
