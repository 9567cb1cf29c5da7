package os

import (
	"github.com/vmemu/vmemu/sim"
)

// Thread is a task: one flow of control of a process, with an id of its
// own (TID; a process's first thread has its PID), sharing the process's
// address space (page tables, areas, PCID) and files with the other
// threads. A core runs one thread at a time (SwitchTo).
type Thread struct {
	TID    int
	Proc   *Process
	Exited bool
	Status int
	// Faults are the thread's own faults, as getrusage(RUSAGE_THREAD)
	// counts them; the process's Faults count every thread's.
	Faults Faults

	core int // the core that runs it, or -1
}

// Core is the core that runs t, or -1.
func (t *Thread) Core() int { return t.core }

// newThread makes a thread of p with the next id and records it.
func (k *Kernel) newThread(p *Process) *Thread {
	t := &Thread{TID: k.nextPID, Proc: p, core: -1}
	k.nextPID++
	k.threads[t.TID] = t
	p.Threads = append(p.Threads, t)
	return t
}

// Thread returns the thread with a TID, or nil once reaped.
func (k *Kernel) Thread(tid int) *Thread { return k.threads[tid] }

// Clone is clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
// CLONE_THREAD), what pthread_create does: a new thread of p, sharing its
// address space and files, running on no core until the machine switches
// one to it. It returns the new TID; it costs the system call and
// Costs.Clone (no address space is copied).
func (k *Kernel) Clone(now sim.Cycle, p *Process) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		if p.Exited {
			return 0, ESRCH
		}
		k.t += k.cfg.Costs.Clone
		return uint64(k.newThread(p).TID), OK
	})
}

// ExitThread is exit(status) of one thread (the exit system call, not
// exit_group): the thread ends; its process goes on while another of its
// threads lives, and exits as Exit does with the last. The core that ran
// it runs nothing of it any more: the machine switches it to another.
func (k *Kernel) ExitThread(now sim.Cycle, t *Thread, status int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		if t.Exited {
			return 0, ESRCH
		}
		t.Exited, t.Status = true, status
		for _, o := range t.Proc.Threads {
			if !o.Exited {
				return 0, OK
			}
		}
		k.exitProcess(t.Proc, status)
		return 0, OK
	})
}

// Join is pthread_join(tid) of a thread of p, without blocking: it reaps
// an exited thread and returns its TID, or returns 0 while the thread runs
// (scenarios run in order: nothing would wake a caller that blocked).
// ESRCH: no such thread of p, or one already joined; EDEADLK: the thread
// that the calling core runs (RunOn) joining itself.
func (k *Kernel) Join(now sim.Cycle, p *Process, tid int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		t := k.threads[tid]
		switch {
		case t == nil || t.Proc != p: // a joined thread has left k.threads
			return 0, ESRCH
		case t == k.here().cur:
			return 0, EDEADLK
		case !t.Exited:
			return 0, OK
		}
		delete(k.threads, tid)
		return uint64(tid), OK
	})
}

// Main is p's first thread (TID = PID).
func (p *Process) Main() *Thread { return p.Threads[0] }

// Live lists p's threads that have not exited.
func (p *Process) Live() []*Thread {
	var out []*Thread
	for _, t := range p.Threads {
		if !t.Exited {
			out = append(out, t)
		}
	}
	return out
}

// taskOf is the thread of p a kernel path works for: the one the running
// core runs, if it is p's, else p's main thread (a path no thread of p
// asked for, such as a reclaim on p's pages, or p's set-up).
func (k *Kernel) taskOf(p *Process) *Thread {
	if t := k.here().cur; t != nil && t.Proc == p {
		return t
	}
	return p.Main()
}
