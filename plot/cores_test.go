package plot

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// report-cores.json is emu run --set cores=4 --alone --warmup 30000
// --measure 20000 on four generated traces (random loads over 1 MiB and
// 32 MiB, a stream, a chase over 4 MiB), its stats and levels left out.
func TestCoresChart(t *testing.T) {
	c, err := CoresChart("testdata/report-cores.json")
	if err != nil {
		t.Fatal(err)
	}
	want := Cores{
		Title: "4 cores",
		IPC: Groups{Title: "IPC", XLabel: "core", YLabel: "instructions per core cycle", Bars: []string{"0", "1", "2", "3"},
			Parts: []Part{
				{"IPC", []float64{3.127443315089914, 0.5288906518577284, 5.9988002399520095, 0.005939605497342472}},
				{"IPC alone", []float64{0.28217102385756004, 0.04396213102033908, 0.3573279019492237, 0.0037640752890339313}},
			}},
		CPI: Stacks{Title: "where the cycles went", XLabel: "core", YLabel: "share of the core's cycles",
			Bars: []string{"0\nl2fit", "1\ndram", "2\nstream", "3\nchase"}},
	}
	if diff := cmp.Diff(want, c, cmpopts.IgnoreFields(Stacks{}, "Parts")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Only the components some core spent cycles on, each bar's shares
	// adding up to 1.
	var names []string
	sums := make([]float64, 4)
	for _, p := range c.CPI.Parts {
		names = append(names, p.Name)
		for i, v := range p.Values {
			sums[i] += v
		}
	}
	if diff := cmp.Diff([]string{"base", "l2", "llc", "memory", "translation"}, names); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	for i, s := range sums {
		if math.Abs(s-1) > 1e-9 {
			t.Errorf("core %d: shares add up to %g", i, s)
		}
	}
}

// Without --alone the IPC panel has one bar a core; a report of one core,
// or a core without its IPC, is refused by name.
func TestCoresChartInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stack := `"cpi_stack": [{"level": "base", "cycles": 10}, {"level": "memory", "cycles": 0}]`
	two := write("two.json", `{"cores": [{"core": 0, "ipc": 1, `+stack+`}, {"core": 1, "ipc": 0.5, `+stack+`}]}`)
	c, err := CoresChart(two)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Part{{"IPC", []float64{1, 0.5}}}, c.IPC.Parts); diff != "" {
		t.Errorf("IPC (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Part{{"base", []float64{1, 1}}}, c.CPI.Parts); diff != "" {
		t.Errorf("CPI (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"cycles": 5, ` + stack + `}`, "no cores (a report of emu run --set cores=N --json has them; for one core, emu plot cpi)"},
		{`{"cores": [{"core": 0, ` + stack + `}]}`, "element 0 of cores: no ipc"},
		{`{"cores": [{"core": 0, "ipc": 1}]}`, "element 0 of cores: no cpi_stack or breakdown"},
		{`{"cores": [{"ipc": 1, ` + stack + `}]}`, "element 0 of cores: no core"},
		{`{"cores": [3]}`, "element 0 of cores: not an object"},
	} {
		_, err := CoresChart(write("bad.json", tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.body, err, tc.want)
		}
	}
}
