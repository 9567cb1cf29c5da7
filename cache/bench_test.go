package cache

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// benchAccess presents loads to a working set of lines in a scattered
// order, one after another, to a level over a fixed-latency memory: a
// working set within the level's size measures the hit path (a lookup and
// a replacement update), a larger one the miss path (a victim, an eviction
// and a fill as well).
func benchAccess(b *testing.B, policy string, size uint64, ways int, lines uint64) {
	cfg := Config{Name: "c", Size: size, Ways: ways, LineSize: line, Latency: 4, MSHRs: 16,
		WriteAllocate: true, Straddle: StraddleLines, Seed: 1}
	cfg.Replacement = policy
	c, err := New(cfg, sim.Level{})
	if err != nil {
		b.Fatal(err)
	}
	Connect(c, &Memory{Latency: 100})
	addrs := make([]uint64, lines) // lines is a power of two
	for i := range addrs {
		addrs[i] = uint64(i*7919) % lines * line
	}
	req := sim.Request{Size: 8, Kind: sim.Load}
	now := sim.Cycle(0)
	for i := 0; b.Loop(); i++ {
		req.Addr = addrs[i&int(lines-1)]
		now, _ = c.Access(now, &req)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accesses/s")
}

func BenchmarkAccess(b *testing.B) {
	for _, p := range []string{"lru", "plru", "srrip", "random"} {
		b.Run("hit-32KiB-8way-"+p, func(b *testing.B) { benchAccess(b, p, 32<<10, 8, 256) })
		b.Run("miss-1MiB-16way-"+p, func(b *testing.B) { benchAccess(b, p, 1<<20, 16, 1<<15) })
	}
}
