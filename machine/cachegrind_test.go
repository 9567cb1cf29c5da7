package machine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// valgrind 3.19 cachegrind, --I1=32768,8,64 --D1=32768,8,64
// --LL=1048576,16,64, on the program whose lackey trace is matmul.lackey.gz
// (../shared/refdata/README.md).
var cachegrindMatmul = report.CachegrindCounts{
	Ir: 2119128, I1mr: 1427, ILmr: 1398,
	Dr: 555619, D1mr: 46639, DLmr: 995,
	Dw: 23797, D1mw: 5028, DLmw: 1887,
}

func runPreset(t *testing.T, preset, trace string, sets ...string) *report.Report {
	t.Helper()
	cfg, err := config.Load(preset)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		if err := cfg.SetArg(s); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := traces.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := m.Run(r, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestCachegrindMatmul(t *testing.T) {
	rep := runPreset(t, "cachegrind", refdata(t, "lackey/matmul.lackey.gz"))
	if rep.Cachegrind == nil {
		t.Fatal("no cachegrind counts in the report")
	}
	if diff := cmp.Diff(cachegrindMatmul, *rep.Cachegrind); diff != "" {
		t.Errorf("counts differ from cachegrind's (-cachegrind +vmemu):\n%s", diff)
	}
	if rep.Instructions != cachegrindMatmul.Ir {
		t.Errorf("instructions = %d, want %d (every I record, however many data accesses it has)", rep.Instructions, cachegrindMatmul.Ir)
	}
}
