package os

import (
	"fmt"

	"github.com/vmemu/vmemu/sim"
)

// frameAllocator hands out physical frames: in order from frame 1 (frame 0
// is never used, so a zero entry never points at a real frame), or at
// seeded random.
type frameAllocator struct {
	n      uint64 // frames in memory
	next   uint64
	random *sim.RNG
	used   map[uint64]bool
	free   []uint64 // frames given back
}

func newFrameAllocator(n uint64, random bool, seed uint64) *frameAllocator {
	a := &frameAllocator{n: n, next: 1, used: map[uint64]bool{}}
	if random {
		a.random = sim.NewRNG(seed).Derive("frames")
	}
	return a
}

// errOutOfMemory is returned when every frame is in use.
var errOutOfMemory = fmt.Errorf("out of physical memory")

func (a *frameAllocator) alloc() (uint64, error) {
	if len(a.used) >= int(a.n-1) {
		return 0, errOutOfMemory
	}
	if k := len(a.free); k > 0 {
		f := a.free[k-1]
		a.free = a.free[:k-1]
		a.used[f] = true
		return f, nil
	}
	if a.random != nil {
		for {
			f := 1 + uint64(a.random.IntN(int(a.n-1)))
			if !a.used[f] {
				a.used[f] = true
				return f, nil
			}
		}
	}
	for a.used[a.next] {
		a.next++
	}
	a.used[a.next] = true
	return a.next, nil
}

// reserve marks a frame as used (a frame a state file maps).
func (a *frameAllocator) reserve(f uint64) {
	if f != 0 && f < a.n {
		a.used[f] = true
	}
}

func (a *frameAllocator) inUse() int { return len(a.used) }
