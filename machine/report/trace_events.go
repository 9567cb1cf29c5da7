package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/vmemu/vmemu/sim"
)

// TraceEvents is a timeline in Chrome's trace-event format, for a viewer
// such as Perfetto or chrome://tracing: complete spans ("X" events) on
// numbered lanes (tids), timed in microseconds at the core's clock. The
// machine decides what the spans are; this is only the file.
type TraceEvents struct {
	events []traceEvent
	lanes  []sim.Cycle // when each lane (tid) is free again
	usPerC float64
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

// NewTraceEvents starts a timeline whose cycles tick at freqHz.
func NewTraceEvents(freqHz uint64) *TraceEvents {
	return &TraceEvents{usPerC: 1e6 / float64(freqHz)}
}

// Lane returns a tid free from start on, so that spans on one tid nest.
func (t *TraceEvents) Lane(start, end sim.Cycle) int {
	for i, free := range t.lanes {
		if free <= start {
			t.lanes[i] = end
			return i + 1
		}
	}
	t.lanes = append(t.lanes, end)
	return len(t.lanes)
}

// Span adds a span from cycle from to cycle to on lane tid.
func (t *TraceEvents) Span(name, cat string, from, to sim.Cycle, tid int, args map[string]any) {
	t.events = append(t.events, traceEvent{Name: name, Cat: cat, Ph: "X", Ts: float64(from) * t.usPerC,
		Dur: float64(to-from) * t.usPerC, Pid: 1, Tid: tid, Args: args})
}

// Write puts the timeline out as a trace-event JSON file.
func (t *TraceEvents) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(map[string]any{"traceEvents": t.events, "displayTimeUnit": "ns"}); err != nil {
		return err
	}
	return bw.Flush()
}
