package machine

import (
	"fmt"
	"testing"

	"github.com/vmemu/vmemu/annotate"
	"github.com/vmemu/vmemu/traces"
)

// The counts by instruction add up to the report's figures, event by
// event, on every kind of machine: out-of-order and in-order cores, DRAM
// and a fixed latency, walks from l1d and l2, with translation and
// without, inclusive and exclusive levels, write-through, and after a
// warmup. Events a trace's report has no figure for (major and COW
// faults, SIGBUS, the kernel's cycles) count nothing on a trace.
func TestCountsByIPAddUp(t *testing.T) {
	trace := refdata(t, "lackey/matmul.lackey.gz")
	for _, tc := range []struct {
		preset string
		sets   []string
		warmup uint64
	}{
		{"default", nil, 0},
		{"default", nil, 300000},
		{"default", []string{"core.model=inorder", "memory.model=fixed"}, 0},
		{"default", []string{"mmu.walk_from=l2", "llc.inclusion=inclusive", "l2.inclusion=exclusive"}, 0},
		{"default", []string{"l1d.write_policy=write-through", "l1d.write_allocate=false", "os.traffic=l2"}, 0},
		{"cachegrind", nil, 0},
		{"cachelab", nil, 0},
	} {
		t.Run(fmt.Sprint(tc.preset, tc.sets, tc.warmup), func(t *testing.T) {
			m := build(t, tc.preset, tc.sets...)
			r, err := traces.Open(trace)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			tab := annotate.NewTable()
			rep, err := m.Run(r, RunOptions{Warmup: tc.warmup, ByIP: tab})
			if err != nil {
				t.Fatal(err)
			}
			want := EventTotals(rep)
			for i, name := range tab.Events() {
				got := tab.Totals()[i]
				w, ok := want[name]
				switch {
				case !ok && got != 0:
					t.Errorf("%s: %d by instruction, and the report has no figure for it", name, got)
				case ok && got != w:
					t.Errorf("%s: %d by instruction, %d in the report", name, got, w)
				}
				delete(want, name)
			}
			if len(want) > 0 {
				t.Errorf("the report's figures %v are not counted by instruction", want)
			}
		})
	}
}
