package replacement

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTreeVictimOrder(t *testing.T) {
	tests := []struct {
		name    string
		ways    int
		touches []int
		want    []int // victims, touching each victim in turn after the touches
	}{
		// From an empty tree the victims sweep the ways in tree order.
		{"4 ways, empty", 4, nil, []int{0, 2, 1, 3, 0}},
		{"8 ways, empty", 8, nil, []int{0, 4, 2, 6, 1, 5, 3, 7}},
		// After touching 0..3 in order, way 0 is the least recent.
		{"4 ways, after a sweep", 4, []int{0, 1, 2, 3}, []int{0, 2, 1, 3}},
		// Pseudo-LRU, not LRU: touching 0,1,2,3 then 0 leaves 2 as victim
		// (true LRU would pick 1).
		{"4 ways, not true LRU", 4, []int{0, 1, 2, 3, 0}, []int{2, 1, 3, 0}},
		// Unbalanced: way 0 has the root's lower half to itself, so it is
		// chosen every other time.
		{"3 ways, unbalanced", 3, nil, []int{0, 1, 0, 2, 0}},
		{"1 way", 1, []int{0}, []int{0, 0}},
	}
	for _, tc := range tests {
		var tree uint64
		for _, w := range tc.touches {
			tree = treeTouch(tree, tc.ways, w)
		}
		var got []int
		for range tc.want {
			v := treeVictim(tree, tc.ways)
			got = append(got, v)
			tree = treeTouch(tree, tc.ways, v)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: victims (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestTreeMasksMatchTouch(t *testing.T) {
	for _, ways := range []int{1, 2, 3, 4, 7, 8, 16, 64} {
		set, clr := treeMasks(ways)
		for _, tree := range []uint64{0, ^uint64(0), 0x5555555555555555, 0x123456789abcdef} {
			for w := range ways {
				if got, want := tree&^clr[w]|set[w], treeTouch(tree, ways, w); got != want {
					t.Errorf("ways %d way %d tree %#x: masks give %#x, treeTouch %#x", ways, w, tree, got, want)
				}
			}
		}
	}
}
