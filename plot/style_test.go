package plot

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// A name has one colour in every chart, whatever else the chart shows;
// names of one chart have distinct colours.
func TestSlotsAreStableAndDistinct(t *testing.T) {
	var a, b slots
	gotA := []int{a.of("memory"), a.of("mcf.trace"), a.of("l2"), a.of("lbm.trace")}
	gotB := []int{b.of("lbm.trace"), b.of("base"), b.of("memory"), b.of("mcf.trace")}
	if gotA[0] != gotB[2] || gotA[1] != gotB[3] || gotA[3] != gotB[0] {
		t.Errorf("the same names got other slots: %v and %v", gotA, gotB)
	}
	if gotA[0] != knownSlots["memory"] || gotA[2] != knownSlots["l2"] {
		t.Errorf("known names off their slots: %v", gotA)
	}
	var c slots
	seen := map[int]bool{}
	for _, n := range []string{"base", "frontend", "l1i+l1d", "l2", "llc", "memory", "translation", "faults", "store_buffer", "switch"} {
		s := c.of(n)
		if seen[s] {
			t.Errorf("%s shares slot %d with another component of the CPI stack", n, s)
		}
		seen[s] = true
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		min, max float64
		want     []string // the labelled ticks
	}{
		{0, 2119128, []string{"0", "500k", "1M", "1.5M", "2M"}},
		{0, 0.93, []string{"0", "0.2", "0.4", "0.6", "0.8"}},
		{0, 6.3, []string{"0", "2", "4", "6"}},
		{-3, 3, []string{"-2", "0", "2"}},
	}
	for _, tc := range tests {
		var got []string
		for _, tk := range (niceTicks{5}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%g..%g (-want +got):\n%s", tc.min, tc.max, diff)
		}
	}
}

func TestHumanNumber(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {0.25, "0.25"}, {3, "3"}, {950, "950"}, {2500, "2.5k"}, {250000, "250k"},
		{1.5e6, "1.5M"}, {2.119128e6, "2.12M"}, {4e9, "4G"}, {-3000, "-3k"}, {3e-5, "3.0e-05"},
	}
	for _, tc := range tests {
		if got := humanNumber(tc.v); got != tc.want {
			t.Errorf("humanNumber(%g) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestWithUnit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cycles", "cycles (core cycles)"},
		{"amat", "amat (core cycles)"},
		{"dram.avg_read_latency_cycles", "dram.avg_read_latency_cycles (DRAM cycles)"},
		{"interval_ipc", "interval_ipc (instructions per core cycle)"},
		{"levels.l2.miss_rate", "levels.l2.miss_rate"},
		{"instructions", "instructions"},
		{"dram.bandwidth_gbps", "dram.bandwidth_gbps (GB/s)"},
		{"stats.dram.read_latency_sum_cycles", "stats.dram.read_latency_sum_cycles (DRAM cycles)"},
		{"stats.core.cycles.memory", "stats.core.cycles.memory (core cycles)"},
		{"stats.l1d.load.misses", "stats.l1d.load.misses"},
	}
	for _, tc := range tests {
		if got := withUnit(tc.in); got != tc.want {
			t.Errorf("withUnit(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A line chart's y axis starts at zero unless asked to fit the data.
func TestLinesFromZero(t *testing.T) {
	l := Lines{Series: []Series{{Label: "a", X: []float64{1, 2, 3}, Y: []float64{5, 8, 10}}}}
	p, err := l.plot(1)
	if err != nil || p.Y.Min != 0 {
		t.Errorf("y from %g, %v; want 0", p.Y.Min, err)
	}
	l.YFromData = true
	if p, _ := l.plot(1); p.Y.Min != 5 {
		t.Errorf("--y-from-data: y from %g, want 5", p.Y.Min)
	}
	l.YFromData, l.LogY = false, true
	if p, _ := l.plot(1); p.Y.Min != 5 {
		t.Errorf("--logy: y from %g, want 5", p.Y.Min)
	}
	l.Series[0].Y[0] = 0
	if _, err := l.plot(1); err == nil {
		t.Error("0 on a log y axis: no error")
	}
}

// The legend is drawn beside the data, never over it.
func TestLegendOutsideData(t *testing.T) {
	for _, c := range []Chart{charts(t)["metric"], charts(t)["cpi"]} {
		_, ps := c.panels()
		p, err := ps[0].chart.plot(ps[0].share)
		if err != nil {
			t.Fatal(err)
		}
		dc := draw.New(vgimg.New(DefaultWidth, DefaultHeight))
		plotArea, legend := layout(p, dc)
		data := p.DataCanvas(plotArea)
		if legend.Max.X-legend.Min.X == 0 {
			t.Fatal("no legend")
		}
		if data.Max.X > legend.Min.X && data.Max.Y > legend.Min.Y && legend.Max.Y > data.Min.Y && legend.Max.X > data.Min.X {
			t.Errorf("the legend %v overlaps the data %v", legend, data.Rectangle)
		}
	}
}

// --dpi sets a PNG's pixels: 16 cm at 300 dpi are 1890 pixels.
func TestDPI(t *testing.T) {
	var out bytes.Buffer
	c := charts(t)["series"]
	if err := Write(&out, c, "png", Size{Width: 16 * vg.Centimeter, Height: 10 * vg.Centimeter, DPI: 300}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([2]int{1890, 1181}, [2]int{img.Bounds().Dx(), img.Bounds().Dy()}); diff != "" {
		t.Errorf("size (-want +got):\n%s", diff)
	}
}
