package machine

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/traces"
)

// What Progress is told on a machine of several cores: the instructions
// measured, never past the end of each core's measured part (a core that
// replays on adds nothing), and the total, known from the start with
// Measure, and once every core's end is known without, and then what the
// cores measured, whether a trace is a core's or split by thread.
func TestCoresProgress(t *testing.T) {
	defer func(n uint64) { progressInterval = n }(progressInterval)
	progressInterval = 1
	dir := t.TempDir()
	tiny := writeNative(t, dir, "tiny.vmt", 0, threadRecs(0, 0, 100, 0x10000))
	long := writeNative(t, dir, "long.vmt", 0, threadRecs(0, 0, 300, 0x10000000))
	threads := writeNative(t, dir, "threads.vmt", traces.CarriesThreads,
		interleaved(20, threadRecs(0, 0, 250, 0x10000), threadRecs(0, 1, 150, 0x40000)))
	for _, tc := range []struct {
		name       string
		cores      int
		opt        RunOptions
		paths      []string
		knownFirst bool // the total must be known at the first call
	}{
		{"measure", 2, RunOptions{Warmup: 200, Measure: 500}, []string{long, tiny}, true},
		{"to the end", 2, RunOptions{}, []string{long, tiny}, false},
		{"threads to the end", 3, RunOptions{}, []string{threads, tiny}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := build(t, "default", fmt.Sprintf("cores=%d", tc.cores))
			type call struct{ Measured, Total uint64 }
			var calls []call
			opt := tc.opt
			opt.Names = tc.paths
			opt.Reopen = func(i int) (traces.Reader, error) { return traces.Open(tc.paths[i]) }
			opt.Progress = func(measured, total uint64) { calls = append(calls, call{measured, total}) }
			rep, err := m.RunMany(openEach(t, len(tc.paths), opt.Reopen), opt)
			if err != nil {
				t.Fatal(err)
			}
			var sum uint64
			for _, c := range rep.Cores {
				sum += c.Instructions
			}
			if len(calls) == 0 {
				t.Fatal("Progress was never told")
			}
			if tc.knownFirst && calls[0].Total == 0 {
				t.Errorf("total not known at the first call")
			}
			last := call{}
			for _, c := range calls {
				if c.Measured < last.Measured || c.Total != 0 && (c.Total != sum || c.Measured > c.Total) || last.Total != 0 && c.Total == 0 {
					t.Fatalf("told %+v after %+v: want measured rising to at most the total, which is 0 or %d (what the cores measured) and stays known", c, last, sum)
				}
				last = c
			}
			if diff := cmp.Diff(call{sum, sum}, last); diff != "" {
				t.Errorf("last call (-want +got):\n%s", diff)
			}
		})
	}
}
