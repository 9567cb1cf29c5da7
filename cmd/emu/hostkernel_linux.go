package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// The host kernel's costs, measured as testdata/refdata/linux/faults.c
// measures them: real mmap, fork, madvise and getrusage calls, each loop
// timed and its faults counted. Each figure is the best of a few rounds,
// since other work on the host only ever makes a round slower.

const (
	hostPage = 4096
	hostHuge = 2 << 20
)

// best returns the least of rounds runs of f, or its error.
func best(f func() (time.Duration, error)) (time.Duration, error) {
	least := time.Duration(1<<63 - 1)
	for i := 0; i < hostRound; i++ {
		d, err := f()
		if err != nil {
			return 0, err
		}
		least = min(least, d)
	}
	return least, nil
}

// threadFaults is the minor faults of the calling thread so far.
func threadFaults() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_THREAD, &ru)
	return ru.Minflt
}

// anonArea maps n private anonymous pages, advised as asked (so that THP
// set to always on the host does not turn 4 KiB faults into huge ones).
func anonArea(n int, advice int) ([]byte, error) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, fmt.Errorf("mmap of %d bytes: %v", n, err)
	}
	if err := syscall.Madvise(b, advice); err != nil {
		syscall.Munmap(b)
		return nil, fmt.Errorf("madvise: %v", err)
	}
	return b, nil
}

// touch writes a byte at every step bytes of b and returns how long it took
// and how many faults it took.
func touch(b []byte, step int, v byte) (time.Duration, int64) {
	f0, t0 := threadFaults(), time.Now()
	for i := 0; i < len(b); i += step {
		b[i] = v
	}
	return time.Since(t0), threadFaults() - f0
}

// perFault is a loop's time per fault, or an error when the loop took
// fewer faults than it should have (want) and so did not measure them.
func perFault(d time.Duration, faults, want int64, what string) (time.Duration, error) {
	if faults < want {
		return 0, fmt.Errorf("%s took %d faults for %d pages: the host did not fault as expected", what, faults, want)
	}
	return d / time.Duration(faults), nil
}

// anonFault is the first touch of a page of private anonymous memory: a
// fault and a zeroed page.
func anonFault(pages int) (time.Duration, error) {
	return best(func() (time.Duration, error) {
		b, err := anonArea(pages*hostPage, syscall.MADV_NOHUGEPAGE)
		if err != nil {
			return 0, err
		}
		defer syscall.Munmap(b)
		d, f := touch(b, hostPage, 1)
		return perFault(d, f, int64(pages), "a first touch")
	})
}

// hugeFault is the first touch of a transparent huge page (a fault and
// 512 pages zeroed), or 0 when the host's THP mode does not give one to an
// area advised MADV_HUGEPAGE.
func hugeFault() (time.Duration, error) {
	const huge = 4
	return best(func() (time.Duration, error) {
		raw, err := anonArea(huge*hostHuge+hostHuge, syscall.MADV_NORMAL)
		if err != nil {
			return 0, err
		}
		defer syscall.Munmap(raw)
		off := int(-uintptr(unsafe.Pointer(&raw[0])) & (hostHuge - 1))
		b := raw[off : off+huge*hostHuge]
		if syscall.Madvise(b, syscall.MADV_HUGEPAGE) != nil {
			return 0, nil
		}
		d, f := touch(b, hostHuge, 1)
		if f > 2*huge {
			return 0, nil // 4 KiB pages: THP is off, or found no 2 MiB free
		}
		return perFault(d, f, huge, "a huge page's first touch")
	})
}

// zeroPage is clearing a page already mapped, in user space: what the
// kernel does for a fault, less the fault.
func zeroPage(pages int) (time.Duration, error) {
	b, err := anonArea(pages*hostPage, syscall.MADV_NOHUGEPAGE)
	if err != nil {
		return 0, err
	}
	defer syscall.Munmap(b)
	touch(b, hostPage, 1)
	return best(func() (time.Duration, error) {
		t0 := time.Now()
		for i := 0; i < len(b); i += hostPage {
			clear(b[i : i+hostPage])
		}
		return time.Since(t0) / time.Duration(pages), nil
	})
}

// childByte is where a child reads its pipe into: a variable of the
// parent's, so that the child allocates nothing.
var childByte [1]byte

// fork makes a child that waits for a byte on fd (none if fd < 0) and
// exits. It is fork(2) as clone(SIGCHLD): the child runs only raw system
// calls, since it has one thread of Go's many and must touch nothing of
// the runtime's (as syscall.forkAndExecInChild).
//
//go:norace
//go:nocheckptr
func fork(fd int) (int, error) {
	pid, _, errno := syscall.RawSyscall(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0)
	if errno != 0 {
		return 0, fmt.Errorf("fork: %v", errno)
	}
	if pid == 0 {
		if fd >= 0 {
			syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&childByte[0])), 1)
		}
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return int(pid), nil
}

func reap(pid int) {
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
}

// cowFault is a write to a page shared with a child since fork: a fault
// and a page copied (faults.c's parent_write_child_alive).
func cowFault(pages int) (time.Duration, error) {
	return best(func() (time.Duration, error) {
		b, err := anonArea(pages*hostPage, syscall.MADV_NOHUGEPAGE)
		if err != nil {
			return 0, err
		}
		defer syscall.Munmap(b)
		touch(b, hostPage, 1)
		var p [2]int
		if err := syscall.Pipe(p[:]); err != nil {
			return 0, err
		}
		defer syscall.Close(p[0])
		defer syscall.Close(p[1])
		pid, err := fork(p[0])
		if err != nil {
			return 0, err
		}
		d, f := touch(b, hostPage, 2)
		syscall.Write(p[1], []byte{1})
		reap(pid)
		return perFault(d, f, int64(pages), "a write after fork")
	})
}

// forkTime is how long fork takes this process as it is.
func forkTime() (time.Duration, error) {
	return best(func() (time.Duration, error) {
		t0 := time.Now()
		pid, err := fork(-1)
		d := time.Since(t0)
		if err == nil {
			reap(pid)
		}
		return d, err
	})
}

// forkCosts are fork's fixed cost and its cost per resident page, from
// fork's time with and without pages more resident.
func forkCosts(pages int) (base, perPage time.Duration, err error) {
	without, err := forkTime()
	if err != nil {
		return 0, 0, err
	}
	own := anonPages()
	b, err := anonArea(pages*hostPage, syscall.MADV_NOHUGEPAGE)
	if err != nil {
		return 0, 0, err
	}
	defer syscall.Munmap(b)
	touch(b, hostPage, 1)
	with, err := forkTime()
	if err != nil {
		return 0, 0, err
	}
	perPage = (with - without) / time.Duration(pages)
	return without - perPage*time.Duration(own), perPage, nil
}

// anonPages is this process's resident anonymous pages (RssAnon in
// /proc/self/status): the entries fork copies, since Linux leaves out those
// of file mappings never written, which a fault fills again.
func anonPages() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			var kb int64
			fmt.Sscan(v, &kb)
			return kb * 1024 / hostPage
		}
	}
	return 0
}

// measureHost measures this host's kernel with pages pages a loop (fork:
// 16 times as many, to tell its cost per page from its noise).
func measureHost(pages int) (hostCosts, error) {
	runtime.LockOSThread() // RUSAGE_THREAD counts this thread's faults only
	defer runtime.UnlockOSThread()
	var h hostCosts
	var err error
	h.Pages = pages
	steps := []struct {
		d *time.Duration
		f func() (time.Duration, error)
	}{
		{&h.AnonFault, func() (time.Duration, error) { return anonFault(pages) }},
		{&h.COWFault, func() (time.Duration, error) { return cowFault(pages) }},
		{&h.HugeFault, hugeFault},
		{&h.UserZero, func() (time.Duration, error) { return zeroPage(pages) }},
	}
	for _, s := range steps {
		if *s.d, err = s.f(); err != nil {
			return h, err
		}
	}
	h.ForkPages = 16 * pages
	h.ForkBase, h.ForkPerPage, err = forkCosts(h.ForkPages)
	return h, err
}
