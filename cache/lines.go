package cache

// lineTable maps a line address to the MSHR entry whose fill brings it. It
// replaces a Go map on the miss path, where the map's hashing and growth
// cost about a tenth of a memory-bound run: open addressing with linear
// probing over two flat arrays, deleting by shifting the following run
// back (no tombstones, so probes stay short however long the run).
type lineTable struct {
	keys  []uint64 // line + 1; 0 is an empty slot
	vals  []*mshr
	n     int
	shift uint // 64 - log2(len(keys))
}

func newLineTable() lineTable {
	const size = 64
	return lineTable{keys: make([]uint64, size), vals: make([]*mshr, size), shift: 64 - 6}
}

// home is where the probe for key starts (Fibonacci hashing).
func (t *lineTable) home(key uint64) int {
	return int((key * 0x9E3779B97F4A7C15) >> t.shift)
}

func (t *lineTable) get(ln uint64) *mshr {
	key, mask := ln+1, len(t.keys)-1
	for i := t.home(key); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case key:
			return t.vals[i]
		case 0:
			return nil
		}
	}
}

func (t *lineTable) put(ln uint64, m *mshr) {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	key, mask := ln+1, len(t.keys)-1
	i := t.home(key)
	for t.keys[i] != 0 && t.keys[i] != key {
		i = (i + 1) & mask
	}
	if t.keys[i] == 0 {
		t.n++
	}
	t.keys[i], t.vals[i] = key, m
}

// deleteIf removes line ln if it maps to m.
func (t *lineTable) deleteIf(ln uint64, m *mshr) {
	key, mask := ln+1, len(t.keys)-1
	i := t.home(key)
	for t.keys[i] != key {
		if t.keys[i] == 0 {
			return
		}
		i = (i + 1) & mask
	}
	if t.vals[i] != m {
		return
	}
	t.n--
	// Move back any later key of the run whose home is not between the
	// hole and it, so every key stays reachable from its home.
	for j := (i + 1) & mask; t.keys[j] != 0; j = (j + 1) & mask {
		if h := t.home(t.keys[j]); (j-h)&mask >= (j-i)&mask {
			t.keys[i], t.vals[i] = t.keys[j], t.vals[j]
			i = j
		}
	}
	t.keys[i], t.vals[i] = 0, nil
}

func (t *lineTable) grow() {
	keys, vals := t.keys, t.vals
	t.keys, t.vals = make([]uint64, 2*len(keys)), make([]*mshr, 2*len(keys))
	t.shift--
	t.n = 0
	for i, k := range keys {
		if k != 0 {
			t.put(k-1, vals[i])
		}
	}
}
