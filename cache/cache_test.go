package cache

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

func TestReplacement(t *testing.T) {
	tests := []struct {
		policy Policy
		seq    string
		want   string
		final  []int64
	}{
		// One set of four ways, lines 0-4.
		{LRU, "L0 L1 L2 L3 L0 L4 L1 L2 L0", "m m m m h m+e m+e m+e h", []int64{0, 4, 1, 2}},
		{FIFO, "L0 L1 L2 L3 L0 L4 L1 L2 L0", "m m m m h m+e h h m+e", []int64{4, 0, 2, 3}},
		// Tree-PLRU: after the fills the tree points at way 0; the hit on
		// way 0 points it at the right half, where way 2 is next.
		{PLRU, "L0 L1 L2 L3 L0 L4 L1 L2 L3", "m m m m h m+e h m+e m+e", []int64{3, 1, 4, 2}},
		// SRRIP: fills predict 2, the hit on 0 predicts 0; each miss ages the
		// set until some way reaches 3 and takes the first such way.
		{SRRIP, "L0 L1 L2 L3 L0 L4 L1 L2 L3", "m m m m h m+e m+e m+e m+e", []int64{0, 3, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.policy.String(), func(t *testing.T) {
			c := level(t, "c", 1, 4, func(cfg *Config) { cfg.Replacement = tc.policy })
			Connect(c, &Memory{Latency: 10})
			if diff := cmp.Diff(tc.want, run(t, c, tc.seq)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.final, contents(c)); diff != "" {
				t.Errorf("final contents by way (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRandomReplacementIsSeeded(t *testing.T) {
	seq := "L0 L1 L2 L3 L4 L5 L6 L7 L8 L9 L0 L1 L2 L3 L4 L5 L6 L7 L8 L9"
	build := func(seed uint64) (*Cache, string) {
		c := level(t, "c", 1, 4, func(cfg *Config) { cfg.Replacement = Random; cfg.Seed = seed })
		Connect(c, &Memory{Latency: 10})
		return c, run(t, c, seq)
	}
	c1, a := build(3)
	_, b := build(3)
	if a != b {
		t.Errorf("same seed, different outcomes:\n%s\n%s", a, b)
	}
	if n, m := c1.n.Evictions, c1.n.Misses[sim.Load]; n != m-4 {
		t.Errorf("evictions = %d with %d misses; every miss but the 4 cold ones must evict", n, m)
	}
	seen := map[string]bool{}
	for seed := uint64(0); seed < 20; seed++ {
		_, s := build(seed)
		seen[s] = true
	}
	if len(seen) < 2 {
		t.Error("20 seeds all chose the same victims")
	}
}
