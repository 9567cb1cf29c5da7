package prefetch

// The small tables the prefetchers keep (stream's streams, SPP's pages,
// ip-stride's sets) replace their least recently used entry.

// lruEntry is an entry of such a table: whether it holds anything, its
// key, and the table's clock at its last use.
type lruEntry interface {
	live() bool
	key() uint64
	stamp() uint64
}

// lruFind returns the live entry of t with key k, or nil.
func lruFind[E any, P interface {
	*E
	lruEntry
}](t []E, k uint64) *E {
	for i := range t {
		if e := P(&t[i]); e.live() && e.key() == k {
			return &t[i]
		}
	}
	return nil
}

// lruVictim returns the entry of t to replace: one that holds nothing,
// else the least recently used.
func lruVictim[E any, P interface {
	*E
	lruEntry
}](t []E) *E {
	v := P(&t[0])
	for i := range t {
		e := P(&t[i])
		if !e.live() {
			return &t[i]
		}
		if e.stamp() < v.stamp() {
			v = e
		}
	}
	return (*E)(v)
}
