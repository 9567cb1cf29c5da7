// Package prefetch is the hardware prefetchers: each one a file that
// registers itself by name (Register), for a cache level, the first
// level's instruction side, or the prefetch buffer beside the last TLB.
//
// A prefetcher sees what ChampSim's prefetcher_cache_operate and
// prefetcher_cache_fill see: every access to its level (Access: address,
// instruction pointer, kind, hit or miss, whether it is the first use of
// a line it brought) and every fill (Fill: set and way, whether the line
// is its own, the line it evicted, and when the miss was looked up and
// the data arrives); a Brancher at the L1I also sees the branches the
// front end predicts (ChampSim's prefetcher_branch_operate). It asks its
// level for lines through an Issuer (Prefetch, MSHRs). Everything else is
// the level's (package cache for caches, mmu for the TLB): MSHRs and
// queues, translation, the page's edge, the throttle, and the counting
// of issued, dropped, useful, late and useless prefetches.
//
// The prefetchers: next-line (ChampSim's next_line); ip-stride
// (ChampSim's ip_stride); stream (Intel's L2 streamer); berti (Navarro-
// Torres et al., MICRO 2022); spp (Kim et al., MICRO 2016); fdip
// (Reinman, Calder and Austin, MICRO 1999); and, for the TLB, next-page,
// stride and distance (Kandiraju and Sivasubramaniam, ISCA 2002). Each
// file says which tables and thresholds it takes from where, and what it
// leaves out; each is tested against a sequence worked by hand.
//
// What the package leaves out: a prefetcher issues from Operate, Fill and
// Branch only (ChampSim's prefetcher_cycle_operate, issuing over later
// cycles, has no counterpart), and a prefetcher has no metadata to pass
// to the levels below. docs/prefetchers.md walks through writing one.
package prefetch
