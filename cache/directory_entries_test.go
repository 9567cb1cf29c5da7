package cache

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// TestDirEntries sets and reads back every core's bit, all of them, and
// the first and last core as owner: in entries packed into the shared
// level's tags (up to 8 cores), the same once unpacked, and the wide
// ones. A packed entry leaves its way's line alone, and the way's
// neighbour is untouched.
func TestDirEntries(t *testing.T) {
	type entry struct {
		Sharers uint64
		Owner   int
	}
	const line = 1<<packShift - 2 // the widest a packed tag holds
	for _, tc := range []struct {
		cores    int
		unpacked bool
	}{{2, false}, {2, true}, {8, false}, {8, true}, {9, false}, {64, false}} {
		t.Run(fmt.Sprintf("%d cores, unpacked %v", tc.cores, tc.unpacked), func(t *testing.T) {
			c := level(t, "llc", 1, 4, nil)
			e := newDirEntries(c, tc.cores)
			if e.packed != nil {
				c.tagBits = 1<<packShift - 1
			}
			if wide := e.packed == nil; wide != (tc.cores > narrowCores) {
				t.Fatalf("wide entries %v for %d cores", wide, tc.cores)
			}
			c.place(2, line, 0)
			if tc.unpacked {
				e.set(2, 0b11, 1) // carried over by unpack
				e.unpack()
				if s, o := e.get(2); s != 0b11 || o != 1 {
					t.Fatalf("unpack lost an entry: %b, %d", s, o)
				}
			}
			all := uint64(1)<<tc.cores - 1
			if tc.cores == 64 {
				all = ^uint64(0)
			}
			var want []entry
			for k := range tc.cores {
				want = append(want, entry{1 << k, k}, entry{1 << k, -1})
			}
			want = append(want, entry{all, -1}, entry{0, -1}, entry{all &^ 1, tc.cores - 1})
			for _, w := range want {
				e.set(2, w.Sharers, w.Owner)
				s, o := e.get(2)
				if diff := cmp.Diff(w, entry{s, o}); diff != "" {
					t.Fatalf("(-set +got)\n%s", diff)
				}
				if s, o := e.get(1); s != 0 || o != -1 {
					t.Fatalf("a neighbour's entry changed: %b, %d", s, o)
				}
				if got := c.tagOf(2); got != line+1 {
					t.Fatalf("the way's tag is %#x, want %#x", got, line+1)
				}
			}
		})
	}
}

// A line too wide to leave a packed entry room in its tag unpacks the
// entries, once, keeping every entry, and the level goes on finding its
// lines.
func TestDirEntriesUnpackForWideLines(t *testing.T) {
	m := build(t, handShape(2))
	if m.dir.entries.packed == nil {
		t.Fatal("two cores' entries are not packed")
	}
	m.access(t, 0, sim.Load, 5*line, 0)
	if s, o := m.dir.Sharers(5 * line); s != 1 || o != 0 {
		t.Fatalf("line 5: sharers %b, owner %d, want core 0 the owner", s, o)
	}
	wide := uint64(1) << 62 // an address whose line is past 2^48
	m.access(t, 0, sim.Load, wide, 1000)
	if m.dir.entries.packed != nil || m.llc.tagBits != ^uint64(0) {
		t.Fatal("a line past 2^48 left the entries packed")
	}
	for _, tc := range []struct{ pa uint64 }{{5 * line}, {wide}} {
		if s, o := m.dir.Sharers(tc.pa); s != 1 || o != 0 {
			t.Errorf("%#x: sharers %b, owner %d, want core 0 the owner", tc.pa, s, o)
		}
		if !m.llc.Holds(tc.pa) {
			t.Errorf("%#x: the LLC lost it", tc.pa)
		}
	}
}
