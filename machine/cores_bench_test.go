package machine

import (
	"fmt"
	"testing"
	"time"

	"github.com/vmemu/vmemu/traces"
)

// BenchmarkCores is issue 13's speed figure: simulated instructions per
// second on 4 cores against one, on the same traces (4 copies of one
// trace against that trace alone, records in memory): the matmul lackey
// trace (mostly hits), and random loads over 4 MiB (each core's L2, once
// warm) and over 128 MiB with 2 MiB pages (DRAM-bound, 4 cores contending
// for it). The two machines run by turns and each counts at its best run,
// so the ratio (cores4-vs-1, the target at least 0.7) does not
// follow the host's load.
func BenchmarkCores(b *testing.B) {
	matmul := loadRecords(b, refdata(b, "lackey/matmul.lackey.gz"))
	for _, tc := range []struct {
		name string
		recs []traces.Record
		sets []string
	}{
		{"matmul", matmul, nil},
		{"random-4MiB", generatedRecords(b, "random", traces.GenParams{Size: 4 << 20, Count: 300_000}), nil},
		{"random-128MiB", generatedRecords(b, "random", traces.GenParams{Size: 128 << 20, Count: 100_000}), []string{"os.thp=always"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			best := map[int]float64{1: 0, 4: 0}
			var sim4 float64
			for b.Loop() {
				for _, n := range []int{1, 4} {
					measured, all := coresRate(b, n, tc.recs, tc.sets)
					if measured > best[n] {
						best[n] = measured
						if n == 4 {
							sim4 = all
						}
					}
				}
			}
			b.ReportMetric(best[1], "1core-instr/s")
			b.ReportMetric(best[4], "4core-instr/s")
			b.ReportMetric(best[4]/best[1], "cores4-vs-1")
			b.ReportMetric(sim4, "4core-simulated-instr/s")
		})
	}
}

// coresRate runs n copies of recs on n cores and returns the instructions
// they measured a second (what the report counts: each core's trace once)
// and those they retired in all a second: a core that finishes first
// keeps replaying its trace until the last one finishes (ChampSim's rule),
// so the machine simulates more than it measures.
func coresRate(b *testing.B, n int, recs []traces.Record, sets []string) (measured, all float64) {
	m := build(b, "default", append([]string{fmt.Sprintf("cores=%d", n)}, sets...)...)
	rs := make([]traces.Reader, n)
	for i := range rs {
		rs[i] = &sliceReader{recs: recs}
	}
	start := time.Now()
	rep, err := m.RunMany(rs, RunOptions{Reopen: func(int) (traces.Reader, error) { return &sliceReader{recs: recs}, nil }})
	if err != nil {
		b.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	var retired uint64
	live := m.Stats.Snapshot() // a report's counts are frozen at each core's end; these are not
	for _, c := range m.Cores {
		name := c.Name
		if name == "" {
			name = "core" // cpu.New's name for a core of a machine of one
		}
		retired += live.Value(name + ".instructions")
	}
	return float64(rep.Instructions) / secs, float64(retired) / secs
}

// generatedRecords is the records a generator makes, in memory.
func generatedRecords(b testing.TB, kind string, p traces.GenParams) []traces.Record {
	g, err := traces.Generate(kind, p)
	if err != nil {
		b.Fatal(err)
	}
	var out []traces.Record
	buf := make([]traces.Record, 4096)
	for {
		n, err := g.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out
		}
	}
}
