package prefetch

// The small tables of the prefetchers (stream's streams, SPP's pages,
// ip-stride's sets, berti's instructions) keep their entries' tags in an
// array of tag beside the entries, so that one plain find and victim serve
// them all. (A generic over the entries' own types was compiled once for
// all of them: every call of an entry's method was indirect and nothing
// inlined, which cost SPP four times its lookup over its 256 pages.)

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

// victim returns the index of the entry to replace: the first that holds
// nothing, else the least recently used (the first of equals).
func victim(tags []tag) int {
	v := 0
	for i := range tags {
		if !tags[i].valid {
			return i
		}
		if tags[i].used < tags[v].used {
			v = i
		}
	}
	return v
}

// use finds key's entry in a table that replaces its least recently used
// entry, and stamps it used at now: a key not there takes the victim's
// place. It returns the entry's index, and whether the key was there.
func use(tags []tag, key, now uint64) (int, bool) {
	i := find(tags, key)
	hit := i >= 0
	if !hit {
		i = victim(tags)
		tags[i] = tag{key: key, valid: true}
	}
	tags[i].used = now
	return i, hit
}
