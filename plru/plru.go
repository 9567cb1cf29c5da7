// Package plru is tree pseudo-LRU replacement state, shared by the caches
// and the TLBs.
//
// The state of one set is the inner nodes of a binary tree over its ways,
// kept as bits of a uint64: node i's children are 2i+1 and 2i+2, and a
// range of ways [lo, hi) splits at (lo+hi)/2, so any number of ways up to
// 64 works (the tree is unbalanced when ways is not a power of two). A bit
// of 0 sends the victim search to the lower half, 1 to the upper; a use
// points every node on its path away from the way used. The tests check
// victim orders worked by hand, including where it departs from true LRU
// and how a tree over a number of ways that is not a power of two favours
// the lone way.
package plru

// Touch returns the tree after a use of way.
func Touch(tree uint64, ways, way int) uint64 {
	node, lo, hi := 0, 0, ways
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if way < mid { // used the lower half: point up
			tree |= 1 << node
			node, hi = 2*node+1, mid
		} else {
			tree &^= 1 << node
			node, lo = 2*node+2, mid
		}
	}
	return tree
}

// Victim returns the way the tree points at.
func Victim(tree uint64, ways int) int {
	node, lo, hi := 0, 0, ways
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if tree&(1<<node) == 0 {
			node, hi = 2*node+1, mid
		} else {
			node, lo = 2*node+2, mid
		}
	}
	return lo
}

// Masks precomputes, for every way, the bits Touch sets ([0]) and clears
// ([1]), so that a hot path can touch with tree&^m[1] | m[0].
func Masks(ways int) [][2]uint64 {
	m := make([][2]uint64, ways)
	for w := range m {
		m[w] = [2]uint64{Touch(0, ways, w), ^Touch(^uint64(0), ways, w)}
	}
	return m
}
