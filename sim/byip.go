package sim

// Event is a kind of event counted by instruction (a cache level's misses,
// a TLB's, the cycles of one component of the CPI stack). Whoever counts
// them gives out the numbers: a component is told the Event to count as.
type Event uint16

// ByIP counts events by the instruction behind them (emu annotate). A
// component that counts an event in its own counters also tells the ByIP
// it was given, with the IP its request carries (Request.IP); without one,
// in every other run, that costs a comparison with nil.
type ByIP interface {
	Count(ip uint64, e Event, n uint64)
	// Reset discards the counts: the end of warmup, when the registry's
	// counters start again (Stats.Reset).
	Reset()
}
