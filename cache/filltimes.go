package cache

import (
	"slices"

	"github.com/vmemu/vmemu/sim"
)

// fillTimes holds the fill times of a level's issued MSHR entries that
// know theirs (Complete has run), in order, one per entry, repeats kept.
// A core that runs far ahead of its misses leaves a hundred entries
// waiting on 16 MSHRs; slot, once a miss, used to count them and select
// the one it needs among them, a quarter of a memory-bound run. In order,
// it is a binary search. New fill times are mostly the latest, so an
// insertion moves few; the entries recycled are the earliest (recycle
// takes them off the front).
type fillTimes []sim.Cycle

// after returns the index of the first time later than t.
func (f fillTimes) after(t sim.Cycle) int {
	lo, hi := 0, len(f)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if f[mid] > t {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// add inserts t and returns where it went (the first place after its
// repeats).
func (f *fillTimes) add(t sim.Cycle) int {
	i := f.after(t)
	*f = slices.Insert(*f, i, t)
	return i
}
