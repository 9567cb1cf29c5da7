// Package os is vmemu's kernel: the memory-mapping model of CS:APP chapter
// 9, emulated with data and cycles. Import it as kernel (import kernel
// "github.com/vmemu/vmemu/os"), since the standard library has a package os
// too.
//
// What it models: processes, each with an address space (sorted VMAs with
// protection, shared or private, anonymous or backed by a file at an
// offset), a radix page table in physical memory (real x86-64 entries) and
// a PCID; areas backed by files on the emulated disk through a page cache,
// so processes mapping one file page share its frame, or anonymous
// (demand-zero); private areas copy-on-write (a write to a read-only
// private page copies it, or keeps it when the process alone holds it);
// fork (areas and tables copied, private writable pages write-protected in
// both), execve (an ELF64's PT_LOAD segments, or a declared layout; bss,
// heap and stack anonymous), mmap, munmap, mprotect, brk, open, close,
// read, write (to a file or the process's standard output), msync, exit
// and wait; SIGSEGV for bad accesses, with the reason; Linux's errno for
// bad arguments; memory pressure: a clock over the Accessed bits chooses
// a victim, anonymous pages go to swap (a swap cache shares a page read back
// by several processes), dirty file pages go back to their file, and a
// reverse map finds every entry of a frame; TLB shootdowns, one page at a
// time up to a limit, then a flush. Every kernel path charges its cycles
// (Costs) on the kernel's own clock, plus the disk's time; zeroing and
// copying can also go through a cache level as memory traffic.
//
// What it leaves out: shared anonymous memory (shmem), signals other than
// SIGSEGV, blocking wait (scenarios run in trace order), directories and
// permissions, huge pages, and the zeroing of an ELF segment's last page
// past its file data.
//
// It is checked by scenarios of every CS:APP case (traces/examples), and by
// a differential test against a reference model of what every load must
// return, with CheckInvariants after every operation.
package os
