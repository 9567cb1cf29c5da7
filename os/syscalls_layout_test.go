package os

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/sim"
)

// Calls whose ranges wrap around 2^64, leave the user half or touch the
// null page get Linux's errno (the functions of mm/ each follows are named
// in syscalls.go, files.go and syscalls_layout.go), and ranges that fit get
// what they ask for. Each case runs in a fresh process that has four
// writable pages at area, a file open read-write as fd 3, and its break
// where a process without execve has it. (It is long for its table: a
// line a case.)
func TestUserHalfErrnos(t *testing.T) {
	const (
		area  = 0x10000000
		top   = 1 << 47 // TASK_SIZE of 48-bit addresses
		ones  = 1<<64 - 1
		pages = 1<<64 - pg // the largest page-aligned length
		rw    = ProtRead | ProtWrite
		fixed = anonPriv | MapFixed
	)
	type call func(w *world, p *Process) (uint64, Errno, sim.Cycle)
	for _, c := range []struct {
		name string
		call call
		want string // the errno, or the value returned
	}{
		{"mmap of 0 bytes", mmapCall(0, 0, rw, anonPriv), "EINVAL"},
		{"mmap of 2^64-1 bytes", mmapCall(0, ones, rw, anonPriv), "ENOMEM"},
		{"mmap of 2^64 - a page", mmapCall(0, pages, rw, anonPriv), "ENOMEM"},
		{"mmap of the user half and a page", mmapCall(0, top+pg, rw, anonPriv), "ENOMEM"},
		{"MAP_FIXED at 0", mmapCall(0, pg, rw, fixed), "EPERM"},
		{"MAP_FIXED below mmap_min_addr", mmapCall(0xf000, pg, rw, fixed), "EPERM"},
		{"MAP_FIXED at mmap_min_addr", mmapCall(0x10000, pg, rw, fixed), "0x10000"},
		{"MAP_FIXED at TASK_SIZE", mmapCall(top, pg, rw, fixed), "ENOMEM"},
		{"MAP_FIXED across TASK_SIZE", mmapCall(top-pg, 2*pg, rw, fixed), "ENOMEM"},
		{"MAP_FIXED at the last user page", mmapCall(top-pg, pg, rw, fixed), fmt.Sprintf("%#x", top-pg)},
		{"MAP_FIXED in the kernel half", mmapCall(0xffff800000000000, pg, rw, fixed), "ENOMEM"},
		{"MAP_FIXED wrapping", mmapCall(1<<64-pg, 2*pg, rw, fixed), "ENOMEM"},
		{"MAP_FIXED unaligned", mmapCall(0x10001, pg, rw, fixed), "EINVAL"},
		{"a hint below mmap_min_addr", mmapCall(pg, pg, rw, anonPriv), "0x10000"},
		{"a hint in the kernel half", mmapCall(1<<64-pg, pg, rw, anonPriv), "0x5ffffffff000"},
		{"a hint that wraps", mmapCall(1<<64-pg, 2*pg, rw, anonPriv), "0x5fffffffe000"},
		{"MAP_HUGETLB of 2^64-1 bytes", mmapCall(0, ones, rw, anonPriv|MapHugeTLB), "EINVAL"},
		{"mmap of a file at a bad fd", mmapCall(0, 0, rw, MapPrivate), "EBADF"},

		{"munmap of 2^64-1 bytes", munmapCall(area, ones), "EINVAL"},
		{"munmap of 0 bytes", munmapCall(area, 0), "EINVAL"},
		{"munmap unaligned", munmapCall(area+1, pg), "EINVAL"},
		{"munmap past TASK_SIZE", munmapCall(top, pg), "EINVAL"},
		{"munmap across TASK_SIZE", munmapCall(top-pg, 2*pg), "EINVAL"},
		{"munmap of nothing mapped", munmapCall(0x20000000, pg), "0x0"},

		{"mprotect of 2^64-1 bytes", mprotectCall(area, ones, ProtRead), "ENOMEM"},
		{"mprotect of 2^64 - a page", mprotectCall(area, pages, ProtRead), "ENOMEM"},
		{"mprotect of 0 bytes", mprotectCall(area, 0, ProtRead), "0x0"},
		{"mprotect of 0 bytes, bad protection", mprotectCall(area, 0, 8), "0x0"},
		{"mprotect unaligned", mprotectCall(area+1, pg, ProtRead), "EINVAL"},
		{"mprotect with a bad protection", mprotectCall(area, pg, 8), "EINVAL"},
		{"mprotect of a hole", mprotectCall(area+3*pg, 2*pg, ProtRead), "ENOMEM"},
		{"mprotect of the area", mprotectCall(area, 4*pg, ProtRead), "0x0"},

		{"msync of 2^64-1 bytes (rounds to 0)", msyncCall(area, ones), "0x0"},
		{"msync of 2^64 - a page", msyncCall(area, pages), "ENOMEM"},
		{"msync unaligned", msyncCall(area+1, pg), "EINVAL"},
		{"msync of a hole", msyncCall(area-pg, 2*pg), "ENOMEM"},
		{"msync past the end", msyncCall(area+3*pg, 2*pg), "ENOMEM"},
		{"msync of the area", msyncCall(area, 4*pg), "0x0"},

		{"brk(0)", brkCall(0), "0x400000"},
		{"brk past TASK_SIZE", brkCall(top + pg), "ENOMEM"},
		{"brk to 2^64-1", brkCall(ones), "ENOMEM"},
		{"brk into the area", brkCall(area + pg), "ENOMEM"},
		{"brk to within a page of the area", brkCall(area - pg + 1), "ENOMEM"},
		{"brk to a page below the area", brkCall(area - pg), fmt.Sprintf("%#x", area-pg)},

		{"write of 2^48-1 bytes", writeCall(1, area, 1<<48-1), "EFAULT"},
		{"write of 2^64-1 bytes", writeCall(1, area, ones), "EFAULT"},
		{"write from the kernel half", writeCall(1, 0xffff800000000000, 8), "EFAULT"},
		{"write past what is mapped", writeCall(1, area, 1<<30), "EFAULT"},
		{"write of the area", writeCall(1, area, 4*pg), "0x4000"},
		{"read of 2^48-1 bytes", readCall(3, area, 1<<48-1), "EFAULT"},
		{"read into the kernel half", readCall(3, 0xffff800000000000, 8), "EFAULT"},

		{"execve at page 0's neighbour", execveCall(Layout{TextStart: pg, Text: 10}), "EPERM"},
		{"execve past TASK_SIZE", execveCall(Layout{TextStart: top - pg, Text: pg + 1}), "EINVAL"},
		{"execve with a bss of 2^64-1", execveCall(Layout{TextStart: 0x400000, Text: 10, BSS: ones}), "EINVAL"},
		{"execve with data past the file", execveCall(Layout{TextStart: 0x400000, Text: 10, Data: pages}), "EINVAL"},
		{"execve of a declared program", execveCall(Layout{TextStart: 0x400000, Text: 10, BSS: pg}), "0x0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorldWith(t, 1<<20, 0, func(c *Config) { c.HugeTLB2M = 0 })
			p := w.proc()
			w.call(w.k.Mmap(w.now, p, area, 4*pg, rw, fixed, -1, 0))
			if _, err := w.k.PlaceFile("f", make([]byte, 2*pg)); err != nil {
				t.Fatal(err)
			}
			w.call(w.k.Open(w.now, p, "f", OpenRDWR))
			ret, errno, _ := c.call(w, p)
			got := fmt.Sprintf("%#x", ret)
			if errno != OK {
				got = errno.String()
			}
			if got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
			if err := w.k.CheckInvariants(); err != nil {
				t.Error(err)
			}
		})
	}
}

func mmapCall(addr, length uint64, prot, flags int) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) {
		fd := -1
		if flags&MapAnonymous == 0 {
			fd = 9
		}
		return w.k.Mmap(w.now, p, addr, length, prot, flags, fd, 0)
	}
}

func munmapCall(addr, length uint64) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) { return w.k.Munmap(w.now, p, addr, length) }
}

func mprotectCall(addr, length uint64, prot int) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) {
		return w.k.Mprotect(w.now, p, addr, length, prot)
	}
}

func msyncCall(addr, length uint64) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) { return w.k.Msync(w.now, p, addr, length) }
}

func brkCall(addr uint64) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) { return w.k.Brk(w.now, p, addr) }
}

func writeCall(fd int, buf, n uint64) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) { return w.k.Write(w.now, p, fd, buf, n) }
}

func readCall(fd int, buf, n uint64) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) { return w.k.Read(w.now, p, fd, buf, n) }
}

func execveCall(l Layout) func(*world, *Process) (uint64, Errno, sim.Cycle) {
	return func(w *world, p *Process) (uint64, Errno, sim.Cycle) { return w.k.Execve(w.now, p, "f", &l) }
}

// A process that never ran execve has its break above the null page: a
// heap it grows leaves page 0 unmapped, and so does every mmap.
func TestNullPageStaysUnmapped(t *testing.T) {
	w := newWorld(t, 1<<20, 0)
	p := w.proc()
	base := w.call(w.k.Brk(w.now, p, 0))
	w.call(w.k.Brk(w.now, p, base+2*pg))
	for i := 0; i < 8; i++ {
		w.call(w.k.Mmap(w.now, p, 0, pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	}
	if v := p.MM.Find(0); v != nil {
		t.Fatalf("page 0 is mapped: %v", v)
	}
	if w.store(p, 0, 1) || w.store(p, 0xfff8, 1) {
		t.Errorf("a store below mmap_min_addr did not fault")
	}
	if !w.store(p, base, 1) {
		t.Errorf("a store to the heap at %#x faulted", base)
	}
}

// A write of more than is mapped, or of a standard output already full,
// takes host memory for what it moves, not for the count it asks for; a
// file takes what the file system has room for.
func TestWriteHostMemory(t *testing.T) {
	w := newWorld(t, 1<<20, 0)
	p := w.proc()
	a := w.call(w.k.Mmap(w.now, p, 0, 4*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, errno, _ := w.k.Write(w.now, p, 1, a, 1<<40) // within the user half, past the area
	runtime.ReadMemStats(&after)
	if errno != EFAULT {
		t.Errorf("write of 2^40 bytes from 4 pages: %v, want EFAULT", errno)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<22 {
		t.Errorf("write of 2^40 bytes from 4 pages allocated %d bytes", grew)
	}
	w.k.stdoutBytes = stdoutLimit - 10
	var got []string
	write := func(fd int, n uint64) {
		ret, errno, _ := w.k.Write(w.now, p, fd, a, n)
		got = append(got, fmt.Sprintf("%d %v", ret, errno))
	}
	write(1, 16)
	write(1, 16)
	fs, err := disk.NewFS(w.k.fs.Device(), 0, 2) // room for two pages
	if err != nil {
		t.Fatal(err)
	}
	w.k.SetDisk(fs, nil)
	if _, err := w.k.PlaceFile("f", nil); err != nil {
		t.Fatal(err)
	}
	fd := int(w.call(w.k.Open(w.now, p, "f", OpenRDWR)))
	write(fd, 3*pg)
	write(fd, pg)
	if diff := cmp.Diff([]string{"10 OK", "0 EFBIG", "8192 OK", "0 ENOSPC"}, got); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}
