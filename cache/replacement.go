package cache

import (
	"github.com/vmemu/vmemu/plru"
	"github.com/vmemu/vmemu/sim"
)

// A replacer keeps one policy's state for every set of a level. The level
// fills invalid ways first on its own; victim is asked only of a full set.
type replacer interface {
	touch(set, way int)  // a hit
	insert(set, way int) // a fill
	victim(set int) int
	clearSet(set int) // back to the state of a set never used
	restart()         // what is not per set back to its start (after clearSet of every used set)
}

func newReplacer(cfg Config, sets int) replacer {
	switch cfg.Replacement {
	case PLRU:
		return &treePLRU{ways: cfg.Ways, bits: make([]uint64, sets)}
	case FIFO:
		return &fifo{stamps{ways: cfg.Ways, at: make([]uint64, sets*cfg.Ways)}}
	case Random:
		return &random{ways: cfg.Ways, rng: sim.NewRNG(cfg.Seed).Derive(cfg.Name)}
	case SRRIP:
		return &srrip{ways: cfg.Ways, rrpv: make([]uint8, sets*cfg.Ways)}
	}
	return &lru{stamps{ways: cfg.Ways, at: make([]uint64, sets*cfg.Ways)}}
}

// stamps gives each way the time of its last use; the victim is the oldest.
type stamps struct {
	ways  int
	clock uint64
	at    []uint64
}

func (s *stamps) stamp(set, way int) {
	s.clock++
	s.at[set*s.ways+way] = s.clock
}

func (s *stamps) oldest(set int) int {
	row := s.at[set*s.ways : set*s.ways+s.ways]
	v, oldest := 0, row[0]
	for w, t := range row {
		if t < oldest { // compiled to conditional moves: no branch to mispredict
			v, oldest = w, t
		}
	}
	return v
}

func (s *stamps) clearSet(set int) { clear(s.at[set*s.ways : (set+1)*s.ways]) }
func (s *stamps) restart()         { s.clock = 0 }

type lru struct{ stamps }

func (l *lru) touch(set, way int)  { l.stamp(set, way) }
func (l *lru) insert(set, way int) { l.stamp(set, way) }
func (l *lru) victim(set int) int  { return l.oldest(set) }

// fifo stamps a way only when it is filled, so hits do not save it.
type fifo struct{ stamps }

func (f *fifo) touch(set, way int)  {}
func (f *fifo) insert(set, way int) { f.stamp(set, way) }
func (f *fifo) victim(set int) int  { return f.oldest(set) }

type random struct {
	ways int
	rng  *sim.RNG
}

func (r *random) touch(set, way int)  {}
func (r *random) insert(set, way int) {}
func (r *random) victim(set int) int  { return r.rng.IntN(r.ways) }
func (r *random) clearSet(int)        {}
func (r *random) restart()            {} // New makes a fresh generator

// treePLRU keeps ways-1 bits per set in a binary tree, node i's children at
// 2i+1 and 2i+2. A bit of 0 sends the victim search left, 1 right; a use
// points every node on its path away from the way used.
type treePLRU struct {
	ways int
	bits []uint64
}

func (p *treePLRU) touch(set, way int)  { p.bits[set] = plru.Touch(p.bits[set], p.ways, way) }
func (p *treePLRU) insert(set, way int) { p.touch(set, way) }
func (p *treePLRU) victim(set int) int  { return plru.Victim(p.bits[set], p.ways) }
func (p *treePLRU) clearSet(set int)    { p.bits[set] = 0 }
func (p *treePLRU) restart()            {}

// srrip is SRRIP-HP with 2-bit re-reference prediction values: a fill
// predicts a long re-reference interval (2), a hit a near one (0); the victim
// is the first way predicted distant (3), ageing the set until one is.
type srrip struct {
	ways int
	rrpv []uint8
}

const rrpvMax = 3

func (s *srrip) touch(set, way int)  { s.rrpv[set*s.ways+way] = 0 }
func (s *srrip) insert(set, way int) { s.rrpv[set*s.ways+way] = rrpvMax - 1 }
func (s *srrip) clearSet(set int)    { clear(s.rrpv[set*s.ways : (set+1)*s.ways]) }
func (s *srrip) restart()            {}
func (s *srrip) victim(set int) int {
	row := s.rrpv[set*s.ways : set*s.ways+s.ways]
	for {
		for w, v := range row {
			if v == rrpvMax {
				return w
			}
		}
		for w := range row {
			row[w]++
		}
	}
}
