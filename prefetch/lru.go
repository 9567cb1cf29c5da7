package prefetch

// The small tables of the prefetchers (stream's streams, SPP's pages,
// ip-stride's sets, berti's instructions) keep their entries' tags in an
// array of tag beside the entries, so that plain functions over tags serve
// them all. (A generic over the entries' own types was compiled once for
// all of them, so every call of an entry's method was indirect and nothing
// inlined: BenchmarkSPP/pages=512, a table of 256 pages replacing one on
// every access, took 3 to 5 times as long.) use inlines and makes one pass.

// tag is the tag of an entry of such a table: whether it holds anything,
// its key, and the table's clock at its last use.
type tag struct {
	key, used uint64
	valid     bool
}

// find returns the index of the valid tag with key k, or -1.
func find(tags []tag, k uint64) int {
	for i := range tags {
		if tags[i].valid && tags[i].key == k {
			return i
		}
	}
	return -1
}

// use finds key's entry in a table that replaces its least recently used
// entry, and stamps it used at now. A key not there takes the place of
// the first entry that holds nothing, else of the least recently used
// (the first of equals). It returns the entry's index, and whether the
// key was there.
func use(tags []tag, key, now uint64) (int, bool) {
	v := 0 // the victim so far
	for i := range tags {
		switch t := &tags[i]; {
		case t.valid && t.key == key:
			t.used = now
			return i, true
		case !tags[v].valid: // the first free entry: it stays the victim
		case !t.valid || t.used < tags[v].used:
			v = i
		}
	}
	tags[v] = tag{key: key, used: now, valid: true}
	return v, false
}
