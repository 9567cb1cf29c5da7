package sim

import "fmt"

// A Derived is a figure made from counters: the sum of some over the sum of
// others (a prefetcher's accuracy is its useful prefetches over those it
// issued). It is not a counter and holds nothing: whoever reads a snapshot
// (a report, the interval file, docs/stats.md) computes it there, so
// warm-up, which resets the counters, resets it too, and the ratio over an
// interval is made from the interval's counts.
type Derived struct {
	Name string
	Doc  string
	// Num and Den name counters registered before the ratio; an empty
	// denominator sum gives 0.
	Num, Den []string
}

// RegisterDerived adds a ratio of counters already registered. A name taken
// by a counter or another ratio, or a part that is not a counter, is a
// programming error and panics.
func (s *Stats) RegisterDerived(r Derived) {
	if _, dup := s.index[r.Name]; dup {
		panic(fmt.Sprintf("sim: ratio %q is a counter's name", r.Name))
	}
	if _, dup := derivedNamed(s.derived, r.Name); dup {
		panic(fmt.Sprintf("sim: ratio %q registered twice", r.Name))
	}
	for _, n := range append(append([]string(nil), r.Num...), r.Den...) {
		if i, ok := s.index[n]; !ok || s.entries[i].Bins > 0 {
			panic(fmt.Sprintf("sim: ratio %q: %q is not a counter", r.Name, n))
		}
	}
	s.derived = append(s.derived, r)
}

// Derived lists the ratios in registration order.
func (s *Stats) Derived() []Derived { return append([]Derived(nil), s.derived...) }

// Derived lists the ratios registered by the time of the snapshot.
func (s Snapshot) Derived() []Derived { return s.derived }

// Of computes the ratio from counters read by value, by the names Num and
// Den give: a snapshot's (Figure), or counts a report sums over cores, so
// that the ratio is defined once, here and where it is registered.
func (r Derived) Of(value func(name string) uint64) float64 {
	var num, den uint64
	for _, n := range r.Num {
		num += value(n)
	}
	for _, n := range r.Den {
		den += value(n)
	}
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// Figure computes a ratio from the snapshot's counters.
func (s Snapshot) Figure(r Derived) float64 { return r.Of(s.Value) }

// DerivedNamed computes the ratio called name, and reports whether there is one.
func (s Snapshot) DerivedNamed(name string) (float64, bool) {
	if r, ok := derivedNamed(s.derived, name); ok {
		return s.Figure(r), true
	}
	return 0, false
}

// Definition is the ratio registered as name, and whether there is one: for
// a reader that computes it from counts of its own (Derived.Of).
func (s *Stats) Definition(name string) (Derived, bool) { return derivedNamed(s.derived, name) }

func derivedNamed(ds []Derived, name string) (Derived, bool) {
	for _, r := range ds {
		if r.Name == name {
			return r, true
		}
	}
	return Derived{}, false
}
