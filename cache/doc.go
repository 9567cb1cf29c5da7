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
// Coherence (Share), when a shared level has two or more cores' private
// levels above it: MESI with a directory kept beside the shared level, a
// sharer bit per core (up to 64) and the E/M owner per line, inclusive of
// the private levels (each private way keeps the directory's grant: none
// yet, S or E; with its dirty bit that gives S, E or M). A read that reaches the directory gets
// E if no other core holds the line, else S; a line another core owns is
// forwarded from it (a transfer, E or M alike, since the directory cannot
// tell a silent E->M), the owner left Shared and its dirty data written
// back to the shared level. A store to an S line upgrades (its request goes
// from the level that found it Shared to the directory, past the lower
// levels' lookups), invalidating every other core's copies at every level
// and waiting for their acknowledgments; a store to an E line makes it M
// with no message; a store miss gets the line M, invalidating the others
// or taking it from its owner. A private eviction costs no message (a
// dirty one's data goes down as a write-back), and the directory's entry
// keeps naming the core until it is rewritten; it is checked against the
// grants of the cores it names when read, so the sharers and owner a
// request meets are exact (a core is a sharer as long as one of its levels
// holds the line: coherence_grants.go); the shared level's eviction of a line
// invalidates every private copy (dirty ones go down with it). As
// everywhere here, the state changes when a request reaches the directory,
// at once; what the messages cost (Coherence: lookup, transfer,
// invalidation round trip, fanned out or in series) is added to the
// request's ready time, and a line being upgraded makes later accesses
// wait for the grant as for a fill. No event is scheduled for it. Only
// the coherent levels pay for it: one core builds none of it.
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
// Given a sim.ByIP (CountMissesByIP, for emu annotate), a level also tells
// it of each demand miss it counts, by the IP its request carries: the
// MSHR's request below, a write-through store and a write-no-allocate one
// carry the IP of the access they serve.
//
// A level that misses has the host prefetch the next level's set before
// that level reads it (warm.go): for the host's speed alone, the model
// computes nothing differently.
//
// What it leaves out: snooping and the forward states of MOESI and MESIF
// (a line another core owns always comes through the directory; a Shared
// line always from the shared level); the network (fixed latencies, no
// links, no contention) and the directory's transient states (requests for
// one line overlap rather than queue behind each other); a directory of
// its own geometry (it lives in the shared level's tags, so that level is
// inclusive of the private ones while coherence is on, whatever its
// inclusion says); banks (a lookup that finds no port left waits for the
// next cycle with one, whatever line it reads); data (memory holds the
// bytes, caches hold tags and state, with one core or many); partial-line
// dirty state (a dirty line is written back whole).
//
// References: the Cache Lab reference simulator (8 graded cases, exact) and
// cachegrind's cg_sim.c (matmul trace, all nine counts exact); see
// machine's tests. The write-policy unit tests follow hand-worked sequences
// written in the tests (the replacement policies' are in replacement).
// Coherence follows gem5's MESI_Two_Level (the directory in the shared
// level's entries, forwards to an E or M owner, upgrades, exact sharers);
// its tests work each transition by hand and check random accesses of 2-4
// cores against MESI's invariants and the textbook's transitions after
// every access.
package cache
