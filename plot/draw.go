package plot

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func newPlot(title, x, y string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

func (l Lines) plot() (*gplot.Plot, error) {
	if len(l.Series) == 0 {
		return nil, fmt.Errorf("nothing to plot: no series")
	}
	p := newPlot(l.Title, l.XLabel, l.YLabel)
	for i, s := range l.Series {
		if err := addSeries(p, i, s, l.LogX); err != nil {
			return nil, err
		}
	}
	if l.LogX {
		p.X.Scale = gplot.LogScale{}
		p.X.Tick.Marker = gplot.LogTicks{Prec: -1}
	}
	if len(l.XTicks) > 0 {
		p.X.Tick.Marker = gplot.ConstantTicks(l.XTicks)
	}
	if len(l.Series) == 1 && l.Series[0].Label == "" {
		p.Legend = gplot.NewLegend()
	}
	headroom(p, 0.15)
	return p, nil
}

func addSeries(p *gplot.Plot, i int, s Series, logX bool) error {
	xys := make(plotter.XYs, len(s.X))
	for j := range s.X {
		if logX && s.X[j] <= 0 {
			return fmt.Errorf("%s: x = %g cannot go on a log axis", s.Label, s.X[j])
		}
		xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("%s: %v", s.Label, err)
	}
	line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
	points.Shape = plotutil.Shape(i)
	p.Add(line, points)
	if s.Label != "" {
		p.Legend.Add(s.Label, line, points)
	}
	return nil
}

func (s Stacks) plot() (*gplot.Plot, error) {
	if len(s.Bars) == 0 || len(s.Parts) == 0 {
		return nil, fmt.Errorf("nothing to plot: no bars")
	}
	p := newPlot(s.Title, "", s.YLabel)
	width := barWidth(len(s.Bars))
	var below *plotter.BarChart
	for i, part := range s.Parts {
		bc, err := plotter.NewBarChart(plotter.Values(part.Values), width)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", part.Name, err)
		}
		bc.Color, bc.LineStyle.Width = stackColor(i), 0
		if below != nil {
			bc.StackOn(below)
		}
		p.Add(bc)
		p.Legend.Add(part.Name, bc)
		below = bc
	}
	p.NominalX(s.Bars...)
	// An empty slot on the right keeps the legend off the bars.
	p.X.Min, p.X.Max = -0.6, float64(len(s.Bars))+0.4
	headroom(p, 0.05)
	return p, nil
}

// stackColor gives neighbouring layers colours far apart.
func stackColor(i int) color.Color {
	palette := []color.RGBA{
		{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff},
		{0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff}, {0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
		{0x9c, 0x75, 0x5f, 0xff}, {0xba, 0xb0, 0xac, 0xff},
	}
	return palette[i%len(palette)]
}

// barWidth keeps a few bars from being too fat and many from overlapping.
func barWidth(n int) vg.Length {
	return vg.Length(math.Max(4, math.Min(40, 300/float64(n+1))))
}

func (b Bars) plot() (*gplot.Plot, error) {
	if len(b.Values) == 0 {
		return nil, fmt.Errorf("nothing to plot: no values")
	}
	p := newPlot(b.Title, "", b.YLabel)
	bc, err := plotter.NewBarChart(plotter.Values(b.Values), barWidth(len(b.Values)))
	if err != nil {
		return nil, err
	}
	bc.Color, bc.LineStyle.Width = stackColor(0), 0
	p.Add(bc)
	labels, err := plotter.NewLabels(barLabels(b.Values))
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign = draw.XCenter
	}
	labels.Offset.Y = 2
	p.Add(labels)
	p.NominalX(b.Names...)
	p.X.Min, p.X.Max = -0.6, float64(len(b.Names))-0.4
	headroom(p, 0.1)
	return p, nil
}

// barLabels writes each bar's value just above it.
func barLabels(vs []float64) plotter.XYLabels {
	l := plotter.XYLabels{XYs: make(plotter.XYs, len(vs)), Labels: make([]string, len(vs))}
	for i, v := range vs {
		l.XYs[i] = plotter.XY{X: float64(i), Y: v}
		l.Labels[i] = strconv.FormatFloat(v, 'g', 4, 64)
	}
	return l
}

func (h Histogram) plot() (*gplot.Plot, error) {
	if len(h.Values) == 0 {
		return nil, fmt.Errorf("nothing to plot: no values")
	}
	bins := h.Bins
	if bins <= 0 {
		bins = int(math.Min(50, math.Max(5, math.Sqrt(float64(len(h.Values))))))
	}
	p := newPlot(h.Title, h.XLabel, "count")
	hist, err := plotter.NewHist(plotter.Values(h.Values), bins)
	if err != nil {
		return nil, err
	}
	hist.FillColor = stackColor(0)
	hist.LineStyle.Color = color.White
	p.Add(hist)
	headroom(p, 0.08)
	return p, nil
}

// headroom raises the top of the y axis by a share of its range, so the
// highest point clears the title and the legend.
func headroom(p *gplot.Plot, share float64) {
	p.Y.Max += share * (p.Y.Max - p.Y.Min)
}

// SizeTicks labels an axis at each of the given byte sizes ("256KiB").
func SizeTicks(xs []float64, format func(uint64) string) []gplot.Tick {
	xs = append([]float64(nil), xs...)
	sort.Float64s(xs)
	var ticks []gplot.Tick
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			ticks = append(ticks, gplot.Tick{Value: x, Label: format(uint64(x))})
		}
	}
	return ticks
}

// NameTicks labels positions 0, 1, ... with names.
func NameTicks(names []string) []gplot.Tick {
	ticks := make([]gplot.Tick, len(names))
	for i, n := range names {
		ticks[i] = gplot.Tick{Value: float64(i), Label: n}
	}
	return ticks
}
