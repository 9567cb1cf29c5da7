// Package os is vmemu's kernel: the operating system side of address
// translation. Import it as kernel (import kernel "github.com/vmemu/vmemu/os"),
// since the standard library has a package os too.
//
// What it models now: physical frames handed out in order or at seeded
// random; per-process radix page tables that live in physical memory as real
// x86-64 entries (a table is a frame; neighbouring pages share table pages,
// and table frames are allocated as the tree grows); first-touch demand-zero
// mapping of any page a trace touches (the mode lackey and Cache Lab traces
// need), at a configurable cost in cycles for the fault (entry, handler,
// exit) and for zeroing the page; any other fault (write to read-only, user
// access to a supervisor page, execute of NX, reserved bit, address out of
// range) is a SIGSEGV, counted and reported, and the access is abandoned.
//
// What it leaves out (the OS issue brings them): VMAs, fork and
// copy-on-write, mmap, files and the page cache, swap, replacement when
// frames run out (now an error), and memory traffic for zeroing pages.
package os
