package replacement

import "fmt"

// PLRU is tree pseudo-LRU. A set's state is the inner nodes of a binary
// tree over its ways, kept as bits of a uint64: node i's children are 2i+1
// and 2i+2, and a range of ways [lo, hi) splits at (lo+hi)/2, so any number
// of ways up to 64 works (the tree is unbalanced when ways is not a power of
// two, and favours the way that has a half to itself). A bit of 0 sends the
// victim search to the lower half, 1 to the upper; a hit or fill points
// every node on its path away from the way used.
const PLRU = "plru"

// MaxPLRUWays is the most ways tree-PLRU supports (its bits fit a uint64).
const MaxPLRUWays = 64

func init() {
	Register(PLRU, Registration{
		New: func(c Config) Policy {
			p := &treePLRU{ways: c.Ways, bits: make([]uint64, c.Sets)}
			p.set, p.clr = treeMasks(c.Ways)
			return p
		},
		Check: checkPLRU,
		Bytes: func(c Config) uint64 { return 8 * uint64(c.Sets) },
	})
}

func checkPLRU(c Config) error {
	if c.Ways > MaxPLRUWays {
		return fmt.Errorf("tree-PLRU supports at most %d ways, not %d", MaxPLRUWays, c.Ways)
	}
	return nil
}

type treePLRU struct {
	ways     int
	bits     []uint64 // per set
	set, clr []uint64 // per way: the bits a use sets and clears
}

func (p *treePLRU) touch(set, way int) { p.bits[set] = p.bits[set]&^p.clr[way] | p.set[way] }

func (p *treePLRU) victim(set int) int { return treeVictim(p.bits[set], p.ways) }

func (p *treePLRU) Update(a Access)     { p.touch(a.Set, a.Way) }
func (p *treePLRU) Victim(a Access) int { return p.victim(a.Set) }
func (p *treePLRU) ClearSet(set int)    { p.bits[set] = 0 }
func (p *treePLRU) Restart(Config)      {}

// treeTouch returns the tree after a use of way.
func treeTouch(tree uint64, ways, way int) uint64 {
	node, lo, hi := 0, 0, ways
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if way < mid { // used the lower half: point up
			tree |= 1 << node
			node, hi = 2*node+1, mid
		} else {
			tree &^= 1 << node
			node, lo = 2*node+2, mid
		}
	}
	return tree
}

// treeVictim returns the way the tree points at.
func treeVictim(tree uint64, ways int) int {
	node, lo, hi := 0, 0, ways
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if tree&(1<<node) == 0 {
			node, hi = 2*node+1, mid
		} else {
			node, lo = 2*node+2, mid
		}
	}
	return lo
}

// treeMasks precomputes, for every way, the bits treeTouch sets and
// clears, so that a hit can touch with tree&^clr[way] | set[way].
func treeMasks(ways int) (set, clr []uint64) {
	set, clr = make([]uint64, ways), make([]uint64, ways)
	for w := range ways {
		set[w], clr[w] = treeTouch(0, ways, w), ^treeTouch(^uint64(0), ways, w)
	}
	return set, clr
}
