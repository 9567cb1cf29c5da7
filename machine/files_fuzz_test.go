package machine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/machine/config"
)

// fuzzBudget keeps a fuzzed machine small: a configuration may ask for
// any size its keys allow, and the budget is what refuses the largest.
const fuzzBudget = "64MiB"

// FuzzConfigFile: any pair of files, a.yaml naming b.yaml or a.yaml as a
// base or not, and any --set, load to a configuration or an error that
// says where, and a configuration builds to a machine or an error; never
// a panic, a hang or an unbounded allocation.
func FuzzConfigFile(f *testing.F) {
	seeds := []struct{ a, b, set string }{
		{"base: b.yaml\n", "base: a.yaml\n", ""},
		{"base: a.yaml\n", "", ""},
		{"base: ./sub/../a.yaml\n", "", ""},
		{"base: b.yaml\nseed: 2\n", "base: cachegrind\nseed: 1\n", "ll.ways=4"},
		{"seed: 1\nseed: 2\n", "", ""},
		{"l2:\n  size: 1MiB\nl2.size: 2MiB\n", "", ""},
		{"l2:\n  size: 1MiB\n  size: 1MiB\n", "", ""},
		{"{\"seed\": 1, \"seed\": 1}", "", ""},
		{"base: b.yaml\nstate: s.json\n", "base: csapp-small\n", "mmu.paging=x86-64"},
		{"llc:\n  size: 1TiB\n", "", ""},
		{"", "", "llc.size=1TiB"},
		{"dram:\n  timing:\n    tRFC: 100000\n", "", ""},
		{"base: csapp-small\n", "", "dram.timing.tREFI=1"},
		{"levels: l1i+l1d\nl1d: {size: 64B, ways: 1, line: 64B}\n", "", "l1i.line=128"},
		{"mmu:\n  level_bits: 8\n", "", "dtlb.ways=7"},
		{"os:\n  memory: 1024TiB\n", "", ""},
		{"- a\n- b\n", "&a [*a]", "levels=x"},
		{"base: [b.yaml]\n", "base: {x: 1}\n", "=="},
	}
	for _, s := range seeds {
		f.Add([]byte(s.a), []byte(s.b), s.set)
	}
	os.Setenv(BudgetEnv, fuzzBudget)
	f.Fuzz(func(t *testing.T, a, b []byte, set string) {
		dir := t.TempDir()
		for name, data := range map[string][]byte{"a.yaml": a, "b.yaml": b, "s.json": []byte(`{"memory":[{"pa":1,"data":[1]}]}`)} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cfg, err := config.Load(filepath.Join(dir, "a.yaml"))
		if err == nil && set != "" {
			err = cfg.SetArg(set)
		}
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, ": ") {
				t.Fatalf("an error that says nowhere: %q", msg)
			}
			return
		}
		if m, err := Build(cfg); err == nil {
			m.Release()
		}
	})
}

// FuzzStateFile: any state file is applied to csapp-small (or the default
// machine) or refused with an error naming the file; never a panic.
func FuzzStateFile(f *testing.F) {
	for _, s := range []string{
		`{"system":{"va_bits":14,"pa_bits":12,"page_bytes":64,"tlb":{"sets":4},"cache":{"block_bytes":4}}}`,
		`{"tlb":[{"set":3,"way":0,"tag":"0x03","ppn":"0x0D","valid":1}],"page_table":[{"vpn":"0x0F","ppn":"0x0D","valid":1}]}`,
		`{"cache":[{"cache":"l1","set":5,"way":0,"tag":"0x0D","valid":1,"data":["0x36","0x72","0xF0","0x1D"]}]}`,
		`{"memory":[{"pa":"0xFFFFFFFF","data":[1]}]}`,
		`{"memory":[{"pa":"0xFFFFFFFFFFFFFFFF","data":[1,2]}]}`,
		`{"tlb":[{"set":1,"way":0,"tag":1,"ppn":1,"valid":1},{"set":1,"way":0,"tag":2,"ppn":2,"valid":1}]}`,
		`{"cache":[{"set":5,"tag":1,"valid":1},{"index":5,"tag":2}]}`,
		`{"page_table":[{"vpn":"0x400000000000000","ppn":1,"valid":1}]}`,
		`{"tlb":[{"set":0,"tag":"0x4000000000000000","ppn":1,"valid":1}]}`,
		`{"cache":[{"set":1,"tag":"0xFFFFFFFFFFFFFFFF","valid":1,"data":[1,2,3,4]}]}`,
		`{"memory":[{"pa":16,"data":[1,2,3]},{"pa":17,"data":[2,9]}]}`,
		`{"system":{"va_bits":"x"}}`, `{"system":{"pa_bits":13,"va_bits":16}}`, `{"system":{"vabits":14}}`,
		"", "null", "[]", "{}{}", `{"tlb":{"set":1}}`, `{"tlb":[{"sett":0}]}`, `{"tlb":[],"tlb":[]}`,
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(`{"page_table":[{"vpn":"0x7fffffff","ppn":"0xFFFFFFFFFF","valid":1}],"memory":[{"pa":"0xFFFFFFFFFFFF0","data":[1]}]}`), true)
	os.Setenv(BudgetEnv, fuzzBudget)
	f.Fuzz(func(t *testing.T, data []byte, x86 bool) {
		path := filepath.Join(t.TempDir(), "s.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		spec := "csapp-small"
		if x86 {
			spec = "default"
		}
		cfg, err := config.Load(spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Set("state", path); err != nil {
			t.Fatal(err)
		}
		m, err := Build(cfg)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path) {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		m.Release()
	})
}
