package cache

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWarmBelowFindsTheNextLevel checks the level each level warms, and
// how its lines are told in the level below's (wider lines, a shift).
func TestWarmBelowFindsTheNextLevel(t *testing.T) {
	l1 := level(t, "l1", 4, 2, nil)
	l2 := level(t, "l2", 8, 4, func(c *Config) { c.LineSize = 2 * line })
	must(t, Connect(l1, l2))
	must(t, Connect(l2, &Memory{Latency: 10}))
	type target struct {
		Below string
		Shift uint
	}
	got := map[string]target{}
	for _, c := range []*Cache{l1, l2} {
		tg := target{Shift: c.belowShift}
		if c.below != nil {
			tg.Below = c.below.cfg.Name
		}
		got[c.cfg.Name] = tg
	}
	want := map[string]target{"l1": {"l2", 1}, "l2": {}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("warm targets (-want +got):\n%s", d)
	}
}

// TestWarmSetChangesNothing warms every set of levels of several shapes
// and policies (ways that fill a host line or not, a registered policy's
// state of its own): warming is for the host's caches and leaves the
// level's tags, flags and victims as they were.
func TestWarmSetChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		ways   int
		policy string
	}{{1, "lru"}, {3, "fifo"}, {12, "plru"}, {16, "srrip"}, {32, "random"}, {8, "test-ship-lru"}} {
		c := level(t, tc.policy, 8, tc.ways, func(c *Config) { c.Replacement = tc.policy })
		must(t, Connect(c, &Memory{Latency: 10}))
		run(t, c, "L0 L8 L16 S24 L3 L11 L19 L27 L35")
		before := contents(c)
		victims := func() []int {
			var v []int
			for set := range 8 {
				v = append(v, c.repl.Victim(set, 0, 0, 0))
			}
			return v
		}
		wantVictims := victims()
		for ln := range uint64(8 * 4) {
			c.warmSet(ln)
		}
		if d := cmp.Diff(before, contents(c)); d != "" {
			t.Errorf("%d ways, %s: warming changed the lines (-before +after):\n%s", tc.ways, tc.policy, d)
		}
		if tc.policy != "random" { // its victims are drawn: asking again draws anew
			if d := cmp.Diff(wantVictims, victims()); d != "" {
				t.Errorf("%d ways, %s: warming changed the victims (-before +after):\n%s", tc.ways, tc.policy, d)
			}
		}
	}
}

// TestHeldCountsValidWays checks the count of lines that decides warming
// against the ways themselves, through fills, evictions and the
// back-invalidations of an inclusive level below.
func TestHeldCountsValidWays(t *testing.T) {
	l1 := level(t, "l1", 2, 2, nil)
	l2 := level(t, "l2", 2, 2, func(c *Config) { c.Inclusion = Inclusive })
	must(t, Connect(l1, l2))
	must(t, Connect(l2, &Memory{Latency: 10}))
	runAll(t, l1, "L0 L1 L2 S3 L4 L5 L0 L6 L7 L2 S9 L11", l2)
	for _, c := range []*Cache{l1, l2} {
		valid := 0
		for _, p := range c.prints {
			if p != 0 {
				valid++
			}
		}
		if c.held != valid || valid == 0 {
			t.Errorf("%s: held %d, valid ways %d", c.cfg.Name, c.held, valid)
		}
	}
	if l2.n.BackInvals == 0 {
		t.Errorf("no back-invalidation: the test does not reach invalidate")
	}
}
