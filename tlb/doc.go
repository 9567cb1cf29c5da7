// Package tlb models one set-associative translation lookaside buffer: an
// L1 ITLB or DTLB, a TLB for one large page size, or a unified second-level
// TLB (STLB) that holds several page sizes.
//
// # What it models
//
// A TLB has Entries entries in Sets = Entries/Ways sets of Ways ways. An
// entry maps one page of one size (PageShift: 12 for 4 KiB, 21 for 2 MiB,
// 30 for 1 GiB; any size from 2 B up, so the CS:APP small memory system's
// 64-byte pages, shift 6, fit too) to a page frame, with the page's
// permissions (writable, user, no-execute), its dirty state, a PCID tag and
// the global bit. A TLB holds the page sizes listed in its configuration.
//
// Indexing follows CS:APP 3e §9.6.2: the virtual page number is
// VPN = va >> PageShift, the set index TLBI is the low log2(Sets) bits of the
// VPN and the tag TLBT the rest (Index). A TLB that holds several page sizes
// indexes each size with that size's VPN and probes them one after the other,
// smallest page first (the way Intel describes its shared STLB); an entry
// records its page size, so a 4 KiB entry and a 2 MiB one never match each
// other's lookups.
//
// A lookup hits on a valid entry for the page of va, at the entry's page
// size, whose PCID is the current one or that is global (Intel SDM Vol. 3A
// §4.10.2.4 and §4.10.1: with CR4.PCIDE = 0 every entry has PCID 0). Fills
// use an invalid way first, then the victim of a policy of package
// replacement, named in the Config (LRU by default). Lookup does not
// allocate; it scans one set per page size, and it remembers its last hit,
// so a run of lookups to one page skips the search.
//
// Invalidation follows Intel SDM Vol. 3A §4.10.4.1 ("Operations that
// Invalidate TLBs and Paging-Structure Caches"):
//
//	INVLPG va                         InvalidatePage(va, currentPCID)
//	INVPCID type 0 (individual addr)  InvalidateAddr(va, pcid)
//	INVPCID type 1 (single context)   InvalidatePCID(pcid)
//	INVPCID type 2 (all, with global) InvalidateAll(false)
//	INVPCID type 3 (all but global)   InvalidateAll(true)
//	MOV to CR3, CR4.PCIDE = 0         InvalidatePCID(0)
//	MOV to CR3, PCIDE = 1, bit 63 = 0 InvalidatePCID(new PCID)
//	MOV to CR3, PCIDE = 1, bit 63 = 1 nothing
//	MOV to CR4 changing PGE, or
//	  clearing PCIDE                  InvalidateAll(false)
//
// INVLPG removes the entries for the page of va under the current PCID and
// the global entries for that page under any PCID, at every page size the
// TLB holds that could contain va: the 4 KiB page of va, the 2 MiB page
// around it, and so on (a footnote of §4.10.4.1 adds that when a large page
// has several TLB entries, INVLPG invalidates all of them). The
// paging-structure caches that INVLPG also flushes for the current PCID
// belong to mmu/, not here.
//
// Every operation is exact where the SDM allows more: the SDM lets a
// processor invalidate more than it must (and cache less than it may); this
// model invalidates exactly what is required, so a test can check it.
//
// # What it leaves out
//
//   - Timing beyond a fixed hit latency (Config.Latency), which the MMU
//     charges: no ports, banks or fill bandwidth, and a miss costs nothing
//     here (the walk is mmu/'s).
//   - Accessed bits per entry and the rule that an entry may exist only for
//     a page whose Accessed bit was set: the walker sets A and D in memory.
//   - Splintering: a TLB that does not hold a page size does not store a
//     smaller fragment of such a page; the MMU decides where an entry goes
//     (Holds), and inserting a size a TLB does not hold is a programming
//     error (panic).
//   - Speculative fills, and TLB prefetching (the MMU's: its prefetch
//     buffer is a TLB of this package, filled by prefetch walks); entries
//     leave only when they
//     are evicted or invalidated (never spontaneously, as the SDM permits).
//   - The CR4.PGE switch: an entry's Global bit is honoured as given; the
//     MMU inserts Global only when CR4.PGE = 1.
//   - Permission checks: Lookup returns the entry and the MMU compares
//     Writable, User and NX with the access (and, on a store through a
//     clean entry, walks to set D and inserts the entry again).
//   - Entries for overlapping pages of different sizes (left behind when
//     the page tables change without an invalidation) may coexist; a
//     lookup takes the smallest page size that hits.
//
// # References
//
// Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 3A,
// §4.10 "Caching Translation Information": §4.10.1 (PCIDs), §4.10.2 (TLBs,
// global pages), §4.10.4.1 (invalidation instructions). CS:APP 3e §9.6.2
// and §9.6.4 (TLB index and tag; the small memory system of Figure 9.20,
// whose TLB is a test case here).
package tlb
