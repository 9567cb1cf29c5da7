// Package replacement is the victim choice of a set-associative structure:
// one package for every cache level and every TLB. A policy keeps its own
// state for every set of one cache or TLB and is told of each hit and each
// fill; when a set is full it names the way to replace. The owner fills
// empty ways first and asks for a victim only in a full set (as ChampSim's
// caches do), and owns everything else: tags, validity, dirty state.
//
// # The policies
//
//   - lru: true least-recently-used, by a stamp per way from a counter of
//     the owner's own uses; the lowest way wins a tie.
//   - fifo: the way filled longest ago; hits do not count.
//   - plru: tree pseudo-LRU over up to 64 ways, a bit per inner node of a
//     binary tree that a use points away from the way used and a victim
//     search follows (PLRUt in Al-Zoubi, Milenkovic and Milenkovic,
//     "Performance Evaluation of Cache Replacement Policies for the SPEC
//     CPU2000 Benchmark Suite", ACM-SE 2004); with a number of ways that
//     is not a power of two the tree is unbalanced.
//   - random: a way drawn uniformly from the owner's own stream,
//     sim.NewRNG(seed).Derive(owner's name), one draw per victim.
//   - srrip: static re-reference interval prediction, hit-priority, 2-bit
//     (Jaleel, Theobald, Steely and Emer, "High Performance Cache
//     Replacement Using Re-Reference Interval Prediction (RRIP)", ISCA
//     2010): fills predict 2, hits 0, the victim is the first way at 3, the
//     set ageing until one is.
//
// Each is checked against sequences worked by hand in the tests. What it
// leaves out: bypassing (a fill always takes a way, where ChampSim lets
// find_victim decline), state shared between caches (each cache and TLB
// has a policy of its own), the core and the set's contents among what a
// policy is told (ChampSim passes both; one core, and a policy keeps what
// it needs of the lines itself), and any timing: a policy's work costs no
// cycles.
//
// # Adding a replacement policy
//
// A policy is one file. It implements Policy (Update after every hit and
// fill, Victim for a full set, ClearSet and Restart for a cache whose arrays
// are reused) and registers itself by name from its init function: a
// constructor from Config (sets, ways, and the seed and owner's name for a
// random stream), and optionally a check of the shapes it supports and the
// bytes it allocates:
//
//	func init() { replacement.Register("ship", replacement.Registration{New: newSHiP}) }
//
// The name is then a choice of every cache level's and TLB's replacement
// key, and an unknown name is an error listing the registered ones. The
// Access a policy is given holds what ChampSim gives its policies
// (update_replacement_state, find_victim): the set and way, the full
// address (a cache's byte address; a TLB's virtual address, or the page's
// first address on a fill), the instruction pointer, the kind of access
// (sim.Kind: fetch, load, store, page-table read or write, write-back,
// victim, prefetch), hit or fill, and on a fill the address of the line or
// page it evicts. cache's pcpolicy_test.go is such a file: a SHiP-like
// policy keyed by the instruction pointer, registered by a test.
//
// Every hit in a cache or a TLB updates its policy, and a call there, let
// alone an indirect one, costs measurable speed (the TLBs were written with
// switches for that reason). So State holds the built-in policies' state
// itself, and TryHit and TryFill, small enough to be inlined where they are
// called, do a built-in policy's hit or fill in place; Victim calls the
// built-in policies directly. Only for a registered policy does the owner
// build an Access and call Update, and State call through Policy. A TLB
// under a registered policy tells it of every hit, so it answers no repeat
// hit from its memo of the last one (tlb.TLB.SkipsRepeats).
package replacement
