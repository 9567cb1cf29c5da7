package os

import "github.com/vmemu/vmemu/sim"

// FaultEvents are the events the kernel counts by instruction: the faults
// as getrusage counts them, with their breakdown (Faults, one event each
// in the order of Faults.Counts), and the signals faults deliver.
type FaultEvents struct {
	Faults       []sim.Event
	Segv, Sigbus sim.Event
}

// CountFaultsByIP makes the kernel tell b of what each page fault the MMU
// hands it adds to its counts of faults and signals, as the events ev, at
// the IP of the faulting access. Faults of a system call's copy of user
// memory, and the pages a call reads ahead, are not counted by IP. A nil b
// stops it.
func (k *Kernel) CountFaultsByIP(b sim.ByIP, ev FaultEvents) { k.byIP, k.faultEvents = b, ev }

// faultCounts are the counts CountFaultsByIP follows.
type faultCounts struct {
	faults       Faults
	segv, sigbus uint64
}

func (k *Kernel) faultCounts() faultCounts {
	return faultCounts{k.N.Faults, k.N.Segv, k.N.Sigbus}
}

// countByIP tells the ByIP what one fault added to the counts since
// before, at ip. The kernel's paths count in many places (a COW fault of
// an uncached private file page is a major fault too, fault-around maps
// pages beside); the difference is what the fault did, whichever path it
// took.
func (k *Kernel) countByIP(ip uint64, before *faultCounts) {
	now, was := k.N.Faults.fields(), before.faults.fields()
	for i, n := range now {
		if d := *n - *was[i]; d > 0 {
			k.byIP.Count(ip, k.faultEvents.Faults[i], d)
		}
	}
	if d := k.N.Segv - before.segv; d > 0 {
		k.byIP.Count(ip, k.faultEvents.Segv, d)
	}
	if d := k.N.Sigbus - before.sigbus; d > 0 {
		k.byIP.Count(ip, k.faultEvents.Sigbus, d)
	}
}
