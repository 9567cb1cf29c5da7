// Package plot draws vmemu's results as PNG or SVG with gonum/plot: a
// metric against a swept parameter, CPI stacks as stacked bars, a run of
// several cores (each core's IPC and CPI stack, two panels side by side),
// latency histograms and percentiles, and time series of --interval
// output. Each chart is a plain struct, filled from files by the readers
// here (results.go, cpi.go, cores.go, latency.go, series.go). Every chart keeps its
// legend outside the data, gives a name the same colour in every chart
// (style.go), labels its axes in short numbers with the clock its cycles
// count, and starts a linear y axis at zero unless told otherwise.
package plot

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default size of a chart: readable on a screen and in a paper's column.
const (
	DefaultWidth  = 16 * vg.Centimeter
	DefaultHeight = 10 * vg.Centimeter
	DefaultDPI    = 96
)

// Size is an image's size, and for PNG its resolution.
type Size struct {
	Width, Height vg.Length
	DPI           int // PNG dots per inch; 0 means DefaultDPI
}

// DefaultSize is DefaultWidth by DefaultHeight at DefaultDPI.
var DefaultSize = Size{DefaultWidth, DefaultHeight, DefaultDPI}

// Series is one line: points (X[i], Y[i]).
type Series struct {
	Label string
	X, Y  []float64
}

// Lines is a line chart. XTicks, if set, label the x axis at those values
// (sizes, or the names of a parameter that is not a number). The y axis
// starts at zero unless YFromData or LogY.
type Lines struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	YFromData             bool
	XTicks                []gplot.Tick
	Series                []Series
}

// Part is one layer of stacked bars: its value in each bar.
type Part struct {
	Name   string
	Values []float64
}

// Stacks is a stacked bar chart: Parts stacked in order, one bar per name
// in Bars.
type Stacks struct {
	Title, XLabel, YLabel string
	Bars                  []string
	Parts                 []Part
}

// Bars is a plain bar chart (latency percentiles).
type Bars struct {
	Title, YLabel string
	Names         []string
	Values        []float64
}

// Histogram counts Values in Bins bins (0: a number that suits the count).
type Histogram struct {
	Title, XLabel string
	Values        []float64
	Bins          int
}

// Chart is any of the above, ready to draw: its panels, side by side,
// under the title of the whole ("" when it has none: a chart of one panel
// is titled by it).
type Chart interface {
	panels() (title string, ps []panel)
}

// A panel is one plot of a chart and its share of the chart's width. Its
// plot is given the share: a bar chart narrows its bars to it.
type panel struct {
	chart interface {
		plot(share float64) (*gplot.Plot, error)
	}
	share float64
}

func (l Lines) panels() (string, []panel)     { return "", []panel{{l, 1}} }
func (s Stacks) panels() (string, []panel)    { return "", []panel{{s, 1}} }
func (b Bars) panels() (string, []panel)      { return "", []panel{{b, 1}} }
func (h Histogram) panels() (string, []panel) { return "", []panel{{h, 1}} }
func (g Groups) panels() (string, []panel)    { return "", []panel{{g, 1}} }

// Format tells the image format from a file name: png or svg.
func Format(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png", ".svg":
		return ext[1:], nil
	}
	return "", fmt.Errorf("%s: write a .png or a .svg file", path)
}

// Limits of what a chart draws. A value beyond maxMagnitude (or NaN or
// an infinity) would overflow the axes' arithmetic, and gonum panics on
// such a range; a PNG is drawn whole in memory, 4 bytes a pixel, so its
// pixels are bounded (a 500 cm square at 96 dpi took 21 s and 1.4 GB);
// more bins than MaxBins are narrower than a pixel.
const (
	maxMagnitude = 1e300
	MinSize      = 1 * vg.Centimeter
	MaxSize      = 120 * vg.Centimeter // the long side of an A0 poster
	MinDPI       = 10
	MaxDPI       = 1200
	MaxPixels    = 64 << 20 // 256 MiB drawn: an A0 poster at 200 dpi
	MaxBins      = 1000
)

// checkValue says what is wrong with a value to draw, or "".
func checkValue(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "is not a finite number"
	case math.Abs(v) > maxMagnitude:
		return "is too large to draw (beyond 1e300)"
	}
	return ""
}

// CheckSize refuses an image size out of reason: a side in centimetres
// out of [MinSize, MaxSize] (NaN included), a DPI out of [MinDPI, MaxDPI]
// (0 is DefaultDPI), or a PNG of more than MaxPixels.
func CheckSize(width, height float64, dpi int, format string) error {
	ok := func(cm float64) bool {
		l := vg.Length(cm) * vg.Centimeter
		return l >= MinSize && l <= MaxSize
	}
	if !ok(width) || !ok(height) {
		return fmt.Errorf("--width %g --height %g: give centimetres from %g to %g",
			width, height, float64(MinSize/vg.Centimeter), float64(MaxSize/vg.Centimeter))
	}
	if dpi == 0 {
		dpi = DefaultDPI
	}
	if dpi < MinDPI || dpi > MaxDPI {
		return fmt.Errorf("--dpi %d: give %d to %d", dpi, MinDPI, MaxDPI)
	}
	if px := width / 2.54 * float64(dpi) * height / 2.54 * float64(dpi); format == "png" && px > MaxPixels {
		return fmt.Errorf("--width %g --height %g at --dpi %d: a PNG of %.0f million pixels; at most %d million",
			width, height, dpi, px/1e6, MaxPixels/1000000)
	}
	return nil
}

// checkChart is the last check before drawing: whatever made c, every
// value is one a chart can draw.
func checkChart(c Chart) error {
	_, ps := c.panels()
	for _, p := range ps {
		if err := checkPanel(p.chart); err != nil {
			return err
		}
	}
	return nil
}

func checkPanel(c any) error {
	var vals [][]float64
	switch c := c.(type) {
	case Lines:
		for _, s := range c.Series {
			vals = append(vals, s.X, s.Y)
		}
	case Stacks:
		for _, p := range c.Parts {
			vals = append(vals, p.Values)
		}
	case Groups:
		for _, p := range c.Parts {
			vals = append(vals, p.Values)
		}
	case Bars:
		vals = append(vals, c.Values)
	case Histogram:
		if c.Bins < 0 || c.Bins > MaxBins {
			return fmt.Errorf("--bins %d: give 1 to %d, or 0 for a number that suits the count", c.Bins, MaxBins)
		}
		vals = append(vals, c.Values)
	}
	for _, vs := range vals {
		for _, v := range vs {
			if msg := checkValue(v); msg != "" {
				return fmt.Errorf("a value to draw, %g, %s", v, msg)
			}
		}
	}
	return nil
}

// Write draws c in format (png or svg) at the given size, its legend in a
// column of its own on the right (or below, when it would take more than
// a third of the width).
func Write(w io.Writer, c Chart, format string, size Size) error {
	if err := CheckSize(float64(size.Width/vg.Centimeter), float64(size.Height/vg.Centimeter), size.DPI, format); err != nil {
		return err
	}
	if err := checkChart(c); err != nil {
		return err
	}
	title, ps := c.panels()
	plots := make([]*gplot.Plot, len(ps))
	for i, pn := range ps {
		p, err := pn.chart.plot(pn.share)
		if err != nil {
			return err
		}
		plots[i] = p
	}
	if size.DPI == 0 {
		size.DPI = DefaultDPI
	}
	var canvas vg.CanvasWriterTo
	switch format {
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(size.Width, size.Height), vgimg.UseDPI(size.DPI))}
	case "svg":
		canvas = vgsvg.New(size.Width, size.Height)
	default:
		return fmt.Errorf("plot: unknown format %q", format)
	}
	drawPanels(title, ps, plots, draw.New(canvas))
	_, err := canvas.WriteTo(w)
	return err
}

// drawPanels draws the plots of panels ps side by side, each in its
// share of the width, under title when there is one.
func drawPanels(title string, ps []panel, plots []*gplot.Plot, dc draw.Canvas) {
	if title != "" {
		style := gplot.New().Title.TextStyle
		style.XAlign, style.YAlign = draw.XCenter, draw.YTop
		h := style.Rectangle(title).Size().Y
		dc.FillText(style, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y}, title)
		dc = draw.Crop(dc, 0, 0, 0, -(h + vg.Points(6)))
	}
	w, left := dc.Max.X-dc.Min.X, vg.Length(0)
	for i, pn := range ps {
		right := left + w*vg.Length(pn.share)
		drawOutside(plots[i], draw.Crop(dc, left, right-w, 0, 0))
		left = right
	}
}

// drawOutside draws p with its legend beside the data, not over it.
func drawOutside(p *gplot.Plot, dc draw.Canvas) {
	plotArea, legendArea := layout(p, dc)
	leg := p.Legend
	p.Legend = gplot.NewLegend()
	p.Draw(plotArea)
	leg.Top, leg.Left = true, true
	leg.Draw(legendArea)
}

// layout splits dc between the plot and its legend: a column on the
// right, or a band below when the column would take more than a third of
// the width; the legend's canvas is empty when it has no entries.
func layout(p *gplot.Plot, dc draw.Canvas) (plotArea, legendArea draw.Canvas) {
	r := p.Legend.Rectangle(dc)
	width, height := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	if width == 0 {
		return dc, draw.Crop(dc, 0, -(dc.Max.X - dc.Min.X), 0, 0)
	}
	top := vg.Length(0)
	if p.Title.Text != "" {
		top = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	}
	gap := vg.Points(8)
	w, h := dc.Max.X-dc.Min.X, dc.Max.Y-dc.Min.Y
	if width+gap < w/3 {
		return draw.Crop(dc, 0, -(width + 2*gap), 0, 0), draw.Crop(dc, w-width-gap, -gap, 0, -top-gap)
	}
	return draw.Crop(dc, 0, 0, height+2*gap, 0), draw.Crop(dc, gap, 0, gap, -(h - height - gap))
}
