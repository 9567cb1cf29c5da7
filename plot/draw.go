package plot

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func newPlot(title, x, y string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.X.Tick.Marker = niceTicks{5}
	p.Y.Tick.Marker = niceTicks{5}
	p.Add(plotter.NewGrid())
	return p
}

func (l Lines) plot(float64) (*gplot.Plot, error) {
	if len(l.Series) == 0 {
		return nil, fmt.Errorf("nothing to plot: no series")
	}
	p := newPlot(l.Title, l.XLabel, l.YLabel)
	var sl slots
	for _, s := range l.Series {
		if err := addSeries(p, sl.of(s.Label), s, l.LogX, l.LogY); err != nil {
			return nil, err
		}
	}
	if l.LogX {
		p.X.Scale = gplot.LogScale{}
		p.X.Tick.Marker = readableTicks{gplot.LogTicks{Prec: -1}}
	}
	if len(l.XTicks) > 0 {
		p.X.Tick.Marker = gplot.ConstantTicks(l.XTicks)
	}
	if len(l.Series) == 1 {
		p.Legend = gplot.NewLegend() // the y axis names the one line
	}
	switch {
	case l.LogY:
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = readableTicks{gplot.LogTicks{Prec: -1}}
	case !l.YFromData && p.Y.Min > 0:
		p.Y.Min = 0
	}
	if !l.LogY {
		headroom(p, 0.05)
	}
	return p, nil
}

func addSeries(p *gplot.Plot, slot int, s Series, logX, logY bool) error {
	xys := make(plotter.XYs, len(s.X))
	for j := range s.X {
		if logX && s.X[j] <= 0 {
			return fmt.Errorf("%s: x = %g cannot go on a log axis", s.Label, s.X[j])
		}
		if logY && s.Y[j] <= 0 {
			return fmt.Errorf("%s: y = %g cannot go on a log axis", s.Label, s.Y[j])
		}
		xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("%s: %v", s.Label, err)
	}
	line.Color, points.Color = slotColor(slot), slotColor(slot)
	line.Width = vg.Points(1.5)
	points.Shape = slotShape(slot)
	if len(xys) > 50 {
		points.Radius = 0 // a marker per point would hide a long series
	}
	p.Add(line, points)
	if s.Label != "" {
		p.Legend.Add(s.Label, line, points)
	}
	return nil
}

func (s Stacks) plot(share float64) (*gplot.Plot, error) {
	if len(s.Bars) == 0 || len(s.Parts) == 0 {
		return nil, fmt.Errorf("nothing to plot: no bars")
	}
	p := newPlot(s.Title, s.XLabel, s.YLabel)
	width := barWidth(len(s.Bars)) * vg.Length(share)
	var below *plotter.BarChart
	var layers []*plotter.BarChart
	var sl slots
	for _, part := range s.Parts {
		bc, err := partBars(part, width, &sl)
		if err != nil {
			return nil, err
		}
		if below != nil {
			bc.StackOn(below)
		}
		p.Add(bc)
		layers = append(layers, bc)
		below = bc
	}
	// The legend lists the layers top down, as the bars stack them.
	for i := len(layers) - 1; i >= 0; i-- {
		p.Legend.Add(s.Parts[i].Name, layers[i])
	}
	p.NominalX(s.Bars...)
	p.X.Min, p.X.Max = -0.6, float64(len(s.Bars))-0.4
	headroom(p, 0.05)
	return p, nil
}

// partBars is a part's bars, in its colour.
func partBars(part Part, width vg.Length, sl *slots) (*plotter.BarChart, error) {
	bc, err := plotter.NewBarChart(plotter.Values(part.Values), width)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", part.Name, err)
	}
	bc.Color, bc.LineStyle.Width = slotColor(sl.of(part.Name)), 0
	return bc, nil
}

// barWidth keeps a few bars from being too fat and many from overlapping.
func barWidth(n int) vg.Length {
	return vg.Length(math.Max(4, math.Min(40, 300/float64(n+1))))
}

func (b Bars) plot(share float64) (*gplot.Plot, error) {
	if len(b.Values) == 0 {
		return nil, fmt.Errorf("nothing to plot: no values")
	}
	p := newPlot(b.Title, "", b.YLabel)
	bc, err := plotter.NewBarChart(plotter.Values(b.Values), barWidth(len(b.Values))*vg.Length(share))
	if err != nil {
		return nil, err
	}
	bc.Color, bc.LineStyle.Width = slotColor(0), 0
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

func (h Histogram) plot(float64) (*gplot.Plot, error) {
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
	hist.FillColor = slotColor(0)
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
