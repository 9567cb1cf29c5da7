package cache

import (
	"fmt"
	"io"

	"github.com/vmemu/vmemu/sim"
)

// InFlight writes the level's misses not yet home (sim.InFlight): each
// issued MSHR entry (its lines, when it left, when its fill arrives, and
// how many requests wait on it), and how many misses wait for an MSHR.
func (c *Cache) InFlight(w io.Writer) {
	fmt.Fprintf(w, "%s: %d MSHR entries held (of %d), %d misses queued for one\n",
		c.cfg.Name, len(c.active), c.cfg.MSHRs, c.queued.Len())
	for _, m := range c.active {
		fill := "not known yet"
		if m.freeAt != sim.Never {
			fill = fmt.Sprintf("at cycle %d", m.freeAt)
		}
		fmt.Fprintf(w, "  lines %#x-%#x: sent down at cycle %d, fill %s, %d requests waiting\n",
			m.first<<c.lineShift, m.last<<c.lineShift, m.start, fill, len(m.waiters))
	}
}
