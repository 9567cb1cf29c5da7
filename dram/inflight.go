package dram

import (
	"fmt"
	"io"
)

// InFlight writes what each channel holds (sim.InFlight): its read and
// write queues, requests not yet admitted, data on its way back, and the
// wake-up it waits for.
func (c *Controller) InFlight(w io.Writer) {
	for _, ch := range c.channels {
		wake := "none"
		if ch.wakeAt != never {
			wake = fmt.Sprintf("DRAM cycle %d", ch.wakeAt)
		}
		fmt.Fprintf(w, "dram channel %d: %d reads and %d writes queued (of %d and %d), %d arriving, %d reads returning; write drain %v; next wake-up %s\n",
			ch.id, ch.queued[0], ch.queued[1], ch.limit[0], ch.limit[1], ch.ingress.Len(),
			ch.dataQ.Len()+ch.fwdQ.Len(), ch.writeMode, wake)
	}
}
