package cache

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// randomSeq is a reproducible access sequence for run: loads and stores
// over lines enough to fill some sets and leave others untouched.
func randomSeq(seed uint64, n int, lines uint64) string {
	rng := sim.NewRNG(seed)
	var b strings.Builder
	for range n {
		kind := "L"
		if rng.IntN(3) == 0 {
			kind = "S"
		}
		fmt.Fprintf(&b, "%s%d ", kind, rng.Uint64()%lines)
	}
	return b.String()
}

// TestReleasedArraysStartEmpty checks that a level built on a released
// level's arrays behaves exactly as one built on fresh memory, for every
// replacement policy and both inclusions that change state on a hit: the
// same outcome for every access of a second sequence, and the same arrays
// after it.
func TestReleasedArraysStartEmpty(t *testing.T) {
	for pi, p := range []string{replacement.LRU, replacement.FIFO, replacement.PLRU, replacement.Random, replacement.SRRIP, shipLRU} {
		for _, inc := range []Inclusion{NonInclusive, Exclusive} {
			t.Run(fmt.Sprint(p, inc), func(t *testing.T) {
				// A shape of its own per case, so no other case's spares are taken.
				sets, ways := 1<<(9+pi), 4<<int(inc)
				mod := func(c *Config) { c.Replacement, c.Inclusion = p, inc }
				build := func() (*Cache, *Cache) {
					l1 := level(t, "l1", 2, 2, nil)
					l2 := level(t, "l2", sets, ways, mod)
					if err := Connect(l1, l2); err != nil {
						t.Fatal(err)
					}
					Connect(l2, &Memory{Latency: 100, Level: sim.Level{ID: 2, Depth: 2}})
					return l1, l2
				}
				l1, used := build()
				runAll(t, l1, randomSeq(1, 3000, uint64(sets)*3), used)
				used.Release()
				top, reused := build() // takes used's arrays
				ftop, fresh := build() // none spare: new memory
				if reused.arrays == fresh.arrays {
					t.Fatal("both levels share arrays")
				}
				seq := randomSeq(2, 3000, uint64(sets)*5)
				if diff := cmp.Diff(runAll(t, ftop, seq, fresh), runAll(t, top, seq, reused)); diff != "" {
					t.Errorf("outcomes (-fresh +reused):\n%s", diff)
				}
				if diff := cmp.Diff(fresh.lines, reused.lines, cmp.AllowUnexported(wayState{})); diff != "" {
					t.Errorf("lines (-fresh +reused):\n%s", diff)
				}
				if diff := cmp.Diff(fresh.dirty, reused.dirty); diff != "" {
					t.Errorf("dirty bits (-fresh +reused):\n%s", diff)
				}
				if diff := cmp.Diff(fresh.prints, reused.prints); diff != "" {
					t.Errorf("fingerprints (-fresh +reused):\n%s", diff)
				}
				checkPrints(t, reused)
				checkPrints(t, top)
				if diff := cmp.Diff(fresh.repl, reused.repl, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
					t.Errorf("replacement state (-fresh +reused):\n%s", diff)
				}
			})
		}
	}
}

// checkPrints checks that every way's fingerprint matches its tag: 0 for
// an empty way, else the fingerprint of the line it holds.
func checkPrints(t *testing.T, c *Cache) {
	t.Helper()
	for i, w := range c.lines {
		want := uint8(0)
		if w.tag != invalidTag {
			want = fingerprint(w.tag - 1)
		}
		if c.prints[i] != want {
			t.Fatalf("%s way %d: fingerprint %d, want %d for tag %#x", c.cfg.Name, i, c.prints[i], want, w.tag)
		}
	}
}
