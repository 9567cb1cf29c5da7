package cache

import (
	"strconv"

	"github.com/vmemu/vmemu/sim"
)

// coreCounts are one core's hits and misses at a level the cores share,
// by the kinds a request that looks lines up has (coreKinds): write-backs
// and victims arriving from above carry no core, and are the level's alone.
type coreCounts struct {
	Hits, Misses [len(coreKinds)]uint64
}

// coreKinds are the kinds counted by core, and coreSlot each kind's place
// among them (-1: not counted by core).
var (
	coreKinds = [...]sim.Kind{sim.Fetch, sim.Load, sim.Store, sim.PTERead, sim.PTEWrite, sim.Prefetch}
	coreSlot  = func() (s [sim.NumKinds]int8) {
		for k := range s {
			s[k] = -1
		}
		for i, k := range coreKinds {
			s[k] = int8(i)
		}
		return s
	}()
)

// CountByCore makes the level count the hits and misses of each of cores
// cores apart (by Request.Core), beside its totals: what each core's share
// of a shared level is in a report. Call it before Register.
func (c *Cache) CountByCore(cores int) { c.byCore = make([]coreCounts, cores) }

// countCore counts a request that hit or missed for its core; one of no
// core the level knows (none is, today) is in the totals only.
func (c *Cache) countCore(req *sim.Request, missed bool) {
	slot := coreSlot[req.Kind]
	if int(req.Core) >= len(c.byCore) || slot < 0 {
		return
	}
	if n := &c.byCore[req.Core]; missed {
		n.Misses[slot]++
	} else {
		n.Hits[slot]++
	}
}

// registerByCore adds each core's counts as NAME.coreK.KIND.hits and
// .misses, details.
func (c *Cache) registerByCore(s *sim.Stats) {
	for k := range c.byCore {
		p, who := c.cfg.Name+".core"+strconv.Itoa(k)+".", " accesses of core "+strconv.Itoa(k)
		for i, kind := range coreKinds {
			q := p + kind.String() + "."
			s.Register(q+"hits", &c.byCore[k].Hits[i], kind.String()+who+" that hit", sim.Detail)
			s.Register(q+"misses", &c.byCore[k].Misses[i], kind.String()+who+" that missed", sim.Detail)
		}
	}
}
