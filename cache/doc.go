// Package cache models one set-associative cache level, and a hierarchy of
// them wired port to port (Connect).
//
// What it models: size, ways and line size (sets a power of two); a hit
// latency; replacement by a policy of package replacement, named in the
// Config (invalid ways are filled first); write-back, write-through or
// cachegrind's writes-as-reads; write-allocate or not; MSHRs that bound the
// misses in flight, where a miss to a line already on its way merges with it
// and a miss that finds them all busy waits for the first to free; and the
// inclusion of a level with respect to the levels above it: non-inclusive
// (independent), inclusive (an eviction invalidates the line above,
// back-invalidation, and writes it back if it was dirty there) or exclusive
// (misses fill only the level above; its evictions, clean or dirty, come
// down here; a hit here moves the line up). An access that covers two lines
// counts once at each level, as a miss if either line missed (StraddleLines),
// or, for Cache Lab, only its first line counts (StraddleFirst).
//
// Functional state changes in the order accesses are presented, at once, as
// in a sequential reference simulator: that is what makes the counts exact
// against Cache Lab's csim-ref and cachegrind. Timing rides on top: a line
// being filled is in the tag array with the cycle its data arrives, so a hit
// to it before then waits (a merge); fills that the level below can time at
// once (a fixed-latency memory, a hit below) cost no event, and fills it
// cannot (DRAM) complete through sim.Requester.
//
// A level may have a prefetcher of package prefetch (prefetch.go): its
// prefetches are misses of their own, taken at once, each needing an MSHR
// free here (or in the level below, for one that fills it) with no miss
// waiting for one, and a place in the prefetch queue of the level asked;
// their lines are marked until a demand access uses them (useful; late if
// the data was still on its way) or they leave unused (useless). A first
// level's prefetcher sees virtual addresses, translated through the TLBs
// (Translator); the others stop at the edge of the trigger's page. An
// accuracy throttle after feedback-directed prefetching (Srinath et al.,
// HPCA 2007) holds a useless prefetcher back. A level may also bound its
// lookups and fills a cycle and its request queues (bandwidth.go), as
// ChampSim's max_tag_check, max_fill and RQ, WQ and PQ do; by default it
// accepts any number (only MSHRs limit misses). docs/prefetchers.md has
// the details.
//
// What it leaves out: coherence (one core); banks (a lookup that finds a
// port waits for the next cycle with one, whatever line it reads); data
// (memory holds the bytes, caches hold tags and state); partial-line dirty
// state (a dirty line is written back whole).
//
// References: the Cache Lab reference simulator (8 graded cases, exact) and
// cachegrind's cg_sim.c (matmul trace, all nine counts exact); see
// machine's tests. The write-policy unit tests follow hand-worked sequences
// written in the tests (the replacement policies' are in replacement).
package cache
