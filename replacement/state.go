package replacement

import "github.com/vmemu/vmemu/sim"

// State is the replacement state of one cache or TLB: the policy New built
// for it. The built-in policies are called directly rather than through
// Policy, since a hit in a cache or a TLB makes one call here and an
// indirect call there cost measurable speed; a policy registered elsewhere
// goes through Policy. Copies of a State share one policy.
type State struct{ p Policy }

// New builds the policy called name for c. An unknown name is an error that
// lists the registered ones.
func New(name string, c Config) (State, error) {
	e, err := find(name, c)
	if err != nil {
		return State{}, err
	}
	return State{e.build(c)}, nil
}

// Hit records a hit on way of set by the instruction at ip.
func (s State) Hit(set, way int, addr, ip uint64, kind sim.Kind) {
	switch p := s.p.(type) {
	case *lru:
		p.stamp(set, way)
	case *treePLRU:
		p.touch(set, way)
	case *srrip:
		p.hit(set, way)
	case *fifo, *random:
	default:
		p.Update(Access{Set: set, Way: way, Addr: addr, IP: ip, Kind: kind, Hit: true})
	}
}

// Fill records a fill of a.Way of a.Set (a.Hit is false).
func (s State) Fill(a Access) {
	switch p := s.p.(type) {
	case *lru:
		p.stamp(a.Set, a.Way)
	case *fifo:
		p.stamp(a.Set, a.Way)
	case *treePLRU:
		p.touch(a.Set, a.Way)
	case *srrip:
		p.fill(a.Set, a.Way)
	case *random:
	default:
		p.Update(a)
	}
}

// Victim returns the way to replace in the full set a.Set (a.Way is -1).
func (s State) Victim(a Access) int {
	switch p := s.p.(type) {
	case *lru:
		return p.oldest(a.Set)
	case *fifo:
		return p.oldest(a.Set)
	case *treePLRU:
		return p.victim(a.Set)
	case *srrip:
		return p.victim(a.Set)
	case *random:
		return p.victim()
	}
	return s.p.Victim(a)
}

// ClearSet puts set back in its state when new.
func (s State) ClearSet(set int) { s.p.ClearSet(set) }

// Restart makes the policy what New would build for c, after ClearSet of
// every set ever used (see Policy).
func (s State) Restart(c Config) { s.p.Restart(c) }

// NeedsEveryHit reports whether the policy must be told of a hit on the way
// of its last hit, with nothing between. The built-in ones need not: a second hit on
// the most recently used way changes no choice they will make, so a TLB may
// answer a repeat from a memo of its last hit without telling them.
func (s State) NeedsEveryHit() bool {
	switch s.p.(type) {
	case *lru, *fifo, *treePLRU, *srrip, *random:
		return false
	}
	return true
}
