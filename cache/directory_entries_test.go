package cache

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDirEntries sets and reads back every core's bit, all of them, and
// the first and last core as owner, in the 16-bit entries (up to 8 cores)
// and the wide ones.
func TestDirEntries(t *testing.T) {
	type entry struct {
		Sharers uint64
		Owner   int
	}
	for _, cores := range []int{2, 8, 9, 64} {
		t.Run(fmt.Sprint(cores, " cores"), func(t *testing.T) {
			e := newDirEntries(4, cores)
			if wide := e.narrow == nil; wide != (cores > narrowCores) {
				t.Fatalf("wide entries %v for %d cores", wide, cores)
			}
			all := uint64(1)<<cores - 1
			if cores == 64 {
				all = ^uint64(0)
			}
			var want []entry
			for k := range cores {
				want = append(want, entry{1 << k, k}, entry{1 << k, -1})
			}
			want = append(want, entry{all, -1}, entry{0, -1}, entry{all &^ 1, cores - 1})
			for _, w := range want {
				e.set(2, w.Sharers, w.Owner)
				s, o := e.get(2)
				if diff := cmp.Diff(w, entry{s, o}); diff != "" {
					t.Fatalf("(-set +got)\n%s", diff)
				}
				if s, o := e.get(1); s != 0 || o != -1 {
					t.Fatalf("a neighbour's entry changed: %b, %d", s, o)
				}
			}
		})
	}
}
