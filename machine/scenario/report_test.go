package scenario

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/report"
)

// figures are what a scenario's report says of its cycles and accesses:
// the whole machine's, or one core's.
type figures struct {
	Cycles    uint64
	Accesses  uint64
	AMAT      float64
	Kinds     []report.KindReport
	Breakdown []report.ServedBy
}

// A scenario whose lines all run on core 0 is reported by the scenario's
// rules on a machine of two cores as on one: its accesses without those
// abandoned after a fault, their cycles without translation and faults,
// the CPI stack of a scenario (the several cores' report counted them as
// a trace's, and listed a trace's stack). The whole machine and core 0
// say what the machine of one core says.
func TestScenarioCoresReportAsOne(t *testing.T) {
	for _, tc := range []struct{ name, text string }{
		{"faults", `buf = p1 mmap 0 16384 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0
for i in 0..3: p1 store buf+i*4096 8 i+1
for i in 0..3: p1 load buf+i*4096 8 == i+1
p1 munmap buf+4096 4096 == 0
p1 load buf+4096 8 == SIGSEGV
p1 modify buf+8192 8 9
`},
		{"fork", `c = p1 fork
b = p1 mmap 0 8192 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0
p1 store b 8 1
c load b 8 == SIGSEGV
p1 store b+4096 8 2
p1 load b 8 == 1
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			one := runCores(t, tc.text)
			two := runCores(t, "set cores=2\n"+tc.text)
			want := figures{one.Cycles, one.Accesses, one.AMAT, one.Kinds, one.Breakdown}
			got := figures{two.Cycles, two.Accesses, two.AMAT, two.Kinds, two.Breakdown}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("two cores against one (-one +two):\n%s", diff)
			}
			c := two.Cores[0]
			got = figures{c.Cycles, c.Accesses, c.AMAT, c.Kinds, c.Breakdown}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("core 0 of two against one core (-one +core 0):\n%s", diff)
			}
		})
	}
}
