package prefetch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// use hits a valid entry with the key (wherever it is), else replaces the
// first entry that holds nothing, else the least recently used, the first
// of equals: the choice the tables made before they shared it.
func TestUse(t *testing.T) {
	free := tag{}
	at := func(key, used uint64) tag { return tag{key: key, used: used, valid: true} }
	for _, tc := range []struct {
		name string
		tags []tag
		key  uint64
		want int
		hit  bool
	}{
		{"hit", []tag{at(1, 5), at(2, 3)}, 2, 1, true},
		{"hit after a free entry", []tag{free, at(5, 2)}, 5, 1, true},
		{"a free entry's key is no hit", []tag{{key: 7}, at(3, 1)}, 7, 0, false},
		{"the first free entry", []tag{at(1, 5), free, free}, 9, 1, false},
		{"a free entry before a less recent one", []tag{at(1, 5), free, at(2, 1)}, 9, 1, false},
		{"a free entry after a less recent one", []tag{at(1, 1), at(2, 5), free}, 9, 2, false},
		{"the least recent, the first of equals", []tag{at(1, 5), at(2, 3), at(3, 3), at(4, 4)}, 9, 1, false},
		{"the first entry least recent", []tag{at(1, 2), at(2, 3), at(3, 2)}, 9, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := append([]tag(nil), tc.tags...)
			want[tc.want] = at(tc.key, 100)
			wantFind := -1
			if tc.hit {
				wantFind = tc.want
			}
			if got := find(tc.tags, tc.key); got != wantFind {
				t.Errorf("find: %d, want %d", got, wantFind)
			}
			i, hit := use(tc.tags, tc.key, 100)
			if i != tc.want || hit != tc.hit {
				t.Errorf("use: %d, %v; want %d, %v", i, hit, tc.want, tc.hit)
			}
			if diff := cmp.Diff(want, tc.tags, cmp.AllowUnexported(tag{})); diff != "" {
				t.Errorf("tags after use (-want +got):\n%s", diff)
			}
		})
	}
}
