package cpu

import (
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
)

// Memory is the machine's memory side as a core sees it (memside.Side):
// translation, then the caches.
type Memory interface {
	// Access presents a at cycle now (never before the engine's present).
	// It returns when the data is there and true, or false and calls
	// a.Done later (from an engine event). a.Out says what happened.
	Access(now sim.Cycle, a *memside.Access) (done sim.Cycle, ok bool)
}
