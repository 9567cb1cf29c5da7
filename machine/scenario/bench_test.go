package scenario

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/traces"
)

// scenarioAccesses is n loads and stores over 64 pages mapped with
// MAP_POPULATE, so no access faults: as a scenario, and as the same
// accesses in a lackey trace.
func scenarioAccesses(n int) (scenario, trace string) {
	var s, t strings.Builder
	s.WriteString("buf = p1 mmap 0x10000000 262144 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE -1 0\n")
	for i := 0; i < n; i++ {
		addr := 0x10000000 + uint64(i*7919%32768)*8
		if i%4 == 0 {
			fmt.Fprintf(&s, "p1 store %#x 8 %d\n", addr, i)
			fmt.Fprintf(&t, " S %x,8\n", addr)
		} else {
			fmt.Fprintf(&s, "p1 load %#x 8\n", addr)
			fmt.Fprintf(&t, " L %x,8\n", addr)
		}
	}
	return s.String(), t.String()
}

// BenchmarkScenarioVsTrace compares a scenario's accesses per second with
// the same accesses replayed as a plain trace on the in-order core (the
// scenario's own model). The two run by turns and each counts at its best
// run, so the ratio (scenario-vs-trace) does not follow the machine's load
// from one minute to the next.
func BenchmarkScenarioVsTrace(b *testing.B) {
	const n = 200000
	stext, ttext := scenarioAccesses(n)
	s, err := traces.ParseScenario("bench.emu", strings.NewReader(stext))
	if err != nil {
		b.Fatal(err)
	}
	// Each returns how long its replay took; building a machine is not
	// replaying.
	scenario := func() time.Duration {
		m := build(b, "default", "core.model=inorder")
		start := time.Now()
		if _, err := Run(m, s); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	trace := func() time.Duration {
		m := build(b, "default", "core.model=inorder")
		start := time.Now()
		r, err := traces.NewReader("bench.trace", strings.NewReader(ttext))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Run(r, machine.RunOptions{}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	best := [2]time.Duration{time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)}
	for b.Loop() {
		best[0] = min(best[0], scenario())
		best[1] = min(best[1], trace())
	}
	b.ReportMetric(n/best[0].Seconds(), "scenario-refs/s")
	b.ReportMetric(n/best[1].Seconds(), "trace-refs/s")
	b.ReportMetric(best[1].Seconds()/best[0].Seconds(), "scenario-vs-trace")
}

func build(tb testing.TB, preset string, sets ...string) *machine.Machine {
	m, err := machine.BuildFrom(preset, sets...)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
