package cache

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// inTransit reports whether core k's copy of line ln waits for an MSHR in
// one of its levels: its request has not reached the directory, so the
// directory does not know of it yet.
func inTransit(m *multi, k int, ln uint64) bool {
	for _, l := range m.cores[k] {
		if e := l.byLine.get(ln); e != nil && !e.issued {
			return true
		}
	}
	return false
}

// checkMESI checks MESI's invariants over the whole machine, reading the
// levels' contents (not the directory's code):
//   - a line a core holds is in the LLC, and the directory's sharers are
//     exactly the cores whose private levels hold it;
//   - an owner is the line's only sharer: a line E or M in one core is in no
//     other core (a single writer, or many readers);
//   - a core's copies are exclusive exactly when it is the owner, and a
//     dirty copy is exclusive (M, never a dirty S);
//   - a core's copies of a line have one grant, those in transit too;
//   - an empty LLC way has an empty directory entry.
//
// Copies in transit (inTransit) are left out.
func checkMESI(m *multi) error {
	held := map[uint64]uint64{}
	for k, levels := range m.cores {
		grants := map[uint64]grant{} // line: the grant of the core's first copy of it
		for _, l := range levels {
			for i, w := range l.lines {
				if w.tag == invalidTag {
					continue
				}
				ln := w.tag - 1
				if g, ok := grants[ln]; ok && g != l.coh.grants[i] {
					return fmt.Errorf("core %d: line %d granted %d in %s, %d in another level", k, ln, l.coh.grants[i], l.cfg.Name, g)
				}
				grants[ln] = l.coh.grants[i]
				if inTransit(m, k, ln) {
					continue
				}
				held[ln] |= 1 << k
				j := m.llc.find(ln)
				if j < 0 {
					return fmt.Errorf("%s holds line %d, the LLC does not", l.cfg.Name, ln)
				}
				_, owner := m.dir.sharers(j, ln, -1)
				if excl := l.coh.grants[i] == grantOwned; excl != (owner == k) {
					return fmt.Errorf("%s: line %d exclusive=%v, the directory's owner is %d", l.cfg.Name, ln, excl, owner)
				}
				if l.dirty[i] && l.coh.grants[i] != grantOwned {
					return fmt.Errorf("%s: line %d dirty but Shared", l.cfg.Name, ln)
				}
			}
		}
	}
	for j := range m.llc.lines {
		tag := m.llc.tagOf(j)
		s, owner := m.dir.entries.get(j) // an empty way's, as kept
		if tag != invalidTag {
			s, owner = m.dir.sharers(j, tag-1, -1) // as its cores' grants say
		}
		if tag == invalidTag {
			if s != 0 || owner >= 0 {
				return fmt.Errorf("empty LLC way %d has sharers %b, owner %d", j, s, owner)
			}
			continue
		}
		ln := tag - 1
		var transit uint64
		for k := range m.cores {
			if inTransit(m, k, ln) {
				transit |= 1 << k
			}
		}
		if s&^transit != held[ln]&^transit {
			return fmt.Errorf("line %d: directory sharers %b, private levels hold it in %b", ln, s, held[ln])
		}
		if owner >= 0 && (s != 1<<owner || held[ln]&^transit&^(1<<owner) != 0) {
			return fmt.Errorf("line %d: owner %d, sharers %b, held by %b", ln, owner, s, held[ln])
		}
	}
	return nil
}

// mesiModel is the textbook's MESI, line by line and core by core, which
// the machine must agree with after every access. It learns of evictions
// from the machine (a core that holds the line no more is I).
type mesiModel map[uint64][]MESI

func (md mesiModel) apply(k int, write bool, ln uint64, cores int) {
	st := md[ln]
	if st == nil {
		st = make([]MESI, cores)
		md[ln] = st
	}
	if write {
		for j := range st {
			st[j] = MESIInvalid
		}
		st[k] = MESIModified
		return
	}
	if st[k] != MESIInvalid {
		return
	}
	st[k] = MESIExclusive
	for j, s := range st {
		if j != k && s != MESIInvalid {
			st[j], st[k] = MESIShared, MESIShared
		}
	}
}

// sync sets I where the machine no longer holds a line, and E where a
// Modified line's data went down to the LLC while the core kept a clean
// copy (one private level wrote it back, another still holds it).
func (md mesiModel) sync(m *multi) {
	for ln, st := range md {
		for k := range st {
			switch s := m.state(k, ln); {
			case s == MESIInvalid:
				st[k] = MESIInvalid
			case s == MESIExclusive && st[k] == MESIModified && m.llc.State(ln*line) == MESIModified:
				st[k] = MESIExclusive
			}
		}
	}
}

// refetched takes the machine's E for a read of core k that the model
// has Shared when no other core holds the line: the access may have lost
// the line and asked for it again (the level placing it evicted a dirty
// victim, whose write-back displaced the line from the level below), and
// a core that asks for a line no other core holds gets it Exclusive.
func (md mesiModel) refetched(m *multi, k int, write bool, ln uint64) {
	st := md[ln]
	if write || st[k] != MESIShared || m.state(k, ln) != MESIExclusive {
		return
	}
	for j, s := range st {
		if j != k && s != MESIInvalid {
			return
		}
	}
	st[k] = MESIExclusive
}

func (md mesiModel) diff(m *multi) string {
	for ln, st := range md {
		var got []MESI
		for k := range st {
			got = append(got, m.state(k, ln))
		}
		if !slices.Equal(st, got) {
			return fmt.Sprintf("line %d, by core (-model +machine):\n%s", ln, cmp.Diff(st, got))
		}
	}
	return ""
}

// coreClock is one core of the random driver: when it may present its next
// access, and whether it waits for the last one.
type coreClock struct {
	next    sim.Cycle
	waiting bool
	done    []sim.Cycle // when each of its accesses got its data
}

// add sums a directory's totals into n.
func (n *coherenceCounts) add(d *Directory) {
	n.Invalidations += d.n.Invalidations
	n.Upgrades += d.n.Upgrades
	n.Transfers += d.n.Transfers
	n.Writebacks += d.n.Writebacks
	n.BackInvals += d.n.BackInvals
}

func (c *coreClock) Complete(_ *sim.Request, at sim.Cycle) {
	c.next, c.waiting = at, false
	c.done = append(c.done, at)
}

type randomCase struct {
	name  string
	shape shape2
	// pipelined cores present an access every cycle without waiting, so
	// misses queue for MSHRs; the model (which applies each access when
	// presented) is then left out, the invariants kept.
	pipelined bool
	lines     int
}

// runRandom drives the cores with random loads, stores and fetches over a
// few lines (so that the small levels evict, private and shared), in time
// order, checking the invariants and the model after every access. It
// returns each core's completion times.
func runRandom(t *testing.T, rc randomCase, seed uint64, accesses int, seen *coherenceCounts) [][]sim.Cycle {
	t.Helper()
	m := build(t, rc.shape)
	rng := sim.NewRNG(seed)
	clocks := make([]*coreClock, len(m.cores))
	for k := range clocks {
		clocks[k] = &coreClock{}
	}
	model := mesiModel{}
	for n := 0; n < accesses; {
		k := -1
		for j, c := range clocks {
			if !c.waiting && (k < 0 || c.next < clocks[k].next) {
				k = j
			}
		}
		if k < 0 || m.e.Next() <= clocks[k].next {
			if !m.e.Step() {
				t.Fatalf("access %d: every core waits and no event is left", n)
			}
			continue
		}
		c := clocks[k]
		m.e.RunUntil(c.next)
		ln := uint64(rng.IntN(rc.lines))
		kind := []sim.Kind{sim.Load, sim.Load, sim.Store, sim.Store, sim.Fetch}[rng.IntN(5)]
		top := m.cores[k][m.data]
		if kind == sim.Fetch {
			top = m.cores[k][0]
		}
		req := &sim.Request{Addr: ln*line + uint64(rng.IntN(8))*8, Size: 8, Kind: kind, Core: uint16(k), Done: c}
		done, ok := top.Access(c.next, req)
		switch {
		case rc.pipelined:
			if ok {
				c.done = append(c.done, done)
			}
			c.next++
		case ok:
			c.done = append(c.done, done)
			c.next = done
		default:
			c.waiting = true
		}
		n++
		if err := checkMESI(m); err != nil {
			t.Fatalf("seed %d, access %d (core %d %v line %d): %v", seed, n, k, kind, ln, err)
		}
		if rc.pipelined {
			continue
		}
		model.apply(k, kind == sim.Store, ln, len(m.cores))
		model.sync(m)
		model.refetched(m, k, kind == sim.Store, ln)
		if d := model.diff(m); d != "" {
			t.Fatalf("seed %d, access %d (core %d %v line %d): %s", seed, n, k, kind, ln, d)
		}
	}
	m.e.Run()
	must(t, checkMESI(m))
	seen.add(m.dir)
	out := make([][]sim.Cycle, len(clocks))
	for k, c := range clocks {
		out[k] = c.done
	}
	return out
}

// Random accesses from 2-4 cores through small levels (so that lines are
// evicted from private levels and from the LLC all the time), against MESI's
// invariants and the textbook's transitions after every access; the same
// seed gives the same cycles.
func TestCoherenceRandom(t *testing.T) {
	small := func(cores int) shape2 {
		s := handShape(cores)
		s.l1dSets, s.l1Ways, s.l2Sets, s.l2Ways, s.llcSets, s.llcWays = 2, 2, 4, 2, 4, 4
		return s
	}
	with := func(s shape2, f func(*shape2)) shape2 { f(&s); return s }
	cases := []randomCase{
		{"2 cores, L1D only", with(small(2), func(s *shape2) { s.l2Sets = 0 }), false, 24},
		{"3 cores, L1D and L2, DRAM-like memory", with(small(3), func(s *shape2) { s.async = true }), false, 32},
		{"4 cores, L1I, L1D, inclusive L2, serial invalidations", with(small(4), func(s *shape2) {
			s.l1iSets, s.l2Inclusion, s.async, s.coh.Serial = 2, Inclusive, true, true
		}), false, 40},
		{"4 cores, L2 exclusive of the L1s", with(small(4), func(s *shape2) { s.l2Inclusion = Exclusive }), false, 40},
		{"4 cores pipelined, one MSHR a level", with(small(4), func(s *shape2) {
			s.l1iSets, s.mshrs, s.async = 2, 1, true
		}), true, 24},
		{"3 cores pipelined, L1D only, one MSHR", with(small(3), func(s *shape2) {
			s.l2Sets, s.mshrs, s.async = 0, 1, true
		}), true, 24},
		// More cores than a 16-bit directory entry holds: the wide entries.
		{"10 cores, L1D and L2, DRAM-like memory", with(small(10), func(s *shape2) { s.async = true }), false, 40},
	}
	for _, rc := range cases {
		t.Run(rc.name, func(t *testing.T) {
			var seen, again coherenceCounts
			for seed := uint64(1); seed <= 200; seed++ {
				first := runRandom(t, rc, seed, 3000, &seen)
				if seed <= 2 {
					if d := cmp.Diff(first, runRandom(t, rc, seed, 3000, &again)); d != "" {
						t.Fatalf("seed %d: two runs differ (-first +second):\n%s", seed, d)
					}
				}
			}
			// Every transition must have been taken, or the case tests less
			// than it says.
			if seen.Invalidations == 0 || seen.Upgrades == 0 || seen.Transfers == 0 || seen.Writebacks == 0 || seen.BackInvals == 0 {
				t.Errorf("some coherence action never happened: %+v", seen)
			}
		})
	}
}
