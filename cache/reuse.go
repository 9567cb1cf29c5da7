package cache

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/vmemu/vmemu/replacement"
)

// A level's per-way arrays are most of what building a machine allocates
// (about 10 MB for a 32 MiB last level). A sweep builds one machine per
// point, so short points spent as much time getting zeroed arrays and
// collecting the last point's as simulating, and two workers contended for
// memory bandwidth doing it. Release hands a level's arrays back, clearing
// only the sets the level ever filled, and New takes them for the next
// level of the same shape: it starts exactly as empty as fresh memory.

// wayArrays is the state of every way of a level: what New allocates.
type wayArrays struct {
	lines   []wayState
	prints  []uint8
	dirty   []bool
	repl    replacement.State // while spare; the level holds it while it lives
	touched []uint64          // a bit per set that a line was ever placed in
}

// shape is what makes two levels' arrays interchangeable.
type shape struct {
	sets, ways int
	policy     string
}

// spareArrays holds released arrays by shape. A few per shape are enough
// for every worker of a sweep to reuse its own; more would only hold memory.
var spareArrays = struct {
	sync.Mutex
	byShape map[shape][]*wayArrays
}{byShape: map[shape][]*wayArrays{}}

const sparesPerShape = 4

// ArrayBytes is what New allocates for a level's ways (newWayArrays and
// its replacement policy), for a machine to know before it builds one
// whether it fits the host. It is computed from the size in 64-bit
// arithmetic, so a geometry too large to build still gets its true figure.
func (c Config) ArrayBytes() uint64 {
	if c.LineSize <= 0 || c.Ways <= 0 {
		return 0
	}
	ways := c.Size / uint64(c.LineSize)
	sets := ways / uint64(c.Ways)
	perWay := uint64(unsafe.Sizeof(wayState{})) + 2 // a print and a dirty bit
	n := ways*perWay + sets/8                       // and a touched bit per set
	if c.Prefetch.on() || c.Prefetch.Marks {
		n += ways // a prefetched mark per way
	}
	if c.Prefetch.on() {
		n += ways * uint64(unsafe.Sizeof(pendingFill{})) // a fill to tell the prefetcher of, per way
	}
	return n + replacement.Bytes(c.Replacement, replacement.Config{Sets: int(sets), Ways: c.Ways})
}

func newWayArrays(cfg Config) (*wayArrays, error) {
	sets := cfg.Sets()
	k := shape{sets, cfg.Ways, cfg.Replacement}
	spareArrays.Lock()
	list := spareArrays.byShape[k]
	var a *wayArrays
	if n := len(list); n > 0 {
		a, list[n-1] = list[n-1], nil
		spareArrays.byShape[k] = list[:n-1]
	}
	spareArrays.Unlock()
	if a != nil {
		a.repl.Restart(cfg.replacementConfig()) // this level's seed and name
		return a, nil
	}
	repl, err := replacement.New(cfg.Replacement, cfg.replacementConfig())
	if err != nil {
		return nil, err
	}
	n := sets * cfg.Ways
	return &wayArrays{
		lines:   make([]wayState, n),
		prints:  make([]uint8, n, n+7), // room for find to read a set's last ways eight at a time
		dirty:   make([]bool, n),
		repl:    repl,
		touched: make([]uint64, (sets+63)/64),
	}, nil
}

// Release gives the level's arrays back for a later level of the same
// shape to reuse. The level must not be used after.
func (c *Cache) Release() {
	a := c.arrays
	if a == nil {
		return
	}
	a.repl = c.repl
	c.arrays, c.lines, c.prints, c.dirty, c.repl = nil, nil, nil, nil, replacement.State{}
	c.host = hostSets{}
	a.clear(c.ways)
	k := shape{int(c.setMask) + 1, c.ways, c.cfg.Replacement}
	spareArrays.Lock()
	defer spareArrays.Unlock()
	if len(spareArrays.byShape[k]) < sparesPerShape {
		spareArrays.byShape[k] = append(spareArrays.byShape[k], a)
	}
}

// clear empties every set a line was placed in, and the replacement
// state with it, back to what fresh zeroed memory holds (the policy's state
// that is not per set restarts when the arrays are taken again).
func (a *wayArrays) clear(ways int) {
	for w, word := range a.touched {
		for ; word != 0; word &= word - 1 {
			set := w*64 + bits.TrailingZeros64(word)
			clear(a.lines[set*ways : (set+1)*ways])
			clear(a.prints[set*ways : (set+1)*ways])
			clear(a.dirty[set*ways : (set+1)*ways])
			a.repl.ClearSet(set)
		}
		a.touched[w] = 0
	}
}

// touch records that set holds or held a line.
func (a *wayArrays) touch(set int) { a.touched[set>>6] |= 1 << (set & 63) }
