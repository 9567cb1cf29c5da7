// Package plot draws vmemu's results as PNG or SVG with gonum/plot: a
// metric against a swept parameter, CPI stacks as stacked bars, latency
// histograms and percentiles, and time series of --interval output. Each
// chart is a plain struct, filled from files by the readers in input.go.
package plot

import (
	"fmt"
	"io"
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

// Write draws c in format (png or svg) at the given size.
func Write(w io.Writer, c Chart, format string, width, height vg.Length) error {
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
