package os

import (
	"errors"

	"github.com/vmemu/vmemu/sim"
)

// frameAllocator hands out physical frames: in order from frame 1 (frame 0
// is never used, so a zero entry never points at a real frame), or at
// seeded random; and, for huge pages, blocks of 1<<blockShift contiguous
// frames aligned to their size, the lowest free block first.
type frameAllocator struct {
	n      uint64 // frames it hands out: [1, n)
	next   uint64
	random *sim.RNG
	used   map[uint64]bool
	free   []uint64 // frames given back, reused first (last in, first out)
	// blockUsed counts the frames in use in each aligned block; lowBlock
	// is at most the first block that may be wholly free.
	blockShift uint
	blockUsed  []uint32
	lowBlock   uint64
}

func newFrameAllocator(n uint64, random bool, seed uint64, blockShift uint) *frameAllocator {
	a := &frameAllocator{n: n, next: 1, used: map[uint64]bool{}, blockShift: blockShift,
		blockUsed: make([]uint32, n>>blockShift+1), lowBlock: 1}
	if random {
		a.random = sim.NewRNG(seed).Derive("frames")
	}
	return a
}

// errOutOfMemory is returned when every frame is in use and none can be
// reclaimed.
var errOutOfMemory = errors.New("out of physical memory")

// spare is the number of frames not in use.
func (a *frameAllocator) spare() int { return int(a.n-1) - len(a.used) }

func (a *frameAllocator) alloc() (uint64, error) {
	if a.spare() <= 0 {
		return 0, errOutOfMemory
	}
	for k := len(a.free); k > 0; k = len(a.free) {
		f := a.free[k-1]
		a.free = a.free[:k-1]
		if !a.used[f] { // a block allocation may have taken it since
			a.mark(f)
			return f, nil
		}
	}
	if a.random != nil {
		for {
			f := 1 + uint64(a.random.IntN(int(a.n-1)))
			if !a.used[f] {
				a.mark(f)
				return f, nil
			}
		}
	}
	for a.used[a.next] {
		a.next++
	}
	a.mark(a.next)
	return a.next, nil
}

func (a *frameAllocator) mark(f uint64) {
	a.used[f] = true
	a.blockUsed[f>>a.blockShift]++
}

// allocBlock returns the first frame of the lowest aligned block of
// 1<<blockShift frames that are all free, or false when every block has a
// frame in use (memory too fragmented: no compaction here).
func (a *frameAllocator) allocBlock() (uint64, bool) {
	size := uint64(1) << a.blockShift
	for b := a.lowBlock; (b+1)*size <= a.n; b++ {
		if a.blockUsed[b] != 0 {
			continue
		}
		a.lowBlock = b + 1
		for f := b * size; f < (b+1)*size; f++ {
			a.mark(f)
		}
		return b * size, true
	}
	return 0, false
}

// reserve marks a frame as used (a frame a state file maps).
func (a *frameAllocator) reserve(f uint64) {
	if f != 0 && f < a.n && !a.used[f] {
		a.mark(f)
	}
}

func (a *frameAllocator) release(f uint64) {
	if a.used[f] {
		delete(a.used, f)
		b := f >> a.blockShift
		a.blockUsed[b]--
		if a.blockUsed[b] == 0 && b > 0 {
			a.lowBlock = min(a.lowBlock, b)
		}
		a.free = append(a.free, f)
	}
}

func (a *frameAllocator) inUse() int { return len(a.used) }

// frameKind says what a frame holds.
type frameKind uint8

const (
	otherFrame frameKind = iota // a table, or preset by a state file
	anonFrame                   // a private page of one or more processes
	fileFrame                   // a page of a file (or shared anonymous object), in its page cache
	zeroFrame                   // the zero page
)

// pteRef names one leaf entry that maps a frame: the reverse map.
type pteRef struct {
	p  *Process
	va uint64
}

// frameInfo is what the kernel knows of a frame that holds a page.
type frameInfo struct {
	kind  frameKind
	rmap  []pteRef
	file  *File
	index uint64 // page index in file
	dirty bool   // a page-cache page changed and not yet written back
	ring  int    // position on the clock's circle, or -1
	// swapped is the swap slot this anonymous page was read from while
	// entries still name that slot (the swap cache), or -1: the page must
	// not change in place then, and can go back to that slot unwritten.
	swapped int
	// arrive is when the page's data is in memory: a page read ahead is in
	// the cache (and the swap cache) from the request on, but may not be
	// used before its disk read ends.
	arrive sim.Cycle
	// raMark is Linux's PG_readahead: the first page of a readahead
	// window's asynchronous tail, whose use starts the next window.
	raMark bool
	// hp is the transparent huge page this frame belongs to, while one
	// entry somewhere still maps that page whole.
	hp *hugePage
}

// frameTable is the allocator plus the frames' information and the clock.
type frameTable struct {
	*frameAllocator
	infos map[uint64]*frameInfo
	ring  []uint64 // frames holding pages: what the clock sweeps
	hand  int
}

func newFrameTable(a *frameAllocator) *frameTable {
	return &frameTable{frameAllocator: a, infos: map[uint64]*frameInfo{}}
}

// info returns the information of a frame, making it if need be.
func (t *frameTable) info(f uint64) *frameInfo {
	fi := t.infos[f]
	if fi == nil {
		fi = &frameInfo{ring: -1, swapped: -1}
		t.infos[f] = fi
	}
	return fi
}

// enterRing puts a page frame under the clock.
func (t *frameTable) enterRing(f uint64) {
	fi := t.info(f)
	if fi.ring < 0 {
		fi.ring = len(t.ring)
		t.ring = append(t.ring, f)
	}
}

// leaveRing takes a frame off the clock's circle.
func (t *frameTable) leaveRing(f uint64) {
	fi := t.infos[f]
	if fi == nil || fi.ring < 0 {
		return
	}
	i, last := fi.ring, len(t.ring)-1
	t.ring[i] = t.ring[last]
	t.infos[t.ring[i]].ring = i
	t.ring = t.ring[:last]
	fi.ring = -1
	if t.hand > last {
		t.hand = 0
	}
}

func (fi *frameInfo) removeRef(p *Process, va uint64) { fi.rmap = removeRef(fi.rmap, p, va) }

// removeRef takes the entry of p at va out of a reverse map.
func removeRef(rmap []pteRef, p *Process, va uint64) []pteRef {
	for i, r := range rmap {
		if r.p == p && r.va == va {
			rmap[i] = rmap[len(rmap)-1]
			return rmap[:len(rmap)-1]
		}
	}
	return rmap
}
