package sweep

import (
	"context"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/machine"
)

// A point whose machine does not fit the host (llc.size=1TiB is inside
// the key's range, and used to end the whole sweep out of memory, again at
// every resume) is recorded as failed with the bytes it needs; the others
// run, a resumed sweep skips it, and a retry fails it again, no worse.
func TestUnbuildablePointRecorded(t *testing.T) {
	t.Setenv(machine.BudgetEnv, "1GiB")
	s := mustLoad(t, sweepDir(t, "base: cachegrind\nparams: {ll.size: [256KiB, 1TiB]}\ntraces: [a.trace]\n"))
	for i, tc := range []struct {
		opt                  Options
		ran, failed, skipped int
	}{{Options{Jobs: 2}, 2, 1, 0}, {Options{Jobs: 2}, 0, 0, 2}, {Options{Jobs: 2, RetryFailed: true}, 1, 1, 1}} {
		sum, err := Run(context.Background(), s, tc.opt)
		if err != nil || sum.Ran != tc.ran || sum.Failed != tc.failed || sum.Skipped != tc.skipped {
			t.Errorf("run %d: %+v, %v; want %d ran, %d failed, %d skipped", i+1, sum, err, tc.ran, tc.failed, tc.skipped)
		}
	}
	tab, err := Collect(s.Output)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows {
		big := strings.Contains(strings.Join(r.Point.Set, " "), "1TiB")
		want := "--set ll.size=1TiB: ll.size: the machine's arrays would take 352 GiB (352 GiB for ll), more than the 1.00 GiB this host allows (VMEMU_MEMORY_BUDGET=1GiB)"
		if big != (r.Status == Failed) || (big && r.Error != want) {
			t.Errorf("%v: %s %q", r.Point.Set, r.Status, r.Error)
		}
	}
}
