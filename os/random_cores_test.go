package os

import (
	"testing"

	"github.com/vmemu/vmemu/mmu"
)

// rCores runs the random model's operations on four cores: each process
// has two threads; an operation of a process runs on one of them, on the
// core that runs it or on a random core switched to it (which first takes
// the interrupts it was sent), and its accesses go through that core's
// MMU. So every shootdown meets TLBs that hold what other cores mapped,
// and CheckInvariants holds each core's TLB entries against the tables;
// a next-page TLB prefetcher fills each core's prefetch buffer, whose
// entries the shootdowns must reach and CheckInvariants checks too.
type rCores struct {
	*multi
	on int // the core of the operation
}

func newRCores(t *testing.T, w *world, n int) *rCores {
	return &rCores{multi: &multi{t: t, w: w, k: w.k, u: coreMMUs(t, w.k, n, mmu.PrefetchConfig{Name: "next-page", Buffer: 8})}}
}

// born gives a new process of the model its second thread.
func (c *rCores) born(m *rModel, r *rProc) {
	c.w.call(c.k.Clone(c.w.now, r.p))
}

// enter picks one of r's threads and the core to run it on, and makes
// that core the one the kernel's calls run on.
func (c *rCores) enter(m *rModel, r *rProc) {
	live := r.p.Live()
	th := live[m.pick(len(live))]
	i := th.Core()
	if i < 0 {
		i = m.pick(len(c.u))
		c.w.now = c.k.SwitchTo(i, c.k.TakeInterrupts(i, c.w.now), th)
	}
	c.on = i
	c.k.RunOn(i)
}

// access makes the operation's load or store through its core's MMU.
func (c *rCores) access(m *rModel, va uint64, store bool, v uint64) (uint64, bool) {
	return c.multi.access(c.on, va, store, v)
}
