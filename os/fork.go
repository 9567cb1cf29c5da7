package os

import (
	"sort"

	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Fork is fork(): a child with a copy of p's areas and page tables. Private
// writable pages become read-only in both, so the first write of either
// copies (CS:APP 9.8.2); shared pages stay writable; pages in swap gain a
// reference. It charges a fixed cost plus one per entry copied. It returns
// the child's PID.
func (k *Kernel) Fork(now sim.Cycle, p *Process) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		c, err := k.newProcess()
		if err != nil {
			return 0, ENOMEM
		}
		c.Parent = p
		c.MM = p.MM.clone()
		for fd, of := range p.fds {
			cp := *of
			c.fds[fd] = &cp
		}
		c.nextFD = p.nextFD
		for _, v := range c.MM.VMAs {
			if v.resv != nil {
				v.resv = &hugeResv{} // MAP_HUGETLB promises stay with the parent
			}
		}
		k.t += k.cfg.Costs.ForkBase
		entries := uint64(0)
		for _, v := range p.MM.VMAs {
			k.forEachLeaf(p, v.Start, v.End, func(va, addr uint64, e mmu.PTE, level int) {
				entries++
				switch {
				case err != nil:
				case level > 1:
					err = k.forkHuge(p, c, v, va, addr, e, level)
				default:
					err = k.forkEntry(p, c, v, va, addr, e)
				}
			})
		}
		k.t += sim.Cycle(entries) * k.cfg.Costs.ForkEntry
		if err != nil {
			k.err = err
			return 0, ENOMEM
		}
		return uint64(c.PID), OK
	})
}

// forkEntry copies one leaf entry of parent p into child c.
func (k *Kernel) forkEntry(p, c *Process, v *VMA, va, addr uint64, e mmu.PTE) error {
	if e&(swapped|mmu.Present|protNone) == 0 {
		return nil
	}
	resident := e&(mmu.Present|protNone) != 0
	if resident {
		// Making the child's tables may reclaim a frame: not this one.
		f := k.frameOf(e)
		k.pin(f)
		defer delete(k.pinned, f)
	}
	child, err := k.leafAddr(c, va, true)
	if err != nil {
		return err
	}
	e = k.ReadPTE(addr) // reclaim may have cleared its Accessed bit
	if resident {
		if !v.Shared && e&mmu.Writable != 0 {
			e &^= mmu.Writable
			k.WritePTE(addr, e)
			k.invalidate(p, va)
		}
		fi := k.frames.info(k.frameOf(e))
		if fi.kind != zeroFrame {
			fi.rmap = append(fi.rmap, pteRef{c, va})
		}
		if fi.hp != nil {
			fi.hp.ptes++
		}
	} else {
		k.swapRefs[int(k.frameOf(e))]++
	}
	k.WritePTE(child, e)
	return nil
}

// Exit is exit_group(status), a process's exit: every thread of p ends,
// its pages and tables are given back and its files closed; it stays as a
// zombie until its parent waits for it.
func (k *Kernel) Exit(now sim.Cycle, p *Process, status int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		for _, t := range p.Threads {
			if !t.Exited {
				t.Exited, t.Status = true, status
			}
		}
		k.exitProcess(p, status)
		return 0, OK
	})
}

// exitProcess tears down the address space of p, whose threads have all
// exited.
func (k *Kernel) exitProcess(p *Process, status int) {
	for _, v := range append([]*VMA(nil), p.MM.VMAs...) {
		k.unmapRange(p, v.Start, v.End)
	}
	k.freeTables(p)
	if p.Root < k.cfg.MemoryBytes {
		// A zombie keeps no address space, not even its root table.
		k.freeFrame(p.Root >> k.pageShift())
		k.N.TableFrames--
	}
	k.flushAddressSpace(p)
	p.Exited, p.Status = true, status
	clear(p.fds)
}

// Wait is waitpid(pid) (pid -1: any child) without blocking: it reaps an
// exited child and returns its PID, or returns 0 when the children it could
// wait for are still running (scenarios run in trace order, so nothing
// would wake a blocked parent), or ECHILD when there is none.
func (k *Kernel) Wait(now sim.Cycle, p *Process, pid int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		var kids []int
		for id, c := range k.procs {
			if c.Parent == p && (pid == -1 || id == pid) {
				kids = append(kids, id)
			}
		}
		sort.Ints(kids)
		if len(kids) == 0 {
			return 0, ECHILD
		}
		for _, id := range kids {
			if c := k.procs[id]; c.Exited {
				delete(k.procs, id)
				for _, t := range c.Threads {
					delete(k.threads, t.TID)
				}
				return uint64(id), OK
			}
		}
		return 0, OK
	})
}
