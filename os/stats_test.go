package os

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// Register and RegisterFaults cover every counter the kernel keeps, each
// with a doc.
func TestEveryCounterRegistered(t *testing.T) {
	w := newWorld(t, 16<<20, 0)
	var s sim.Stats
	w.k.Register(&s)
	w.k.RegisterFaults(&s)
	if missed := s.Unregistered(&w.k.N); len(missed) > 0 {
		t.Errorf("counters not registered: %v", missed)
	}
	for _, i := range s.Infos() {
		if i.Doc == "" {
			t.Errorf("%s has no doc", i.Name)
		}
	}
}
