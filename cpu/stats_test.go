package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// A core registers every counter of its tally, each with a doc, in the
// registry it is given.
func TestEveryCounterRegistered(t *testing.T) {
	eng := &sim.Engine{}
	var s sim.Stats
	c, err := New(DefaultConfig(), eng, hitsAndMisses(t, eng, 100), []traces.InstrReader{reader(mixed(10, 1))},
		Options{Levels: threeLevels, Stats: &s})
	if err != nil {
		t.Fatal(err)
	}
	for _, counters := range []any{&c.t.instructions, &c.t.stack, &c.t.access} {
		if missed := s.Unregistered(counters); len(missed) > 0 {
			t.Errorf("counters not registered: %v", missed)
		}
	}
	for _, i := range s.Infos() {
		if i.Doc == "" || !i.Detail {
			t.Errorf("%s: doc %q, detail %v; want a doc, and a detail", i.Name, i.Doc, i.Detail)
		}
	}
}
