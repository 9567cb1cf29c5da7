package tlb

// Replacement state lives in the TLB as plain slices, and the policy is a
// switch rather than an interface, so a hit costs no indirect call.

// touch records a hit.
func (t *TLB) touch(set, way int) {
	switch t.cfg.Replacement {
	case LRU:
		t.clock++
		t.stamps[set*t.ways+way] = t.clock
	case PLRU:
		m := &t.plruOn[way]
		t.plru[set] = t.plru[set]&^m[1] | m[0]
	}
	// FIFO: a hit does not save an entry; Random keeps no state.
}

// fill records a fill.
func (t *TLB) fill(set, way int) {
	switch t.cfg.Replacement {
	case LRU, FIFO:
		t.clock++
		t.stamps[set*t.ways+way] = t.clock
	case PLRU:
		m := &t.plruOn[way]
		t.plru[set] = t.plru[set]&^m[1] | m[0]
	}
}

// victim picks the way to replace in a full set.
func (t *TLB) victim(set int) int {
	switch t.cfg.Replacement {
	case PLRU:
		return plruVictim(t.plru[set], t.ways)
	case Random:
		return t.rng.IntN(t.ways)
	}
	// LRU and FIFO: the oldest stamp.
	row := t.stamps[set*t.ways : set*t.ways+t.ways]
	v := 0
	for w, s := range row {
		if s < row[v] {
			v = w
		}
	}
	return v
}

// Tree pseudo-LRU keeps the inner nodes of a binary tree over the ways as
// bits, node i's children at 2i+1 and 2i+2; a range [lo, hi) splits at
// (lo+hi)/2, so any number of ways up to 64 works (the tree is unbalanced
// when ways is not a power of two). A bit of 0 sends the victim search to
// the lower half, 1 to the upper; a use points every node on its path away
// from the way used.

// plruMasks precomputes, for every way, the bits plruTouch sets and clears.
func plruMasks(ways int) [][2]uint64 {
	m := make([][2]uint64, ways)
	for w := range m {
		m[w] = [2]uint64{plruTouch(0, ways, w), ^plruTouch(^uint64(0), ways, w)}
	}
	return m
}

func plruTouch(tree uint64, ways, way int) uint64 {
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

func plruVictim(tree uint64, ways int) int {
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
