package machine

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// runCounting runs trace files on a default machine of the given cores as
// emu run does (read ahead by traces.Pipelined, each opened again when
// its core replays it) and returns the report and each trace's reopens.
func runCounting(t *testing.T, cores int, paths ...string) (*report.Report, []int) {
	t.Helper()
	m := build(t, "default", fmt.Sprintf("cores=%d", cores))
	reopens := make([]int, len(paths))
	open := func(i int) (traces.Reader, error) {
		r, err := traces.Open(paths[i])
		if err != nil {
			return nil, err
		}
		return traces.Pipelined(r, 0), nil
	}
	rep, err := m.RunMany(openEach(t, len(paths), open), RunOptions{Names: paths, Reopen: func(i int) (traces.Reader, error) {
		reopens[i]++
		return open(i)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return rep, reopens
}

// A tiny trace beside a longer one is replayed thousands of times; kept in
// memory after its first reopen, it is not opened again, and the run is
// the same as one that opens it each pass (keptMax 0), with a trace of
// one process or of two threads (each thread a core, each replayed).
func TestReplayKeepsSmallTraces(t *testing.T) {
	dir := t.TempDir()
	tiny := writeNative(t, dir, "tiny.vmt", 0, threadRecs(0, 0, 100, 0x10000))
	threads := writeNative(t, dir, "threads.vmt", traces.CarriesThreads,
		interleaved(20, threadRecs(0, 0, 60, 0x10000), threadRecs(0, 1, 40, 0x40000)))
	long := writeNative(t, dir, "long.vmt", 0, threadRecs(0, 0, 300, 0x10000000))
	for _, tc := range []struct {
		name  string
		cores int
		paths []string
		small int // index of the small trace in paths
		// streams of the small trace: each opens it again for its
		// first pass, and the first of those read whole is kept
		streams int
	}{
		{"one process", 2, []string{long, tiny}, 1, 1},
		{"two threads", 3, []string{threads, long}, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept, keptOpens := runCounting(t, tc.cores, tc.paths...)
			defer func(n int) { keptMax = n }(keptMax)
			keptMax = 0
			opened, opens := runCounting(t, tc.cores, tc.paths...)
			if diff := cmp.Diff(opened, kept); diff != "" {
				t.Errorf("report kept (-opened each pass +kept):\n%s", diff)
			}
			if opens[tc.small] < 1000 {
				t.Errorf("opened each pass, the small trace was reopened %d times: too few passes for the test to mean anything", opens[tc.small])
			}
			if keptOpens[tc.small] != tc.streams {
				t.Errorf("kept, the small trace was reopened %d times over %d passes, want %d", keptOpens[tc.small], opens[tc.small], tc.streams)
			}
		})
	}
}

// BenchmarkReplayTiny runs a tiny trace (100 instructions) beside a
// DRAM-bound one (2,000) on two cores, the tiny one kept in memory and
// opened again each pass (keptMax 0), by turns, each counted at its best:
// seconds a run, and the tiny trace's reopens.
func BenchmarkReplayTiny(b *testing.B) {
	dir := b.TempDir()
	paths := []string{writeNative(b, dir, "long.vmt", 0, threadRecs(0, 0, 2000, 0x10000000)),
		writeNative(b, dir, "tiny.vmt", 0, threadRecs(0, 0, 100, 0x10000))}
	open := func(i int) (traces.Reader, error) {
		r, err := traces.Open(paths[i])
		if err != nil {
			return nil, err
		}
		return traces.Pipelined(r, 0), nil
	}
	kept := keptMax
	defer func() { keptMax = kept }()
	best := map[string]float64{}
	opens := map[string]int{}
	for b.Loop() {
		for _, tc := range []struct {
			name string
			max  int
		}{{"kept", kept}, {"opened", 0}} {
			keptMax = tc.max
			m := build(b, "default", "cores=2")
			n := 0
			start := time.Now()
			_, err := m.RunMany(openEach(b, 2, open), RunOptions{Reopen: func(i int) (traces.Reader, error) { n += i; return open(i) }})
			if err != nil {
				b.Fatal(err)
			}
			if s := time.Since(start).Seconds(); best[tc.name] == 0 || s < best[tc.name] {
				best[tc.name] = s
			}
			opens[tc.name] = n
		}
	}
	for name, s := range best {
		b.ReportMetric(s, name+"-s/run")
		b.ReportMetric(float64(opens[name]), name+"-reopens")
	}
}

// A pass longer than keptMax tells keepSmall the trace is too big to keep
// before any of it is read again: the reader it gives records nothing,
// while one told a short pass (or none) records.
func TestReplaySkipsRecordingLongPasses(t *testing.T) {
	recs := threadRecs(0, 0, 10, 0x10000)
	for _, tc := range []struct {
		name   string
		pass   uint64
		record bool
	}{
		{"no pass yet", 0, true},
		{"a short pass", 10, true},
		{"a pass of keptMax", uint64(keptMax), true},
		{"a longer pass", uint64(keptMax) + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			again := keepSmall(func(int) (traces.InstrReader, error) {
				return traces.Instructions(&sliceReader{recs: recs}, false), nil
			})
			r, err := again(0, tc.pass)
			if err != nil {
				t.Fatal(err)
			}
			if _, recording := r.(*recording); recording != tc.record {
				t.Errorf("after a pass of %d instructions, recording = %v, want %v", tc.pass, recording, tc.record)
			}
			if _, recording := mustReopen(t, again, 0).(*recording); recording != tc.record {
				t.Errorf("next reopen: recording = %v, want %v (too big stays too big)", recording, tc.record)
			}
		})
	}
}

func mustReopen(t *testing.T, again func(int, uint64) (traces.InstrReader, error), pass uint64) traces.InstrReader {
	t.Helper()
	r, err := again(0, pass)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
