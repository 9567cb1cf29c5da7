package cache

import "math/bits"

// A core's evictions do not reach the directory. Its entry for a line
// keeps every core it granted the line to, and the owner, until a later
// grant or an invalidation rewrites it: a core whose levels have since
// dropped the line stays named. What each core it names holds, the core's
// own copies say: each keeps the grant the directory made for it. So the
// entry is checked against those copies when it is read (sharers), in
// the few cases it names a core other than the one asking.
//
// Telling the directory of every private eviction instead meant a search
// of the shared level's tags for each: megabytes the host's caches do not
// keep, an eighth of a run of four cores on random loads, for lines
// usually dropped for good. The results are the same: the sharers and
// owner a request is answered with are the cores that hold the line as
// granted, as the entries kept exactly used to say.

// grant is what the directory granted a core for a line, kept on each of
// the core's copies of it. All of a core's copies of a line have one: the
// directory's grants, downgrades and invalidations act on all of them, and
// a copy placed takes its siblings' (granted). A way's MESI state is its
// tag (I or not), its grant and its dirty bit.
type grant uint8

const (
	ungranted   grant = iota // its request has not reached the directory yet (it waits for an MSHR)
	grantShared              // S: the core is one of the line's sharers
	grantOwned               // E, or M when dirty: the core is the line's owner
)

// leavingCopy is a line on its way from one of a core's levels to another
// below (a write-back or a victim posted down, which the level below
// places at once): between the two places, it is the core's copy, as far
// as a placement of it or an eviction of its line in the shared level is
// concerned. A placement below may evict a line of its own on the way: a
// core has a stack of them, one a level at most.
type leavingCopy struct {
	line  uint64
	grant grant
}

// leave marks line ln, with grant g, as leaving one of core k's levels
// for another below it, until left.
func (d *Directory) leave(k int, ln uint64, g grant) {
	d.leaving[k] = append(d.leaving[k], leavingCopy{line: ln, grant: g})
}

// left ends the last leave of core k.
func (d *Directory) left(k int) { d.leaving[k] = d.leaving[k][:len(d.leaving[k])-1] }

// lose lowers to g the grant of core k's leaving copies of line ln (an
// invalidation, or a downgrade to Shared).
func (d *Directory) lose(k int, ln uint64, g grant) {
	for j := range d.leaving[k] {
		if c := &d.leaving[k][j]; c.line == ln {
			c.grant = min(c.grant, g)
		}
	}
}

// granted is core k's grant for line ln, for a copy its level at places:
// its other copies', else a leaving copy's, else none.
func (d *Directory) granted(k int, ln uint64, at *Cache) grant {
	for _, l := range d.cores[k] {
		if l != at {
			if j := l.wayOfLast(ln); j >= 0 {
				return l.coh.grants[j]
			}
		}
	}
	for _, c := range d.leaving[k] {
		if c.line == ln {
			return c.grant
		}
	}
	return ungranted
}

// sharers is the entry of line ln (way i) as its cores' copies say: the
// cores it names that still hold the line as granted, and the owner if it
// still does. Core k is the one asking, if any (-1 otherwise): its copies
// are those gathered for its request. Cores dropped from the entry are
// written back to it, so that each is asked once.
func (d *Directory) sharers(i int, ln uint64, k int) (s uint64, o int) {
	named, owner := d.entries.get(i)
	o = -1
	others := named
	if k >= 0 {
		others &^= 1 << k
		if g := d.heldGrant(); g != ungranted {
			s |= 1 << k
			if g == grantOwned {
				o = k
			}
		}
	}
	for ; others != 0; others &= others - 1 {
		j := bits.TrailingZeros64(others)
		switch d.granted(j, ln, nil) {
		case grantOwned:
			s |= 1 << j
			o = j
		case grantShared:
			s |= 1 << j
		}
	}
	if s != named || o != owner {
		d.entries.set(i, s, o)
	}
	return s, o
}

// heldGrant is the grant of the gathered copies (ungranted if none).
func (d *Directory) heldGrant() grant {
	if len(d.held) == 0 {
		return ungranted
	}
	c := d.held[0]
	return c.l.coh.grants[c.way]
}
