package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDerivedOf(t *testing.T) {
	counts := map[string]uint64{"useful": 3, "issued": 4, "here": 1, "misses": 7, "zero": 0}
	value := func(name string) uint64 { return counts[name] }
	for _, tc := range []struct {
		name     string
		num, den []string
		want     float64
	}{
		{"one over one", []string{"useful"}, []string{"issued"}, 0.75},
		{"sums on both sides", []string{"here", "useful"}, []string{"here", "misses"}, 0.5},
		{"zero numerator", []string{"zero"}, []string{"issued"}, 0},
		{"zero denominator", []string{"useful"}, []string{"zero"}, 0},
		{"no denominator", []string{"useful"}, nil, 0},
		{"above one", []string{"misses"}, []string{"useful"}, 7.0 / 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Derived{Name: "r", Num: tc.num, Den: tc.den}.Of(value)
			if got != tc.want {
				t.Errorf("Of = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDerivedDefinition checks that a snapshot's figure is the definition's
// over the snapshot's counters, under the names Include gives them.
func TestDerivedDefinition(t *testing.T) {
	var own, machine Stats
	var c component
	c.register(&own)
	own.RegisterDerived(Derived{Name: "l1d.miss_rate", Num: []string{"l1d.load.misses"},
		Den: []string{"l1d.load.hits", "l1d.load.misses"}})
	machine.Include("core1.", &own)
	c.hits, c.misses = 3, 1
	d, ok := machine.Definition("core1.l1d.miss_rate")
	if !ok {
		t.Fatal("no definition of core1.l1d.miss_rate")
	}
	want := Derived{Name: "core1.l1d.miss_rate", Num: []string{"core1.l1d.load.misses"},
		Den: []string{"core1.l1d.load.hits", "core1.l1d.load.misses"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("definition (-want +got):\n%s", diff)
	}
	snap := machine.Snapshot()
	if got, ok := snap.DerivedNamed("core1.l1d.miss_rate"); !ok || got != 0.25 || got != d.Of(snap.Value) {
		t.Errorf("DerivedNamed = %v, %v; want 0.25 and Of's %v", got, ok, d.Of(snap.Value))
	}
	if _, ok := machine.Definition("l1d.miss_rate"); ok {
		t.Error("the ratio is there under its own name too")
	}
}
