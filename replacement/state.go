package replacement

import (
	"unsafe"

	"github.com/vmemu/vmemu/sim"
)

// State is the replacement state of one cache or TLB: the policy New built
// for it. A hit in a cache or a TLB, the hottest path of a run, updates its
// policy, and a call there, indirect or not, costs measurable speed. So
// State holds the built-in policies' state itself, not behind Policy or a
// pointer, and TryHit and TryFill, small enough to be inlined where they
// are called, do their hits and fills in place; a policy registered
// elsewhere goes through Policy. A State must not be copied once used: the
// copies' counters would part.
type State struct {
	kind builtin
	// What a hit and a fill do to a built-in policy's state, for TryHit
	// and TryFill.
	onHit, onFill action
	ways          int
	// The built-in policy kind names (the others stay zero). LRU and FIFO
	// share stamps: they differ only in when they stamp.
	stamps stamps
	plru   treePLRU
	srrip  srrip
	rand   random
	p      Policy // a registered policy
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

// An action is what a hit or a fill does to a built-in policy's state.
type action uint8

const (
	tell  action = iota // nothing: a registered policy must be told
	none                // nothing (FIFO's hits, random's hits and fills)
	stamp               // the way's stamp is the next one (LRU, FIFO's fills)
	tree                // the tree points away from the way (tree-PLRU)
	// rrpv+v: the way's re-reference prediction is v (SRRIP: 0 on a hit,
	// 2 on a fill).
	rrpv
)

// New builds the policy called name (Default if empty) for c. An unknown
// name is an error that lists the registered ones.
func New(name string, c Config) (State, error) {
	e, err := find(name, c)
	if err != nil {
		return State{}, err
	}
	s := State{ways: c.Ways}
	switch p := e.New(c).(type) {
	case *lru:
		s.kind, s.onHit, s.onFill, s.stamps = kindLRU, stamp, stamp, p.stamps
	case *fifo:
		s.kind, s.onHit, s.onFill, s.stamps = kindFIFO, none, stamp, p.stamps
	case *treePLRU:
		s.kind, s.onHit, s.onFill, s.plru = kindPLRU, tree, tree, *p
	case *srrip:
		s.kind, s.onHit, s.onFill, s.srrip = kindSRRIP, rrpv, rrpv+rrpvMax-1, *p
	case *random:
		s.kind, s.onHit, s.onFill, s.rand = kindRandom, none, none, *p
	default:
		s.p = p
	}
	return s, nil
}

// TryHit is the fast path of Update for a hit on way of set: it tells a
// built-in policy and reports true, or reports false having done nothing,
// and then the caller must call Update with the whole Access. It is small
// enough to be inlined where it is called, which a call through Policy, or
// even a direct call, is not.
func (s *State) TryHit(set, way int) bool { return s.do(s.onHit, set, way) }

// TryFill is TryHit for a fill of way of set; if it reports false the
// caller must call Update.
func (s *State) TryFill(set, way int) bool { return s.do(s.onFill, set, way) }

// do does act to way of set. The stamp and the prediction are written out
// rather than through the policies' methods to stay within the inliner's
// budget.
func (s *State) do(act action, set, way int) bool {
	switch i := set*s.ways + way; act {
	case tell, none:
	case stamp:
		s.stamps.clock++
		s.stamps.at[i] = s.stamps.clock
	case tree:
		s.plru.touch(set, way)
	default:
		s.srrip.rrpv[i] = uint8(act - rrpv)
	}
	return act != tell
}

// Renumber keeps LRU's and FIFO's stamps within their 32 bits: the owner
// of a State calls it once for each access it looks up or fills (a
// million stamps may pass between two calls), so that TryHit and TryFill,
// inlined on the hottest paths, need not look. It is small enough to be
// inlined itself.
func (s *State) Renumber() { s.stamps.renumberNear() }

// Update tells the policy of a hit or a fill. (It takes the Access by
// pointer, and Victim takes its fields, since Go builds an Access in
// memory; only a registered policy is given one by value.)
func (s *State) Update(a *Access) {
	var told bool
	if a.Hit {
		told = s.TryHit(a.Set, a.Way)
	} else {
		told = s.TryFill(a.Set, a.Way)
	}
	if !told {
		s.p.Update(*a)
	}
}

// Victim returns the way to replace in the full set, for an access to addr
// of kind by the instruction at ip.
func (s *State) Victim(set int, addr, ip uint64, kind sim.Kind) int {
	switch s.kind {
	case kindLRU, kindFIFO:
		return s.stamps.oldest(set)
	case kindPLRU:
		return s.plru.victim(set)
	case kindSRRIP:
		return s.srrip.victim(set)
	case kindRandom:
		return s.rand.victim()
	}
	return s.p.Victim(Access{Set: set, Way: -1, Addr: addr, IP: ip, Kind: kind})
}

// Layout is where set 0's state lies in the host's memory and how many
// bytes each set's takes (sets follow one another), for a caller that has
// the host fetch a set's state before Victim or a fill reads it (a cache
// warming the level below); nil for a policy whose state is its own.
func (s *State) Layout() (first unsafe.Pointer, setBytes uintptr) {
	switch s.kind {
	case kindLRU, kindFIFO:
		return unsafe.Pointer(unsafe.SliceData(s.stamps.at)), uintptr(s.ways) * unsafe.Sizeof(s.stamps.at[0])
	case kindPLRU:
		return unsafe.Pointer(unsafe.SliceData(s.plru.bits)), unsafe.Sizeof(s.plru.bits[0])
	case kindSRRIP:
		return unsafe.Pointer(unsafe.SliceData(s.srrip.rrpv)), uintptr(s.ways) * unsafe.Sizeof(s.srrip.rrpv[0])
	}
	return nil, 0
}

// ClearSet puts set back in its state when new.
func (s *State) ClearSet(set int) { s.held().ClearSet(set) }

// Restart makes the policy what New would build for c, after ClearSet of
// every set ever used (see Policy).
func (s *State) Restart(c Config) { s.held().Restart(c) }

// held is the state of the policy, for what is not on a hot path.
func (s *State) held() interface {
	ClearSet(set int)
	Restart(c Config)
} {
	switch s.kind {
	case kindLRU, kindFIFO:
		return &s.stamps
	case kindPLRU:
		return &s.plru
	case kindSRRIP:
		return &s.srrip
	case kindRandom:
		return &s.rand
	}
	return s.p
}

// NeedsEveryHit reports whether the policy must be told of a hit on the way
// of its last hit, with nothing between. The built-in ones need not: a
// second hit on the most recently used way changes no choice they make, so
// a TLB may answer a repeat from a memo of its last hit without telling
// them.
func (s *State) NeedsEveryHit() bool { return s.kind == registered }
