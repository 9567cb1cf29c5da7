// Package cpu is the trace-driven core: it replays instructions
// (traces.Instr), presents their instruction fetches, loads and stores to
// the memory side (Memory: translation, then the caches), and says where
// every cycle went.
//
// # Models
//
// InOrder is the coursework model. Each instruction presents its fetch
// (when it has one: Size > 0, the whole instruction in one access), then
// its data accesses in trace order, each when the one before it has its
// data; an instruction without data accesses then takes ExecLatency cycles.
// So a run's cycles are the sum of the access latencies plus ExecLatency per
// instruction without data accesses; with ExecLatency 0 and a lackey trace,
// exactly the sum of the latencies.
//
// OOO is an out-of-order core in the manner of ChampSim's, event-driven:
//
//   - Front end: Width instructions a cycle enter a fetch queue (FetchQueue
//     entries). An instruction whose bytes start a 64-byte block the front
//     end did not fetch just before presents one Fetch access for it (two
//     when it straddles a block boundary); with FetchOnTaken, so does the
//     target of a taken branch, as a fetch block of its own (ChampSim).
//     When the instruction side's prefetcher follows branches (fdip), the
//     front end tells it of each branch of the trace, the path a perfect
//     predictor would take, up to its lookahead ahead of fetch, as far as
//     the trace has been read. Fetch does not wait for the data:
//     it goes on while the queue has room, so first-level hits cost only the
//     pipeline's fill, and misses overlap; dispatch waits, in order, for an
//     instruction's bytes.
//   - Dispatch: Width instructions a cycle enter the reorder buffer (ROB
//     entries), each load and store reference taking a load or store queue
//     entry (LQ, SQ). Where the trace has registers (HasRegs), an
//     instruction's sources are the results of the youngest older
//     instructions that write them (renaming: no false dependencies).
//   - Execution: once its sources are ready, an instruction without loads is
//     done ExecLatency cycles later; one with loads presents them all at that
//     cycle and is done when the last one's data arrives. Loads wait for
//     nothing else: independent misses overlap as far as the memory side
//     lets them (its MSHRs), the window (ROB, LQ) and MaxInflightLoads; a
//     pointer chase, each address the previous load's result, serialises.
//   - Retirement: in order, Width a cycle, at the earliest the cycle after
//     dispatch. A store retires without waiting for memory: at retirement it
//     enters the store buffer (StoreBuffer entries) and its write is
//     presented; entries leave in order as their writes are done, and a full
//     buffer stalls retirement.
//
// Nothing ticks while the core stalls: between cycles with work, it jumps
// to the next cycle at which something can change (the head's data, the
// front end's, the store buffer's, the engine's next event). Before it
// presents anything at cycle t it runs the engine's events up to t, so the
// memory side sees accesses at or after the engine's present and in time
// order; a load whose sources are ready at a later cycle is presented from
// an engine event at that cycle, never from within the memory side's own
// callback. Rings and Access objects are reused: the hot path allocates
// nothing.
//
// # What the models leave out
//
// No branch prediction: a mispredicted branch costs nothing (Branch and
// Taken are ignored). No functional units, issue ports or their contention:
// any number of ready instructions execute in a cycle. No decode or rename
// width apart from Width, no memory disambiguation or store-to-load
// forwarding (every load goes to the memory side, even after a store to
// the same bytes), no memory-ordering stalls (stores drain in parallel,
// freed in order), no wrong-path fetch, no data prefetching by the core (the caches have
// their prefetchers), one
// thread. A faulted access (SIGSEGV) ends with no data, and the instruction
// goes on. In the OOO model an instruction's loads all issue together.
//
// # The CPI stack
//
// Both models charge every cycle of a run to exactly one component (see
// StackNames), so the stack sums to the cycles. OOO uses commit-stall
// accounting, the scheme of IBM's POWER5 performance counters that Eyerman
// et al. describe (and improve on): a cycle in which an instruction
// retires is base; any other cycle is charged to why the oldest instruction
// cannot retire. If it waits for a load's data, the cycles are charged by
// where that access was: translating, in the kernel's fault handler, then
// waiting for the level (or memory) that supplied the data. If the ROB is
// empty, they are charged the same way to the instruction fetch the front
// end waits for, and what no fetch explains to frontend. A store that
// cannot enter a full store buffer charges store_buffer; context switches
// and the drain before them charge switch. Commit-stall accounting is exact
// in total but, as Eyerman et al. show, charges overlapped misses to the
// oldest one and front-end misses only while the ROB is empty. InOrder
// charges each access's latency the same way and ExecLatency to base.
//
// With Options.ByIP, the core also counts its instructions and the stack
// by instruction (emu annotate): every cycle charged between two
// retirements is for the instruction that retires next (the ROB head, or
// with the ROB empty the instruction about to enter it; the in-order
// core's running one), so the tally tells its ByIP at each retirement what
// was charged since the one before, and charging costs nothing more.
//
// # Limits
//
// Max, Warmup and the Quantum of a multi-trace run count instructions,
// not trace entries: the continuations of an instruction with more data
// accesses than an entry holds (traces.Instr.Cont) belong to it, so a run
// stops after exactly Max instructions, with all their accesses, and a
// turn never ends between an instruction and its continuations.
//
// # References
//
//   - S. Eyerman, L. Eeckhout, T. Karkhanis, J. E. Smith, "A performance
//     counter architecture for computing accurate CPI components", ASPLOS
//     2006: commit-stall (and better) CPI accounting.
//   - T. Karkhanis, J. E. Smith, "A first-order superscalar processor model",
//     ISCA 2004: why independent misses overlap in the window and dependent
//     ones do not.
//   - ChampSim (github.com/ChampSim/ChampSim): the trace-driven core this one
//     follows in structure (fetch buffer of 64, ROB, LQ, SQ, width).
//   - Intel 64 and IA-32 Architectures Optimization Reference Manual:
//     Skylake's 224-entry ROB, 72 loads and 56 stores, the defaults here.
package cpu
