package cache

import (
	"fmt"
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

// benchCores runs cores over private L1Ds and L2s and one LLC (with the
// directory when there are two or more), each core on its own scattered
// working set of lines with a store in four accesses, taking turns: what
// coherence adds to a core's accesses when nothing is shared (its L1D hits
// nothing; its misses consult the directory, its evictions tell it). 512
// lines fit the 48 KiB L1D; 1,024 miss it every time (LRU over a cycle
// larger than the level) and hit the L2.
func benchCores(b *testing.B, cores int, lines uint64) {
	mk := func(name string, size uint64, ways int, lat sim.Cycle) *Cache {
		c, err := New(Config{Name: name, Size: size, Ways: ways, LineSize: line, Latency: lat, MSHRs: 16,
			WriteAllocate: true, Straddle: StraddleLines, Seed: 1}, sim.Level{})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	llc := mk("llc", 4<<20, 16, 50)
	Connect(llc, &Memory{Latency: 200})
	var tops []*Cache
	var levels [][]*Cache
	for k := 0; k < cores; k++ {
		l1, l2 := mk("l1d", 48<<10, 12, 5), mk("l2", 256<<10, 8, 16)
		Connect(l1, l2)
		Connect(l2, llc)
		tops, levels = append(tops, l1), append(levels, []*Cache{l1, l2})
	}
	if _, err := Share(llc, levels, Coherence{Transfer: 40, Invalidate: 40}); err != nil {
		b.Fatal(err)
	}
	reqs := make([]sim.Request, cores)
	now := make([]sim.Cycle, cores)
	for i := 0; b.Loop(); i++ {
		k := i % cores
		req := &reqs[k]
		*req = sim.Request{Addr: uint64(k)<<30 + uint64(i/cores*7919)%lines*line, Size: 8, Kind: sim.Load, Core: uint16(k)}
		if i&3 == 0 {
			req.Kind = sim.Store
		}
		now[k], _ = tops[k].Access(now[k], req)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "accesses/s")
}

func BenchmarkCores(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("l1d-hits/%d", n), func(b *testing.B) { benchCores(b, n, 1<<9) })
		b.Run(fmt.Sprintf("l1d-misses/%d", n), func(b *testing.B) { benchCores(b, n, 1<<10) })
	}
}

// benchQueue presents lookups of loads and prefetches, each prefetch after
// a check for room in the prefetch queue, to a level with one read port and
// read and prefetch queues of size places. Saturated: two requests a cycle,
// a few of them late, so the queues stay full and each request waits for
// the first in its queue. Bursty: bursts of 1.5 x size requests in a cycle
// after long enough a gap for the queues to drain.
func benchQueue(b *testing.B, size int, bursty bool) {
	rng := sim.NewRNG(1)
	times := make([]sim.Cycle, 1<<12)
	now := sim.Cycle(0)
	for i := range times {
		switch {
		case !bursty:
			now += sim.Cycle(i & 1)
		case i%(size*3/2) == 0:
			now += sim.Cycle(2 * size)
		}
		times[i] = now - min(now, sim.Cycle(rng.IntN(4)*rng.IntN(2)))
	}
	span := now + sim.Cycle(4*size) // what one pass over times moves the clock
	bw := newBandwidth(Bandwidth{ReadPorts: 1, RQ: size, PQ: size})
	var sink sim.Cycle
	for i := 0; b.Loop(); i++ {
		t := times[i&(len(times)-1)] + sim.Cycle(i>>12)*span
		if i%4 == 3 {
			if !bw.room(queuePrefetch, t) {
				continue
			}
			sink += bw.lookup(t, sim.Prefetch)
		} else {
			sink += bw.lookup(t, sim.Load)
		}
	}
	if sink == 0 {
		b.Fatal("no lookups")
	}
}

func BenchmarkQueue(b *testing.B) {
	for _, size := range []int{8, 32, 512, 4096} {
		b.Run(fmt.Sprintf("saturated-%d", size), func(b *testing.B) { benchQueue(b, size, false) })
		b.Run(fmt.Sprintf("bursty-%d", size), func(b *testing.B) { benchQueue(b, size, true) })
	}
}
