package cache

import "unsafe"

// Warming the level below. A miss here goes on to the next level a few
// hundred host instructions later, once this level has placed the line
// and taken an MSHR. There the lookup reads the set's fingerprints and a
// way's tag; a miss then reads the replacement state, the victim's tag and
// its flags, each read waiting for the one before it. Where the simulated
// levels' arrays outgrow the host's caches (one core's 2 MiB L2 and 32 MiB
// LLC already do, four cores' L2s by far), each of those reads waited for
// the host's memory in turn. warmBelow has the host fetch the set's
// fingerprints, replacement state and tags as soon as the miss is known,
// all at once and waiting for none (hostPrefetch), so they arrive while
// this level handles its own miss. It changes nothing the model computes.

// warmBelow warms the set that line ln (a line of this level) falls in at
// the next level, if that is a cache (c.below, set by Connect).
func (c *Cache) warmBelow(ln uint64) {
	if b := c.below; b != nil {
		b.warmSet(ln >> c.belowShift)
	}
}

// warmSet has the host fetch what a lookup and a fill of line ln read
// first: the set's fingerprints, its replacement state and its ways' tags.
func (c *Cache) warmSet(ln uint64) {
	set := int(ln & c.setMask)
	base := set * c.ways
	prints := unsafe.Pointer(&c.prints[base])
	repl := c.repl.Where(set)
	if repl == nil {
		repl = prints
	}
	hostPrefetch(prints, repl, unsafe.Pointer(&c.lines[base]), uintptr(c.ways)*unsafe.Sizeof(wayState{}))
}
