// Package os is vmemu's kernel: the memory-mapping model of CS:APP chapter
// 9, emulated with data and cycles, and, where Config asks for them, the
// behaviours by which Linux departs from it. Import it as kernel (import
// kernel "github.com/vmemu/vmemu/os"), since the standard library has a
// package os too.
//
// What it models: processes, each with an address space (sorted VMAs with
// protection, shared or private, anonymous or backed by a file at an
// offset), a radix page table in physical memory (real x86-64 entries) and
// a PCID; areas backed by files on the emulated disk through a page cache,
// so processes mapping one file page share its frame, or anonymous
// (demand-zero); private areas copy-on-write (a write to a read-only
// private page copies it, or keeps it when the process alone holds it);
// shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS: an object with its own
// page cache, shared across fork, swapped like anonymous pages); fork
// (areas and tables copied, private writable pages write-protected in
// both), execve (an ELF64's PT_LOAD segments, or a declared layout; bss,
// heap and stack anonymous), mmap, munmap, mprotect, madvise, brk, open,
// close, read, write (to a file or the process's standard output), msync,
// fsync, posix_fadvise, exit and wait; SIGSEGV for bad accesses, with the
// reason, and SIGBUS, as Linux gives it, for an access to a page of a file
// mapping wholly past the file's end (the rest of the last page reads
// zeros; MAP_POPULATE stops there, and a system call's copy there is
// EFAULT) and for a MAP_HUGETLB page its empty pool cannot give; Linux's errno for bad arguments; memory pressure: a clock over
// the Accessed bits chooses a victim, anonymous pages go to swap (a swap
// cache shares a page read back by several processes), dirty file pages go
// back to their file, and a reverse map finds every entry of a frame; TLB
// shootdowns, one page at a time up to a limit, then a flush. Every kernel
// path charges its cycles (Costs) on the kernel's own clock, plus the
// disk's time; zeroing and copying can also go through a cache level as
// memory traffic. Faults are counted as getrusage counts them (Faults:
// minor and major, each fault once, with a breakdown), per process and in
// all, beside the kernel's own counts (Counts), which a sim.ByIP can be
// told of too, fault by fault, by the IP of the faulting access
// (CountFaultsByIP, for emu annotate).
//
// Every call that names a range checks it as Linux's mm/ does, whatever the
// Config (syscalls_layout.go; each call's comment names the function it
// follows): a range that wraps around 2^64 or leaves the user half
// (TASK_SIZE, 2^47 with 48-bit addresses) is EINVAL or ENOMEM as there,
// nothing is mapped below mmap_min_addr (64 KiB), a process that never ran
// execve has its break at 0x400000, and read and write refuse a buffer
// outside the user half and hold in host memory only what they move: what
// is mapped, what the file system has room for, and at most 1 GiB of
// standard output in all. Linux's guard page below TASK_SIZE and its
// bottom-up retry of a full mmap area are left out.
//
// Linux's behaviours, each off in the zero Config (the textbook):
//
//   - the zero page (zeropage.go; Linux's do_anonymous_page): a read of
//     fresh private anonymous memory maps one shared read-only frame (not
//     in a plain trace's one area, VMA.Trace, which stands for memory
//     whose contents the trace does not show);
//   - fault-around (faultaround.go; do_fault_around, filemap_map_pages): a
//     read fault on a file maps the cached pages of its aligned window;
//   - readahead (readahead.go; mm/readahead.c): a page-cache miss reads a
//     window in one disk request per run of missing pages, read around the
//     page for a fault, the sequential state machine with its asynchronous
//     mark for read() and MADV_SEQUENTIAL; a page read ahead arrives when
//     its request ends, and a fault that waits for it is major;
//   - transparent huge pages (thp.go; mode never, madvise, always): 2 MiB
//     pages (a PDE with PS) of 512 contiguous aligned frames, the huge zero
//     page for reads, one fault per 2 MiB costing 512 pages' zeroing, split
//     by a write after fork (only the 4 KiB page written is copied), by
//     munmap, mprotect or madvise of part, and by reclaim before swapping;
//   - MAP_HUGETLB (hugetlb.go): 2 MiB and 1 GiB pages from pools set aside
//     at boot, promised at mmap (ENOMEM when the pool cannot).
//
// What it leaves out: signals other than SIGSEGV and SIGBUS, and their
// handlers (a signal abandons the access; the process goes on), blocking
// wait (scenarios run in trace order), directories and permissions, the
// zeroing of an ELF segment's last page past its file data; of Linux's
// memory management: large folios in the page cache, khugepaged (no
// collapse of 4 KiB pages into huge ones), compaction (a huge page needs
// 2 MiB of free frames as they are), deferred splitting (a huge page no
// entry maps whole becomes 512 pages at once), huge pages in shared
// anonymous memory and the page cache, swap readahead, one readahead state
// per open file (one per file here), NUMA, cgroups, and the watermarks of
// page reclaim (it runs when an allocation finds memory full).
//
// # Cores, threads and shootdowns
//
// The kernel knows the machine's cores (SetCores gives each its MMU; a
// kernel of one core, as New makes it, behaves as it always did). Each core
// runs one thread at a time (SwitchTo; Switch switches the core the kernel
// runs on to a process's main thread), and its MMU's CR3 and PCID follow
// that thread's process. A process has threads (Clone: clone with
// CLONE_VM|CLONE_FILES|CLONE_THREAD, a new task with its own TID sharing
// the address space and files; ExitThread; Join, pthread_join without
// blocking; Exit is exit_group); fork makes a process with an address
// space of its own, as before. Each thread counts its own faults
// (Thread.Faults, getrusage's RUSAGE_THREAD); a process's Faults are all of
// its threads' (RUSAGE_SELF). System calls run on the core RunOn names; a
// fault runs on the core of the walker that raised it (FaultHandler).
//
// A kernel path that changes or removes translations (munmap, mprotect,
// madvise MADV_DONTNEED, a copy-on-write break, fork's write-protection,
// reclaim, a huge page's split, exit) shoots them down as Linux's x86
// flush_tlb_mm_range does (shootdown.go): each address space keeps the
// cores that may hold its entries (Linux's mm_cpumask); a core running
// one of its threads gets an IPI; a core running another address space is
// skipped (lazy TLB) and flushes that address space's entries when it
// next switches to it. The initiator pays Costs.IPISend per IPI, then its
// own invalidations, then waits for the last acknowledgment
// (Costs.IPILatency there, the target's Costs.IRQEntry and flush,
// Costs.IPILatency back); each target pays Costs.IRQEntry, its flush
// (INVLPG per page up to ShootdownLimit, else a flush) and Costs.IRQExit
// from the IPI's arrival. The kernel cannot move another core's clock: a
// target's interrupt waits in its queue until the machine, before stepping
// that core, calls TakeInterrupts, which returns when the core runs again
// (NextInterrupt says when the next arrives). The flushes themselves are
// done when the IPIs are sent, so that no access can use a stale entry.
// ShootdownCounts (RegisterShootdowns) count the paths, IPIs, skips, the
// flushes they caused and the cycles of both sides, per core too.
//
// The shootdown costs are zero until the machine sets them. Their size:
// Linux's comment on tlb_single_page_flush_ceiling (arch/x86/mm/tlb.c)
// puts one INVLPG at about 100 ns; Amit (USENIX ATC 2017, "Optimizing the
// TLB shootdown algorithm with page access tracking") reports that a
// shootdown takes microseconds, most of it the initiator spinning until
// the targets acknowledge, and Villavieja et al. (PACT 2011, DiDi) that its
// cost grows with the cores interrupted. At 3 GHz, IPISend 200, IPILatency
// 1500, IRQEntry 600 and IRQExit 400 cycles give a one-page shootdown to
// one core of about 4,000 cycles (1.3 us) for the initiator and 1,000
// cycles plus the INVLPG for the target: a starting point, to be
// calibrated against a measurement of the machine modelled.
//
// What it leaves out of many cores: scheduling (the machine decides which
// thread runs where and when, and switches cores), blocking (a join or a
// wait that would block returns at once), signals between threads (and
// execve's ending of a process's other threads, Linux's de_thread), thread
// migration (a thread runs on one core until switched out), per-thread
// stacks and thread-local storage (a thread is an id and its counts), the
// TLB generation counts by which Linux lets a lazily skipped core flush
// only what changed (it flushes the address space whole), PCID reuse
// (PCIDs are PIDs), batched reclaim flushes (try_to_unmap_flush: here one
// shootdown per kernel path), and broadcast TLB invalidation (AMD's
// INVLPGB, Arm's TLBI IS).
//
// It is checked by scenarios of every CS:APP case (traces/examples); by
// Linux 6.18's own fault counts for the programs of testdata/refdata/linux
// (faults.c, thp.c), run through the kernel's calls; by a differential
// test against a reference model of what every load must return
// (machine/scenario/differential_test.go through scenarios, on the textbook
// kernel and on Linux's with huge pages never, on MADV_HUGEPAGE and
// always; random_test.go here with every behaviour, and on four cores
// with two threads a process and each core's MMU), with CheckInvariants
// after every operation (which holds every core's TLB entries against the
// page tables); by table-driven tests of each kind of shootdown
// (cores_test.go); and through the MMU, TLBs and page-walk caches for huge
// pages. The machine's configuration keys (os.zero_page,
// os.fault_around, os.readahead, os.thp, os.hugetlb_2m, os.hugetlb_1g) set
// Config's fields; machine/scenario runs faults.c and thp.c as scenarios.
package os
