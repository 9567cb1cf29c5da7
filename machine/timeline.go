package machine

import (
	"fmt"
	"io"

	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
)

// Timeline records a window of accesses for a viewer of Chrome's trace-event
// format (Perfetto, chrome://tracing): each access as a span, its
// translation and any fault, and inside them what every level it visited
// recorded (a hit, a miss's lookup, a wait for an MSHR, memory or DRAM
// until the data came back), each where and for as long as it happened.
// Times are microseconds at the core's clock. It is the memory side's
// Tracer.
type Timeline struct {
	First, Count uint64 // the window: accesses First+1 .. First+Count, in the order presented

	seen   uint64
	events *report.TraceEvents
	names  []string // by level number
}

func (m *Machine) newTimeline(first, count uint64) *Timeline {
	t := &Timeline{First: first, Count: count, events: report.NewTraceEvents(m.freqHz)}
	for _, l := range m.Levels {
		t.names = append(t.names, l.Name)
	}
	return t
}

// Start gives the accesses of the window a trace (memside.Tracer).
func (t *Timeline) Start(*memside.Access) *sim.Trace {
	t.seen++
	if t.seen <= t.First || t.seen > t.First+t.Count {
		return nil
	}
	return &sim.Trace{}
}

// End draws a traced access (memside.Tracer).
func (t *Timeline) End(a *memside.Access, start, translated, end sim.Cycle) {
	tid := t.events.Lane(start, end)
	args := map[string]any{"va": fmt.Sprintf("%#x", a.VA), "pa": fmt.Sprintf("%#x", a.Out.PA), "cycles": uint64(end - start)}
	t.events.Span(a.Kind.String(), "access", start, end, tid, args)
	if translated > start {
		t.events.Span("translate", "mmu", start, translated, tid, map[string]any{"walked": a.Out.Walked})
		if f := a.Out.FaultCycles; f > 0 {
			// The walk stops while the kernel mends the fault; it is shown
			// at the end of the translation, where the access resumes.
			t.events.Span("fault", "os", translated-f, translated, tid, nil)
		}
	}
	for _, s := range a.Trace.Spans {
		// A fill may land after the access is done (a store's): only the
		// part inside the access is drawn, so its lane stays its own.
		if to := min(s.To, end); to > s.From {
			t.events.Span(t.names[s.Level.ID]+" "+s.What, "cache", s.From, to, tid, nil)
		}
	}
}

// write puts the timeline out as a trace-event JSON file.
func (t *Timeline) write(w io.Writer) error { return t.events.Write(w) }
