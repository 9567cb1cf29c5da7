package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

func TestGroup(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 704513: "704,513",
		2119128: "2,119,128", 18446744073709551615: "18,446,744,073,709,551,615"} {
		if got := Group(n); got != want {
			t.Errorf("Group(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestTraceEventLanes checks that overlapping spans go to different lanes,
// a lane is reused once it is free, and the file has the trace-event
// fields, timed in microseconds.
func TestTraceEventLanes(t *testing.T) {
	te := NewTraceEvents(1e9) // 1 GHz: 1000 cycles a microsecond
	spans := []struct {
		from, to sim.Cycle
		lane     int
	}{{0, 2000, 1}, {1000, 3000, 2}, {2000, 4000, 1}, {2500, 2600, 3}, {3000, 3500, 2}}
	for i, s := range spans {
		lane := te.Lane(s.from, s.to)
		if lane != s.lane {
			t.Errorf("span %d: lane %d, want %d", i, lane, s.lane)
		}
		te.Span("load", "access", s.from, s.to, lane, nil)
	}
	var buf bytes.Buffer
	if err := te.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var file struct {
		TraceEvents []traceEvent `json:"traceEvents"`
		Unit        string       `json:"displayTimeUnit"`
	}
	if err := json.Unmarshal(buf.Bytes(), &file); err != nil {
		t.Fatal(err)
	}
	want := traceEvent{Name: "load", Cat: "access", Ph: "X", Ts: 1, Dur: 2, Pid: 1, Tid: 2}
	if diff := cmp.Diff(want, file.TraceEvents[1]); diff != "" || file.Unit != "ns" || len(file.TraceEvents) != len(spans) {
		t.Errorf("unit %q, %d events; second (-want +got):\n%s", file.Unit, len(file.TraceEvents), diff)
	}
}
