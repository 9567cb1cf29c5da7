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
// FIFO on fills only.
type stamps struct {
	ways  int
	clock uint64
	at    []uint64 // per way, set by set
}

func newStamps(c Config) stamps {
	return stamps{ways: c.Ways, at: make([]uint64, c.Sets*c.Ways)}
}

func stampBytes(c Config) uint64 { return 8 * uint64(c.Sets) * uint64(c.Ways) }

func (s *stamps) stamp(set, way int) {
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

func (s *stamps) ClearSet(set int) { clear(s.at[set*s.ways : (set+1)*s.ways]) }
func (s *stamps) Restart(Config)   { s.clock = 0 }
