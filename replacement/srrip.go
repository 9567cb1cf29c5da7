package replacement

// SRRIP is static re-reference interval prediction, hit-priority, with
// 2-bit values (Jaleel, Theobald, Steely and Emer, "High Performance Cache
// Replacement Using Re-Reference Interval Prediction (RRIP)", ISCA 2010):
// a fill predicts a long re-reference interval (2), a hit a near-immediate
// one (0); the victim is the first way predicted distant (3), the whole set
// ageing by one until some way is.
const SRRIP = "srrip"

func init() {
	Register(SRRIP, Registration{
		New:   func(c Config) Policy { return &srrip{ways: c.Ways, rrpv: make([]uint8, c.Sets*c.Ways)} },
		Bytes: func(c Config) uint64 { return uint64(c.Sets) * uint64(c.Ways) },
	})
}

type srrip struct {
	ways int
	rrpv []uint8 // per way, set by set
}

const rrpvMax = 3

func (p *srrip) hit(set, way int)  { p.rrpv[set*p.ways+way] = 0 }
func (p *srrip) fill(set, way int) { p.rrpv[set*p.ways+way] = rrpvMax - 1 }

func (p *srrip) victim(set int) int {
	row := p.rrpv[set*p.ways : set*p.ways+p.ways]
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

func (p *srrip) Update(a Access) {
	if a.Hit {
		p.hit(a.Set, a.Way)
	} else {
		p.fill(a.Set, a.Way)
	}
}

func (p *srrip) Victim(a Access) int { return p.victim(a.Set) }
func (p *srrip) ClearSet(set int)    { clear(p.rrpv[set*p.ways : (set+1)*p.ways]) }
func (p *srrip) Restart(Config)      {}
