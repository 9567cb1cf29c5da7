// Package mmu models address translation: the x86-64 page-table entry
// format, radix page tables of any geometry that live in physical memory,
// the page walker with its page-walk caches, and the fault interface the
// operating system implements.
//
// What it models: geometries by levels, bits per level, page size and
// address widths (presets: x86-64 4-level and 5-level, the CS:APP small
// memory system); 8-byte entries with P, R/W, U/S, PWT, PCD, A, D, PS, G, NX
// and the frame number (Intel SDM Vol. 3A §4.5), large pages at the levels
// that allow PS; every entry read is a PTERead request through the cache
// hierarchy from the port the walker is given, and the walker sets the
// Accessed bit, and on a write the Dirty bit, in memory (§4.8), posting the
// write through the same port; page-walk caches for the upper levels keyed by
// PCID and the address bits above each level (§4.10.3), so a walk starts at
// the deepest hit; several walks in flight (a walker limit; more wait), and
// walks to a page already being walked merge. Faults carry their cause (not
// present, write to read-only, user to supervisor, execute of NX, reserved
// bit, address out of range) to a FaultHandler; the walk restarts when the
// handler says so, at most four times per access. A fault and every
// request of a walk (its entry reads, its Accessed and Dirty writes) carry
// the IP of the access that walked, and the MMU can tell a sim.ByIP of
// each TLB miss and walk by that IP (CountByIP, for emu annotate).
//
// TLB prefetching (prefetch.go): a prefetcher of package prefetch is told
// of every miss of the last TLB level, and the pages it asks for are walked
// when a walker is free with no demand walk waiting, by walks that never
// fault and that no demand walk joins, counted apart; their translations
// wait in a prefetch buffer (a fully associative FIFO tlb.TLB of the last
// TLB's page sizes; a translation of another size is dropped, counted)
// that the MMU looks in after the last TLB misses, and every invalidation
// reaches it as it reaches the TLBs; a demand miss to a page a
// prefetch walk is on its way to waits for it (Kandiraju and
// Sivasubramaniam, ISCA 2002, for the buffer and the prefetchers).
// TranslatePrefetch translates a cache prefetcher's virtual address
// through the TLBs without changing them, walking only when allowed.
//
// What it leaves out: the upper half of the canonical x86-64 address space;
// SMEP, SMAP and protection keys; PAT memory types; EPT.
package mmu
