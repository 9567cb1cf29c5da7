package prefetch

// The small tables of stream's streams and SPP's pages replace their least
// recently used entry. (ip-stride's sets, looked up on every access of an
// L1D, keep their own: a generic's calls of its entries' methods are not
// inlined.)

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
