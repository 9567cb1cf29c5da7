package replacement

// LRU is true least-recently-used: the victim is the way whose last hit or
// fill is the oldest, the lowest such way on a tie (only empty ways tie).
const LRU = "lru"

func init() {
	Register(LRU, Registration{New: func(c Config) Policy { return &lru{newStamps(c)} }, Bytes: stampBytes})
}

type lru struct{ stamps }

func (p *lru) Update(a Access)     { p.stamp(a.Set, a.Way) }
func (p *lru) Victim(a Access) int { return p.oldest(a.Set) }

// stamps gives each way the time of its last stamp, counted in stamps made
// by this cache or TLB; the victim is the oldest. LRU stamps on every use,
// FIFO on fills only. A stamp is 32 bits, half of what 64 took: a 32 MiB
// last level's stamps are 2 MiB, a set's 16 one host cache line. The owner
// keeps the clock from running out (State.Renumber): near its limit the
// stamps of each set are renumbered from 1 in the same order, which
// changes no victim.
type stamps struct {
	ways  int
	clock uint32
	at    []uint32 // per way, set by set; 0: never stamped
}

// stampLimit is the clock past which Renumber renumbers: it leaves room
// for a million stamps between two calls, far more than one access of a
// cache or a TLB makes (a line's hit or fill each, at most 256 lines).
const stampLimit = 1<<32 - 1<<20

func newStamps(c Config) stamps {
	return stamps{ways: c.Ways, at: make([]uint32, c.Sets*c.Ways)}
}

func stampBytes(c Config) uint64 { return 4 * uint64(c.Sets) * uint64(c.Ways) }

func (s *stamps) stamp(set, way int) {
	s.renumberNear()
	s.clock++
	s.at[set*s.ways+way] = s.clock
}

// oldest returns the first way with the smallest stamp.
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

// renumberNear renumbers the stamps if the clock is near its limit.
func (s *stamps) renumberNear() {
	if s.clock >= stampLimit {
		s.renumber()
	}
}

// renumber gives each set's stamped ways the stamps 1, 2, ... in the order
// of their stamps (ways never stamped keep 0), and the clock the most any
// set can hold, so every later stamp is newer than all of them.
func (s *stamps) renumber() {
	rank := make([]uint32, s.ways)
	for base := 0; base < len(s.at); base += s.ways {
		row := s.at[base : base+s.ways]
		for w, t := range row {
			rank[w] = 0
			if t == 0 {
				continue
			}
			rank[w] = 1
			for _, u := range row {
				if u != 0 && u < t {
					rank[w]++
				}
			}
		}
		copy(row, rank)
	}
	s.clock = uint32(s.ways)
}

func (s *stamps) ClearSet(set int) { clear(s.at[set*s.ways : (set+1)*s.ways]) }
func (s *stamps) Restart(Config)   { s.clock = 0 }
