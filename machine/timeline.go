package machine

import (
	"fmt"
	"io"

	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
)

// Timeline records a window of accesses for a viewer of Chrome's trace-event
// format (Perfetto, chrome://tracing): each access as a span, a span per
// cache level it visited inside it (its lookup latency; the level that
// answered takes the rest), translation, page walks and faults as spans of
// their own. Times are microseconds at the core's clock.
type Timeline struct {
	First, Count uint64 // the window: accesses First .. First+Count-1

	seen   uint64
	events *report.TraceEvents
	levels []levelSpan
	split  bool // the first level is l1i + l1d
}

type levelSpan struct {
	name    string
	latency sim.Cycle
}

// accessSpan is what the memory side knows of one access when it ends.
type accessSpan struct {
	kind        sim.Kind
	va, pa      uint64
	start, end  sim.Cycle
	trEnd       sim.Cycle // end of the first page's translation (start if none)
	walked      bool
	faultCycles sim.Cycle
	depth       int
	faulted     bool
}

func (m *Machine) newTimeline(first, count uint64) *Timeline {
	t := &Timeline{First: first, Count: count, events: report.NewTraceEvents(m.freqHz)}
	for _, c := range m.Caches {
		t.levels = append(t.levels, levelSpan{c.Config().Name, c.Config().Latency})
	}
	t.split = m.Fetch != m.Data
	return t
}

// record adds an access if it falls in the window.
func (t *Timeline) record(a accessSpan, side int) {
	t.seen++
	if t.seen <= t.First || t.seen > t.First+t.Count {
		return
	}
	tid := t.events.Lane(a.start, a.end)
	args := map[string]any{"va": fmt.Sprintf("%#x", a.va), "pa": fmt.Sprintf("%#x", a.pa), "cycles": uint64(a.end - a.start)}
	t.events.Span(a.kind.String(), "access", a.start, a.end, tid, args)
	if a.trEnd > a.start {
		t.events.Span("translate", "mmu", a.start, a.trEnd, tid, map[string]any{"walked": a.walked})
		if a.faultCycles > 0 {
			// The walk stops while the kernel mends the fault; it is shown
			// at the end of the translation, where the access resumes.
			t.events.Span("fault", "os", a.trEnd-a.faultCycles, a.trEnd, tid, nil)
		}
	}
	if a.faulted {
		return
	}
	t.levelSpans(a, side, tid)
}

// levelSpans splits the cache part of an access by the levels it visited:
// each level's lookup latency, and the rest to the level (or memory) that
// answered.
func (t *Timeline) levelSpans(a accessSpan, side, tid int) {
	at := a.trEnd
	levels := t.levels
	if t.split { // only one of l1i (fetch, side 1) and l1d (data, side 0)
		first := levels[1-side]
		levels = append([]levelSpan{first}, levels[2:]...)
	}
	for d := 0; d <= a.depth && at < a.end; d++ {
		name, end := "memory", a.end
		if d < len(levels) {
			name = levels[d].name
			if d < a.depth {
				end = min(at+levels[d].latency, a.end)
			}
		}
		t.events.Span(name, "cache", at, end, tid, nil)
		at = end
	}
}

// write puts the timeline out as a trace-event JSON file.
func (t *Timeline) write(w io.Writer) error { return t.events.Write(w) }
