package machine

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

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
	events []traceEvent
	lanes  []sim.Cycle // when each lane (tid) is free again
	usPerC float64
	levels []levelSpan
	split  bool // the first level is l1i + l1d
}

type levelSpan struct {
	name    string
	latency sim.Cycle
}

type traceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
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
	t := &Timeline{First: first, Count: count, usPerC: 1e6 / float64(m.freqHz)}
	for _, c := range m.Caches {
		t.levels = append(t.levels, levelSpan{c.Config().Name, c.Config().Latency})
	}
	t.split = m.Fetch != m.Data
	return t
}

// lane returns a tid free from start on, so that spans on one tid nest.
func (t *Timeline) lane(start, end sim.Cycle) int {
	for i, free := range t.lanes {
		if free <= start {
			t.lanes[i] = end
			return i + 1
		}
	}
	t.lanes = append(t.lanes, end)
	return len(t.lanes)
}

func (t *Timeline) span(name, cat string, from, to sim.Cycle, tid int, args map[string]any) {
	t.events = append(t.events, traceEvent{Name: name, Cat: cat, Ph: "X", Ts: float64(from) * t.usPerC,
		Dur: float64(to-from) * t.usPerC, Pid: 1, Tid: tid, Args: args})
}

// record adds an access if it falls in the window.
func (t *Timeline) record(a accessSpan, side int) {
	t.seen++
	if t.seen <= t.First || t.seen > t.First+t.Count {
		return
	}
	tid := t.lane(a.start, a.end)
	args := map[string]any{"va": fmt.Sprintf("%#x", a.va), "pa": fmt.Sprintf("%#x", a.pa), "cycles": uint64(a.end - a.start)}
	t.span(a.kind.String(), "access", a.start, a.end, tid, args)
	if a.trEnd > a.start {
		t.span("translate", "mmu", a.start, a.trEnd, tid, map[string]any{"walked": a.walked})
		if a.faultCycles > 0 {
			// The walk stops while the kernel mends the fault; it is shown
			// at the end of the translation, where the access resumes.
			t.span("fault", "os", a.trEnd-a.faultCycles, a.trEnd, tid, nil)
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
		t.span(name, "cache", at, end, tid, nil)
		at = end
	}
}

// write puts the timeline out as a trace-event JSON file.
func (t *Timeline) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(map[string]any{"traceEvents": t.events, "displayTimeUnit": "ns"}); err != nil {
		return err
	}
	return bw.Flush()
}
