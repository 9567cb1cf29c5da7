package replacement

// State is the replacement state of one cache or TLB: the policy New built
// for it. A hit in a cache or a TLB, the hottest path of a run, updates its
// policy, and an indirect call there costs measurable speed, so State calls
// the built-in policies directly, and TryHit is small enough to be inlined
// where it is called; a policy registered elsewhere goes through Policy.
// Copies of a State share one policy.
type State struct {
	kind builtin
	// The policy as its own type, for the built-in one kind names.
	lru   *lru
	fifo  *fifo
	plru  *treePLRU
	srrip *srrip
	rand  *random
	p     Policy
}

type builtin uint8

const (
	registered builtin = iota
	kindLRU
	kindFIFO
	kindPLRU
	kindSRRIP
	kindRandom
)

// New builds the policy called name (Default if empty) for c. An unknown
// name is an error that lists the registered ones.
func New(name string, c Config) (State, error) {
	e, err := find(name, c)
	if err != nil {
		return State{}, err
	}
	s := State{p: e.build(c)}
	switch p := s.p.(type) {
	case *lru:
		s.kind, s.lru = kindLRU, p
	case *fifo:
		s.kind, s.fifo = kindFIFO, p
	case *treePLRU:
		s.kind, s.plru = kindPLRU, p
	case *srrip:
		s.kind, s.srrip = kindSRRIP, p
	case *random:
		s.kind, s.rand = kindRandom, p
	}
	return s, nil
}

// TryHit is the fast path of Update for a hit on way of set: it tells the
// policy and reports true, or reports false having done nothing, and then
// the caller must call Update with the whole Access. It is small enough to
// be inlined where it is called, which a call through Policy, or even a
// direct call, is not: LRU and tree-PLRU are done in place, FIFO and random
// need nothing done.
func (s *State) TryHit(set, way int) bool {
	switch s.kind {
	case kindLRU:
		s.lru.stamp(set, way)
	case kindPLRU:
		s.plru.touch(set, way)
	case kindFIFO, kindRandom:
	default:
		return false
	}
	return true
}

// Update tells the policy of a hit or a fill.
func (s *State) Update(a Access) {
	switch {
	case !a.Hit:
		s.Fill(a)
	case s.TryHit(a.Set, a.Way):
	case s.kind == kindSRRIP:
		s.srrip.hit(a.Set, a.Way)
	default:
		s.p.Update(a)
	}
}

// Fill tells the policy of a fill of a.Way of a.Set (a.Hit is false).
func (s *State) Fill(a Access) {
	switch s.kind {
	case kindLRU:
		s.lru.stamp(a.Set, a.Way)
	case kindFIFO:
		s.fifo.stamp(a.Set, a.Way)
	case kindPLRU:
		s.plru.touch(a.Set, a.Way)
	case kindSRRIP:
		s.srrip.fill(a.Set, a.Way)
	case kindRandom:
	default:
		s.p.Update(a)
	}
}

// Victim returns the way to replace in the full set a.Set (a.Way is -1).
func (s *State) Victim(a Access) int {
	switch s.kind {
	case kindLRU:
		return s.lru.oldest(a.Set)
	case kindFIFO:
		return s.fifo.oldest(a.Set)
	case kindPLRU:
		return s.plru.victim(a.Set)
	case kindSRRIP:
		return s.srrip.victim(a.Set)
	case kindRandom:
		return s.rand.victim()
	}
	return s.p.Victim(a)
}

// ClearSet puts set back in its state when new.
func (s *State) ClearSet(set int) { s.p.ClearSet(set) }

// Restart makes the policy what New would build for c, after ClearSet of
// every set ever used (see Policy).
func (s *State) Restart(c Config) { s.p.Restart(c) }

// NeedsEveryHit reports whether the policy must be told of a hit on the way
// of its last hit, with nothing between. The built-in ones need not: a
// second hit on the most recently used way changes no choice they make, so
// a TLB may answer a repeat from a memo of its last hit without telling
// them.
func (s *State) NeedsEveryHit() bool { return s.kind == registered }
