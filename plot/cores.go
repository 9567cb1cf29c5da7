package plot

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Groups is a grouped bar chart: a group for each name in Bars, in it a
// bar for each part, side by side.
type Groups struct {
	Title, XLabel, YLabel string
	Bars                  []string
	Parts                 []Part
}

// Cores is a run of several cores: each core's IPC (beside its trace's
// IPC alone, when the run has it) and its CPI stack, two panels side by
// side under one title.
type Cores struct {
	Title string
	IPC   Groups
	CPI   Stacks
}

// ipcShare is the IPC panel's share of the width; the stacks, with their
// longer legend, take the rest.
const ipcShare = 0.4

func (c Cores) panels() (string, []panel) {
	return c.Title, []panel{{c.IPC, ipcShare}, {c.CPI, 1 - ipcShare}}
}

// CoresChart reads a report of a run of several cores (emu run --set
// cores=N --json; its cores list) and draws each core's IPC and its CPI
// stack as shares of its cycles, so that a core of CPI 0.2 and one of 200
// can be read side by side (the IPC panel gives the scale). Bars are
// named by core; the stacks also by its trace's file name up to its first
// dot, when there are few.
func CoresChart(path string) (Cores, error) {
	v, err := readJSON(path)
	if err != nil {
		return Cores{}, err
	}
	rep, _ := v.(map[string]any)
	list, _ := rep["cores"].([]any)
	if len(list) == 0 {
		return Cores{}, fmt.Errorf("%s: no cores (a report of emu run --set cores=N --json has them; for one core, emu plot cpi)", path)
	}
	var stacks [][]component
	var cycles []float64
	measured, alone := Part{Name: "IPC"}, Part{Name: "IPC alone"}
	var ids, names []string
	for i, it := range list {
		core, _ := it.(map[string]any)
		c, err := readCore(fmt.Sprintf("%s: element %d of cores", path, i), core)
		if err != nil {
			return Cores{}, err
		}
		ids, names = append(ids, c.name), append(names, c.name)
		if len(list) <= maxTraceNames && c.trace != "" {
			short, _, _ := strings.Cut(filepath.Base(c.trace), ".") // a.lackey.gz: a
			names[i] += "\n" + short
		}
		stacks, cycles = append(stacks, c.stack), append(cycles, c.cycles)
		measured.Values, alone.Values = append(measured.Values, c.ipc), append(alone.Values, c.alone)
	}
	c := Cores{
		Title: fmt.Sprintf("%d cores", len(list)),
		IPC:   Groups{Title: "IPC", XLabel: "core", YLabel: "instructions per core cycle", Bars: ids, Parts: []Part{measured}},
		CPI: Stacks{Title: "where the cycles went", XLabel: "core", YLabel: "share of the core's cycles", Bars: names,
			Parts: nonZero(layers(stacks, cycles, true))},
	}
	if slices.ContainsFunc(alone.Values, func(v float64) bool { return v > 0 }) {
		c.IPC.Parts = append(c.IPC.Parts, alone)
	}
	return c, nil
}

// maxTraceNames is the most cores whose bars also name their trace.
const maxTraceNames = 8

// coreBars is what a chart of cores reads of one core.
type coreBars struct {
	name, trace string
	ipc, alone  float64
	cycles      float64
	stack       []component
}

// readCore reads one element of a report's cores; where names it in
// errors.
func readCore(where string, core map[string]any) (coreBars, error) {
	if core == nil {
		return coreBars{}, fmt.Errorf("%s: not an object", where)
	}
	st, err := stackOf(where, core)
	if err != nil {
		return coreBars{}, err
	}
	c := coreBars{stack: st}
	var ok bool
	if c.ipc, ok = core["ipc"].(float64); !ok {
		return coreBars{}, fmt.Errorf("%s: no ipc", where)
	}
	id, ok := core["core"].(float64)
	if !ok {
		return coreBars{}, fmt.Errorf("%s: no core", where)
	}
	c.name = strconv.FormatFloat(id, 'g', -1, 64)
	c.alone, _ = core["alone_ipc"].(float64)
	c.trace, _ = core["trace"].(string)
	for _, x := range st {
		c.cycles += x.cycles
	}
	if c.cycles == 0 {
		c.cycles = 1 // a core that ran no cycle: its shares are all 0
	}
	return c, nil
}

// nonZero drops the parts that are 0 in every bar.
func nonZero(parts []Part) []Part {
	return slices.DeleteFunc(parts, func(p Part) bool {
		return !slices.ContainsFunc(p.Values, func(v float64) bool { return v != 0 })
	})
}

func (g Groups) plot(share float64) (*gplot.Plot, error) {
	if len(g.Bars) == 0 || len(g.Parts) == 0 {
		return nil, fmt.Errorf("nothing to plot: no bars")
	}
	p := newPlot(g.Title, g.XLabel, g.YLabel)
	n := len(g.Parts)
	width := barWidth(len(g.Bars)*n) * vg.Length(share)
	var sl slots
	for i, part := range g.Parts {
		bc, err := partBars(part, width, &sl)
		if err != nil {
			return nil, err
		}
		bc.Offset = vg.Length(float64(i)-float64(n-1)/2) * width
		p.Add(bc)
		if n > 1 {
			p.Legend.Add(part.Name, bc)
		}
	}
	p.NominalX(g.Bars...)
	p.X.Min, p.X.Max = -0.6, float64(len(g.Bars))-0.4
	headroom(p, 0.05)
	return p, nil
}
