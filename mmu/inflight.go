package mmu

import (
	"fmt"
	"io"
)

// InFlight writes the walks not yet done (sim.InFlight): each active walk's
// address, level and start, whether it waits on a read, and the walks
// queued for a free walker.
func (w *Walker) InFlight(out io.Writer) {
	fmt.Fprintf(out, "page walker: %d walks busy (of %d), %d queued\n", w.busy, w.max, w.queue.Len())
	for _, wk := range w.pool {
		if !wk.active {
			continue
		}
		state := "running"
		if wk.suspended {
			state = "waiting on a read or for a walker"
		}
		fmt.Fprintf(out, "  va %#x (pcid %d, %s): level %d, entry %#x, started at cycle %d, %s, %d others joined\n",
			wk.q.VA, wk.q.PCID, wk.q.Kind, wk.level, wk.entryAddr(), wk.start, state, len(wk.waiters))
	}
}
