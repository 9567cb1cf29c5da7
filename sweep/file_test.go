package sweep

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLoadTwelve(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	if got := s.Traces; !slices.Equal(got, []string{"a.trace", "b.trace"}) {
		t.Errorf("traces %v", got)
	}
	want := []Param{{"l1d.ways", []string{"6", "12"}}, {"l2.size", []string{"256KiB", "512KiB", "1MiB"}}}
	if len(s.Params) != 2 || !slices.Equal(s.Params[0].Values, want[0].Values) || !slices.Equal(s.Params[1].Values, want[1].Values) {
		t.Errorf("params %v, want %v", s.Params, want)
	}
	if s.Output != filepath.Join(s.Dir, "out") {
		t.Errorf("output %s", s.Output)
	}
}

func TestRanges(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"{from: 256KiB, to: 4MiB, times: 2}", []string{"256KiB", "512KiB", "1MiB", "2MiB", "4MiB"}},
		{"{from: 1, to: 16, step: 5}", []string{"1", "6", "11", "16"}},
		{"{from: 1, to: 4, step: 1}", []string{"1", "2", "3", "4"}},
		{"{from: 96KiB, to: 160KiB, step: 32KiB}", []string{"96KiB", "128KiB", "160KiB"}},
		{"{from: 1, to: 18446744073709551615, times: 4294967296}", []string{"1", "4294967296"}},
		{"[2, 4]", []string{"2", "4"}},
		{"8", []string{"8"}},
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tc.text), &n); err != nil {
			t.Fatal(err)
		}
		r := &reader{file: "s.yaml"}
		got, err := r.values("k", n.Content[0])
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.text, got, err, tc.want)
		}
	}
}

func TestBadSweepFiles(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"params:\n  l2.sise: [1MiB]\ntraces: [a.trace]\n", "s.yaml:2: l2.sise: unknown key; did you mean l2.size?"},
		{"params:\n  l2.ways: [4, 0]\ntraces: [a.trace]\n", "s.yaml:2: l2.ways: "},
		{"params:\n  l2.size:\n    - 1MiB\n    - 3x\ntraces: [a.trace]\n", "s.yaml:4: l2.size: "},
		{"traces: [\"*.champsim\"]\n", `s.yaml:1: traces: "*.champsim" matches no file`},
		{"traces: [nope.trace]\n", "s.yaml:1: traces: nope.trace: no such file or directory"},
		{"base: defualt\ntraces: [a.trace]\n", "s.yaml:1: base: "},
		{"trace: [a.trace]\n", "s.yaml:1: trace: unknown key; did you mean traces?"},
		{"params: {l2.ways: {from: 8, to: 2, step: 1}}\ntraces: [a.trace]\n", "the range ends (to) before it starts (from)"},
		{"params: {l2.ways: {from: 2, to: 8}}\ntraces: [a.trace]\n", "a range has from, to, and either step or times"},
		{"params: {l2.ways: {from: 2, to: 8, times: 1}}\ntraces: [a.trace]\n", "times must be a whole number of at least 2"},
		{"params: {l2.ways: {from: 1, to: 1000000000, step: 1}}\ntraces: [a.trace]\n", "more than 100000 values"},
		{"params: {seed: [1, 2]}\nseeds: [3]\ntraces: [a.trace]\n", "seed: swept both here and by seeds"},
		{"seeds: [x]\ntraces: [a.trace]\n", `seeds: "x" is not a seed`},
		{"max: 1KiB\ntraces: [a.trace]\n", `max: "1KiB" is not a whole number`},
		{"base: default\n", "no traces"},
		{"[1, 2]\n", "s.yaml:1: a sweep file is a mapping"},
		{"traces: [a.trace\n", "s.yaml:"},
		{"traces: [a.trace]\ntraces: [b.trace]\n", "s.yaml:2: traces: given twice, on lines 1 and 2"},
		{"params:\n  l2.ways: [4]\n  l1d.ways: [4]\n  l2.ways: [8]\ntraces: [a.trace]\n", "s.yaml:4: l2.ways: given twice, on lines 2 and 4"},
		{"params:\n  l2.ways: {from: 2, to: 8,\n    from: 4, step: 2}\ntraces: [a.trace]\n", "s.yaml:3: l2.ways: from: given twice, on lines 2 and 3"},
		{"params:\n  l1d.latency: {from: 1, to: 10000, step: 1}\n  l2.latency: {from: 1, to: 10000, step: 1}\n  llc.latency: {from: 1, to: 10000, step: 1}\ntraces: [a.trace]\n",
			"s.yaml:2: params: the plan has 1000000000000 points (1 trace x 10000 l1d.latency values x 10000 l2.latency values x 10000 llc.latency values); at most 100000"},
		{"params:\n  l2.latency: {from: 1, to: 400, step: 1}\n  llc.latency: {from: 1, to: 251, step: 1}\ntraces: [a.trace]\n",
			"the plan has 100400 points"},
		{"params:\n  l2.latency: {from: 1, to: 1000, step: 1}\ntraces: [a.trace]\nseeds: {from: 1, to: 101, step: 1}\n",
			"the plan has 101000 points (1 trace x 1000 l2.latency values x 101 seeds)"},
		{"params:\n  l1d.latency: {from: 1, to: 100000, step: 1}\n  l2.latency: {from: 1, to: 100000, step: 1}\n  llc.latency: {from: 1, to: 100000, step: 1}\n  l1i.latency: {from: 1, to: 100000, step: 1}\ntraces: [a.trace]\n",
			"the plan has more than 2^64 points"},
		{"traces: [a.trace]\noutput: \"out\\n touch /tmp/pwned\"\n", "s.yaml:2: output: \"out\\n touch /tmp/pwned\" holds a control character"},
	} {
		dir := t.TempDir()
		writeTrace(t, filepath.Join(dir, "a.trace"), 10, 64)
		_, err := Parse(filepath.Join(dir, "s.yaml"), []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one with %q", tc.text, err, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), filepath.Join(dir, "s.yaml")) {
			t.Errorf("%q: error %v does not start with the file", tc.text, err)
		}
	}
}

func TestSweepJSONAndBaseFile(t *testing.T) {
	dir := t.TempDir()
	writeTrace(t, filepath.Join(dir, "a.trace"), 10, 64)
	os.WriteFile(filepath.Join(dir, "m.yaml"), []byte("base: default\nl2:\n  size: 512KiB\n"), 0o644)
	s, err := Parse(filepath.Join(dir, "s.json"), []byte(`{"base": "m.yaml", "params": {"l2.ways": [4, 8]}, "traces": "a.trace", "seeds": {"from": 1, "to": 3, "step": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.BaseSpec() != filepath.Join(dir, "m.yaml") || len(s.Seeds) != 3 || len(Plan(s)) != 6 {
		t.Errorf("base %s, seeds %v, %d points", s.BaseSpec(), s.Seeds, len(Plan(s)))
	}
	if !slices.Equal(s.Metrics, DefaultMetrics) {
		t.Errorf("metrics %v", s.Metrics)
	}
}
