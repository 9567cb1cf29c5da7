package replacement

import "github.com/vmemu/vmemu/sim"

// Random replaces a way drawn uniformly from the owner's own stream,
// sim.NewRNG(Seed).Derive(Name): one draw per victim, none otherwise.
const Random = "random"

func init() {
	Register(Random, Registration{New: func(c Config) Policy { return &random{ways: c.Ways, rng: stream(c)} }})
}

type random struct {
	ways int
	rng  *sim.RNG
}

func stream(c Config) *sim.RNG { return sim.NewRNG(c.Seed).Derive(c.Name) }

func (p *random) victim() int       { return p.rng.IntN(p.ways) }
func (p *random) Update(Access)     {}
func (p *random) Victim(Access) int { return p.victim() }
func (p *random) ClearSet(int)      {}
func (p *random) Restart(c Config)  { p.rng = stream(c) }
