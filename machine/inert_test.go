package machine

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/traces"
)

// What config.Inert calls a key without effect has none: the same run with
// the key at two values gives the same report, number for number.
func TestInertKeysHaveNoEffect(t *testing.T) {
	tests := []struct {
		preset string
		sets   []string // the setting that makes key inert
		key    string
		a, b   string
	}{
		{"default", nil, "memory.latency", "100", "3000"},
		{"default", []string{"memory.model=fixed"}, "dram.scheduler", "frfcfs", "fcfs"},
		{"cachelab", nil, "os.memory", "1GiB", "64MiB"},
		{"cachelab", nil, "dtlb.entries", "16", "64"},
		{"default", []string{"stlb.entries=0"}, "stlb.ways", "4", "16"},
		{"default", []string{"core.model=inorder"}, "core.rob", "32", "512"},
		{"default", []string{"core.model=inorder"}, "core.width", "1", "6"},
		{"default", []string{"disk.model=none"}, "disk.swap", "0", "128MiB"},
		{"default", []string{"access.fetch=ignore"}, "l1i.size", "16KiB", "64KiB"},
		{"cachelab", nil, "l1.replacement", "lru", "random"},
		{"cachegrind", nil, "d1.write_allocate", "true", "false"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			var reports []string
			for _, v := range []string{tc.a, tc.b} {
				cfg, err := config.Load(tc.preset)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range append(tc.sets, tc.key+"="+v) {
					if err := cfg.SetArg(s); err != nil {
						t.Fatal(err)
					}
				}
				if in := cfg.Inert(); len(in) != 1 || in[0].Key != tc.key {
					t.Fatalf("Inert() = %v, want %s", in, tc.key)
				}
				reports = append(reports, inertRun(t, cfg))
			}
			if diff := cmp.Diff(reports[0], reports[1]); diff != "" {
				t.Errorf("%s=%s and %s=%s differ:\n%s", tc.key, tc.a, tc.key, tc.b, diff)
			}
		})
	}
}

func inertRun(t *testing.T, cfg *config.Config) string {
	t.Helper()
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := traces.Generate("random", traces.GenParams{Count: 3000, Size: 8 << 20, ALU: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := m.Run(r, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep.Config = ""
	b, _ := json.MarshalIndent(rep, "", " ")
	return strings.TrimSpace(string(b))
}
