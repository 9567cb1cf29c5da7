package cache

import "unsafe"

// Warming the level below. A miss here goes on to the next level a few
// hundred host instructions later, once this level has placed the line
// and taken an MSHR. There the lookup reads the set's fingerprints and a
// way's tag; a miss then reads the replacement state, the victim's tag and
// its flags, each read waiting for the one before it. Where a level holds
// more lines than the host's caches keep the arrays of (a 2 MiB L2 that one
// core's random loads fill; four cores' L2s by far), each of those reads
// waited for the host's memory in turn. warmBelow has the host fetch the set's
// fingerprints, replacement state and tags as soon as the miss is known,
// all at once and waiting for none (hostPrefetch), so they arrive while
// this level handles its own miss. It changes nothing the model computes.

// warmLines is how many lines a level must hold before the levels above
// warm it: fewer lines' arrays (their tags, fingerprints and replacement
// state, about 21 bytes a line) stay in the host's caches, and warming
// them is instructions for nothing (2.6% more, on random reads of 256 KiB
// that hit the L2).
const warmLines = 1 << 14

// warmBelow warms the set that line ln (a line of this level) falls in at
// the next level, if that is a cache (c.below, set by Connect) holding
// lines enough to have left the host's caches.
func (c *Cache) warmBelow(ln uint64) {
	if b := c.below; b != nil && b.held >= warmLines {
		b.warmSet(ln >> c.belowShift)
	}
}

// hostSets is where a level's sets lie in the host's memory: the first
// set's fingerprints, replacement state and ways, and the bytes a set takes
// in each array (warmSet's, computed once by New).
type hostSets struct {
	prints, repl, lines          unsafe.Pointer
	printsSet, replSet, linesSet uintptr
}

// hostSetsOf is where c's sets lie; a policy whose state is its own has
// none to warm, and the fingerprints stand in for it.
func hostSetsOf(c *Cache) hostSets {
	h := hostSets{
		prints: unsafe.Pointer(unsafe.SliceData(c.prints)), printsSet: uintptr(c.ways),
		lines: unsafe.Pointer(unsafe.SliceData(c.lines)), linesSet: uintptr(c.ways) * unsafe.Sizeof(wayState{}),
	}
	if h.repl, h.replSet = c.repl.Layout(); h.repl == nil {
		h.repl, h.replSet = h.prints, h.printsSet
	}
	return h
}

// warmSet has the host fetch what a lookup and a fill of line ln read
// first: the set's fingerprints, its replacement state and its ways' tags.
func (c *Cache) warmSet(ln uint64) {
	set := uintptr(ln & c.setMask)
	h := &c.host
	hostPrefetch(unsafe.Add(h.prints, set*h.printsSet), unsafe.Add(h.repl, set*h.replSet),
		unsafe.Add(h.lines, set*h.linesSet), h.linesSet)
}
