package tlb

import "github.com/vmemu/vmemu/plru"

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
		return plru.Victim(t.plru[set], t.ways)
	case Random:
		return t.rng.IntN(t.ways)
	}
	// LRU and FIFO: the oldest stamp.
	// The first way with the smallest stamp; the running minimum is kept
	// in a local so the compare need not reload row[v].
	row := t.stamps[set*t.ways : set*t.ways+t.ways]
	v, oldest := 0, row[0]
	for w, s := range row {
		if s < oldest {
			v, oldest = w, s
		}
	}
	return v
}
