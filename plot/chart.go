// Package plot draws vmemu's results as PNG or SVG with gonum/plot: a
// metric against a swept parameter, CPI stacks as stacked bars, latency
// histograms and percentiles, and time series of --interval output. Each
// chart is a plain struct, filled from files by the readers in input.go.
package plot

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Default size of a chart: readable on a screen and in a paper's column.
const (
	DefaultWidth  = 16 * vg.Centimeter
	DefaultHeight = 10 * vg.Centimeter
)

// Series is one line: points (X[i], Y[i]).
type Series struct {
	Label string
	X, Y  []float64
}

// Lines is a line chart. XTicks, if set, label the x axis at those values
// (sizes, or the names of a parameter that is not a number).
type Lines struct {
	Title, XLabel, YLabel string
	LogX                  bool
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
	Title, YLabel string
	Bars          []string
	Parts         []Part
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

// Chart is any of the above, ready to draw.
type Chart interface {
	plot() (*gplot.Plot, error)
}

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
// such a range; a size beyond MaxSize is a PNG of hundreds of megabytes
// that takes minutes (a 500 cm square took 21 s and 1.4 GB); more bins
// than MaxBins are narrower than a pixel.
const (
	maxMagnitude = 1e300
	MinSize      = 1 * vg.Centimeter
	MaxSize      = 120 * vg.Centimeter // the long side of an A0 poster
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

// CheckSize refuses an image size in centimetres out of [MinSize,
// MaxSize], NaN included.
func CheckSize(width, height float64) error {
	ok := func(cm float64) bool {
		l := vg.Length(cm) * vg.Centimeter
		return l >= MinSize && l <= MaxSize
	}
	if !ok(width) || !ok(height) {
		return fmt.Errorf("--width %g --height %g: give centimetres from %g to %g",
			width, height, float64(MinSize/vg.Centimeter), float64(MaxSize/vg.Centimeter))
	}
	return nil
}

// checkChart is the last check before drawing: whatever made c, every
// value is one a chart can draw.
func checkChart(c Chart) error {
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

// Write draws c in format (png or svg) at the given size.
func Write(w io.Writer, c Chart, format string, width, height vg.Length) error {
	if err := CheckSize(float64(width/vg.Centimeter), float64(height/vg.Centimeter)); err != nil {
		return err
	}
	if err := checkChart(c); err != nil {
		return err
	}
	p, err := c.plot()
	if err != nil {
		return err
	}
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
