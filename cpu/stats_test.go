package cpu

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// A core registers every counter of its tally, each with a doc, in the
// registry it is given, under its name; the shootdown component only for
// a core that can be interrupted.
func TestEveryCounterRegistered(t *testing.T) {
	for _, tc := range []struct {
		name       string
		shootdowns bool
		prefix     string
		missed     []string
	}{
		{"", false, "core.", []string{"[7]"}},
		{"core3", true, "core3.", nil},
	} {
		eng := &sim.Engine{}
		var s sim.Stats
		c, err := New(DefaultConfig(), eng, hitsAndMisses(t, eng, 100), []traces.InstrReader{reader(mixed(10, 1))},
			Options{Levels: threeLevels, Stats: &s, Name: tc.name, Shootdowns: tc.shootdowns})
		if err != nil {
			t.Fatal(err)
		}
		var missed []string
		for _, counters := range []any{&c.t.instructions, &c.t.stack, &c.t.access} {
			missed = append(missed, s.Unregistered(counters)...)
		}
		if diff := cmp.Diff(tc.missed, missed); diff != "" {
			t.Errorf("%q: counters not registered (-want +got):\n%s", tc.name, diff)
		}
		for _, i := range s.Infos() {
			if i.Doc == "" || !i.Detail || !strings.HasPrefix(i.Name, tc.prefix) {
				t.Errorf("%s: doc %q, detail %v; want a doc, a detail, and the prefix %s", i.Name, i.Doc, i.Detail, tc.prefix)
			}
		}
		if has := slices.ContainsFunc(s.Infos(), func(i sim.Info) bool { return i.Name == tc.prefix+"cycles.shootdown" }); has != tc.shootdowns {
			t.Errorf("%q: shootdown registered %v, want %v", tc.name, has, tc.shootdowns)
		}
	}
}
