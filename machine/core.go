package machine

import (
	"strconv"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Core is what one core of the machine has to itself: its private cache
// levels, the first levels its fetches and its loads and stores go to
// (private, or shared when every level is), and its MMU (TLBs, page
// walker, page-walk caches). A machine of one core is Cores[0]; with
// more, each is one more instance of the same parts.
type Core struct {
	ID int
	// Name is the core's place ("core1"), the prefix of its levels' and
	// counters' names; "" on a machine of one core, whose names are
	// today's ("l1d", "mmu.walks").
	Name        string
	Caches      []*cache.Cache // its private levels, top first
	Fetch, Data *cache.Cache
	MMU         *mmu.MMU
}

func newCore(id, cores int) *Core {
	c := &Core{ID: id}
	if cores > 1 {
		c.Name = "core" + strconv.Itoa(id)
	}
	return c
}

// Place names something of the core by its place: "core1.l1d", or "l1d"
// on a machine of one core.
func (c *Core) Place(name string) string {
	if c.Name == "" {
		return name
	}
	return c.Name + "." + name
}

// prefix is what the core's counters' names start with: "core1.", or
// nothing on a machine of one core.
func (c *Core) prefix() string {
	if c.Name == "" {
		return ""
	}
	return c.Name + "."
}

// register adds what r registers to the machine's registry under the
// core's place: a block registers itself under the names it always has
// (mmu.walks), which on a machine of several cores become core1.mmu.walks.
func (c *Core) register(s *sim.Stats, r func(*sim.Stats)) {
	if c.Name == "" {
		r(s)
		return
	}
	var own sim.Stats
	r(&own)
	s.Include(c.prefix(), &own)
}

// cacheNamed is the core's private level called name (as the levels key
// names it), or nil.
func (c *Core) cacheNamed(name string) *cache.Cache {
	for _, x := range c.Caches {
		if x.Config().Name == c.Place(name) {
			return x
		}
	}
	return nil
}
