package cache

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// Register covers every counter a level and a fixed memory keep.
func TestEveryCounterRegistered(t *testing.T) {
	c := level(t, "l1d", 4, 2, nil)
	m := &Memory{Latency: 10}
	var s sim.Stats
	c.Register(&s)
	m.Register(&s, "memory")
	for _, counters := range []any{&c.n, &m.n} {
		if missed := s.Unregistered(counters); len(missed) > 0 {
			t.Errorf("counters not registered: %v", missed)
		}
	}
}
