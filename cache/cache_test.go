package cache

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

const line = 64

func level(t *testing.T, name string, sets, ways int, mod func(*Config)) *Cache {
	t.Helper()
	cfg := Config{
		Name: name, Size: uint64(sets * ways * line), Ways: ways, LineSize: line,
		Latency: 4, MSHRs: 8, WriteAllocate: true, Straddle: StraddleLines, Seed: 1,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg, sim.Level{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run presents "L3 S0 ..." (kind letter, line number) to c in order, each
// when the one before is done, and returns one outcome word per access: h,
// m, or m+e for a miss that evicted.
func run(t *testing.T, c *Cache, seq string) string {
	t.Helper()
	return runAll(t, c, seq)[0]
}

// runAll is run that also reports what each level below saw of every
// access ("-" when it saw nothing).
func runAll(t *testing.T, top *Cache, seq string, below ...*Cache) []string {
	t.Helper()
	levels := append([]*Cache{top}, below...)
	out := make([][]string, len(levels))
	now := sim.Cycle(0)
	for _, tok := range strings.Fields(seq) {
		kind := map[byte]sim.Kind{'L': sim.Load, 'S': sim.Store, 'I': sim.Fetch}[tok[0]]
		var ln uint64
		for _, d := range tok[1:] {
			ln = ln*10 + uint64(d-'0')
		}
		before := make([]Counts, len(levels))
		for i, c := range levels {
			before[i] = c.n
		}
		req := &sim.Request{Addr: ln * line, Size: 1, Kind: kind}
		done, ok := top.Access(now, req)
		if !ok {
			t.Fatalf("%s: synchronous hierarchy returned pending", tok)
		}
		now = done
		for i, c := range levels {
			b, a := before[i], c.n
			word := "-"
			switch {
			case a.Misses[kind] > b.Misses[kind]:
				word = "m"
			case a.Hits[kind] > b.Hits[kind]:
				word = "h"
			}
			if a.Evictions > b.Evictions {
				word += "+e"
			}
			out[i] = append(out[i], word)
		}
	}
	res := make([]string, len(levels))
	for i := range out {
		res[i] = strings.Join(out[i], " ")
	}
	return res
}

// contents lists the lines held in set 0, by way.
func contents(c *Cache) []int64 {
	var out []int64
	for _, w := range c.lines[:c.ways] {
		tg := w.tag
		if tg == invalidTag {
			out = append(out, -1)
		} else {
			out = append(out, int64(tg-1))
		}
	}
	return out
}

// A random level draws its victims from its own stream: the run's seed
// derived by the level's name.
func TestRandomReplacementIsSeeded(t *testing.T) {
	c := level(t, "l2", 1, 4, func(cfg *Config) { cfg.Replacement = replacement.Random; cfg.Seed = 3 })
	Connect(c, &Memory{Latency: 10})
	run(t, c, "L0 L1 L2 L3")
	want := sim.NewRNG(3).Derive("l2")
	for ln := int64(4); ln < 40; ln++ {
		way := want.IntN(4)
		run(t, c, fmt.Sprintf("L%d", ln))
		if got := contents(c)[way]; got != ln {
			t.Fatalf("line %d went to way %d, want way %d (contents %v)", ln, slices.Index(contents(c), ln), way, contents(c))
		}
	}
}

// A replacement policy the registry does not know, or one that cannot take
// the level's shape, is an error naming the level; the unknown name's lists
// every registered policy.
func TestBadReplacementIsAnError(t *testing.T) {
	tests := []struct {
		policy string
		ways   int
		want   string
	}{
		{"lfu", 4, fmt.Sprintf(`c: unknown replacement policy "lfu" (one of %s)`, strings.Join(replacement.Names(), ", "))},
		{"LRU", 4, `c: unknown replacement policy "LRU" (one of `},
		{replacement.PLRU, 128, "c: tree-PLRU supports at most 64 ways, not 128"},
	}
	for _, tc := range tests {
		cfg := Config{Name: "c", Size: uint64(tc.ways) * 64 * 4, Ways: tc.ways, LineSize: 64, MSHRs: 1, Replacement: tc.policy}
		if _, err := New(cfg, sim.Level{}); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s, %d ways: error %v, want one starting %q", tc.policy, tc.ways, err, tc.want)
		}
	}
}

// With 1-byte lines the last byte of the address space is line 2^64-1:
// an access to it ends (a loop to the last line by ln <= last would not),
// misses, is placed, and hits the next time; a line's tag, its number plus
// one, wraps there without matching an empty way.
func TestTopLineOfTheAddressSpace(t *testing.T) {
	c := level(t, "l1", 2, 2, func(cfg *Config) { cfg.LineSize, cfg.Size = 1, 4 })
	Connect(c, &Memory{Latency: 100})
	top := ^uint64(0)
	for _, tc := range []struct {
		addr uint64
		hit  bool
	}{{top, false}, {top, true}, {top - 1, false}, {top, true}, {top - 1, true}} {
		req := &sim.Request{Addr: tc.addr, Size: 1, Kind: sim.Load}
		if _, ok := c.Access(0, req); !ok {
			t.Fatalf("%#x: pending on a synchronous hierarchy", tc.addr)
		}
		if hit := !req.Missed; hit != tc.hit {
			t.Errorf("%#x: hit %v, want %v", tc.addr, hit, tc.hit)
		}
	}
}
