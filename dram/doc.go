// Package dram is a cycle-level model of a DDR4/DDR5 memory controller and
// the DRAM behind it, validated against DRAMsim3 and Ramulator 2.
//
// # What it models
//
//   - Devices: channels, ranks, bank groups, banks, rows and columns; each
//     bank's open row; the JEDEC timing set (CL, CWL, tRCD, tRP, tRAS, tRC,
//     tCCD_S/L, tRRD_S/L, tFAW, tWR, tWTR_S/L, tRTP, tRTRS, tRFC, tRFCsb,
//     tREFI) enforced between every pair of commands that JESD79-4/-5 relate,
//     at bank, bank-group, rank and channel scope (delays.go, device.go).
//     One command per DRAM cycle per channel; a read's data is in CL + BL/2
//     cycles after its READ.
//   - Controller, per channel: read and write queues with write-drain
//     watermarks (Ramulator 2's rule), read forwarding from queued writes and
//     merging of writes to the same line, FR-FCFS (ready row hits first, then
//     oldest) or FCFS scheduling, an optional cap on consecutive row hits,
//     open- or closed-page policy (closed uses RDA/WRA), all-bank refresh
//     every tREFI (ranks staggered as DRAMsim3 does) and DDR5 same-bank
//     refresh, address mapping by name (RoBaRaCoCh, ChRaBaRoCo, a
//     row-XOR-bank permutation) or bit-field string.
//   - Time: the controller counts DRAM cycles and talks to the rest of the
//     emulator in core cycles through an exact sim.Ratio, so nothing drifts.
//   - Statistics: ACT/PRE/RD/WR/REF counts, row hits/misses/conflicts, read
//     latency mean and p50/p95/p99, queue occupancy, bandwidth, per bank on
//     request; reads by the IP of the instruction behind them for a
//     sim.ByIP (CountReadsByIP, emu annotate).
//
// # How it runs
//
// The controller is event-driven: a channel wakes only at the DRAM cycles
// where something can happen (a request arrives, a command becomes legal,
// data returns, a refresh falls due) and jumps straight to the next one.
// An idle channel schedules nothing at all, not even refresh: refreshes that
// fell due while it idled are caught up, at the cycles they would have
// issued, when work next arrives, and long idle stretches are counted in
// closed form. So idle time costs nothing.
//
// Requests reach a channel through an ingress queue: in order, at most one
// per DRAM cycle, the head retried until the controller has room (this is
// the trace replay's rule and the back-pressure a cache sees as latency).
// A request that enters at cycle t can be scheduled from t+1; a read's
// latency is counted from t to its last data beat. Both references count it
// so: an isolated read to a closed bank takes 1 + tRCD + CL + BL/2 = 37
// DDR4-2400 cycles, a row hit 1 + CL + BL/2 = 21, a row conflict
// 1 + tRP + tRCD + CL + BL/2 = 53.
//
// # Reference
//
// The ddr4-2400 preset is the refdata DRAMsim3 configuration
// DDR4_8Gb_x8_2400_2_1ch1r_RoBaRaCoCh.ini (tRFC 420, tREFI 9360; Ramulator
// 2.1's file differs only there). With it the model gives the issue's
// figures: 37/21/53 isolated latencies; 59.8 cycles average for random reads
// over 1 GiB at one per 200 cycles (DRAMsim3: 59.7); 18.26 GB/s for
// sequential reads rotating over the bank groups; 11.21 GB/s for random
// reads as fast as accepted (tFAW-bound). Bandwidth uses tCK = 1/1.2 GHz =
// 0.8333 ns; DRAMsim3 prints it with the .ini's rounded 0.83 ns, which
// reads 0.4% higher.
//
// # What it leaves out
//
//   - Power and energy, power-down and self-refresh states.
//   - Refresh postponement and pull-in (JEDEC allows up to 8 REFs of
//     slack): a due refresh is issued as soon as it can be. Fine-granularity
//     refresh (tRFC2/tRFC4) and refresh management (RFM).
//   - DDR5 specifics beyond the timing set above: two-cycle commands, tPPD,
//     the separate write-to-write tCCD_L_WR, tREFSBRD (same-bank refreshes
//     of a rank are kept tRFCsb apart instead), on-die ECC.
//   - Additive latency (AL = 0), ODT, preamble options other than 1 tCK,
//     data bus inversion, command/address parity.
//   - Data on the timing path: the Controller times accesses and carries no
//     bytes; the contents of memory are PhysMem's (physmem.go), kept apart
//     as caches keep tags only.
//   - Read merging: two queued reads of one line are served twice.
//   - Address-range errors on the Port: an address beyond capacity wraps
//     (and is counted); the trace replay rejects it with file and line, and
//     a request's cycle past MaxCycle (2^62: room for the run to end before
//     a 64-bit cycle wraps) too.
package dram
