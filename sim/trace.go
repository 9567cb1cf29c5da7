package sim

// Trace collects the spans of one access as the components it visits
// record them: the timeline's window of accesses carries one; every other
// request carries none and costs its components a nil check. It is how the
// timeline shows what happened, not what the configuration says should.
type Trace struct {
	Spans []Span
}

// Span is a stretch of an access's life at one level.
type Span struct {
	Level    Level
	What     string // "hit", "merged", "miss", "mshr wait", "memory", "dram", ...
	From, To Cycle
}

// Add records a span; on a nil Trace it does nothing.
func (t *Trace) Add(l Level, what string, from, to Cycle) {
	if t != nil {
		t.Spans = append(t.Spans, Span{l, what, from, to})
	}
}
