package main

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/outfile"
	"github.com/vmemu/vmemu/plot"
	"gonum.org/v1/plot/vg"
)

func newPlotCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plot",
		Short: "draw results as PNG or SVG: a metric against a parameter, CPI stacks, cores, latencies, time series",
		Long: `Each kind of chart reads what another command wrote and draws it to the
file named by -o; its extension (.png or .svg) says the format.`,
	}
	cmd.AddCommand(newPlotMetricCmd(), newPlotCPICmd(), newPlotCoresCmd(), newPlotLatencyCmd(), newPlotSeriesCmd())
	return cmd
}

// plotFlags are every plot's output flags.
type plotFlags struct {
	out           string
	title         string
	width, height float64
	dpi           int
}

func (f *plotFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "the image to write: FILE.png or FILE.svg (required)")
	cmd.Flags().StringVar(&f.title, "title", "", "the chart's title (default: one made from the data)")
	cmd.Flags().Float64Var(&f.width, "width", 16, "width in centimetres")
	cmd.Flags().Float64Var(&f.height, "height", 10, "height in centimetres")
	cmd.Flags().IntVar(&f.dpi, "dpi", plot.DefaultDPI, "PNG resolution in dots per inch (300 for print)")
}

// lineFlags are the y-axis flags of line charts.
type lineFlags struct {
	logY, yFromData bool
}

func (l *lineFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&l.logY, "logy", false, "a log y axis")
	cmd.Flags().BoolVar(&l.yFromData, "y-from-data", false, "fit the y axis to the data (by default it starts at zero)")
}

func (l *lineFlags) apply(c *plot.Lines) {
	c.LogY, c.YFromData = l.logY, l.yFromData
}

// draw renders c to the output file, whole or not at all; inputs are the
// files it was drawn from, which it must not overwrite.
func (f *plotFlags) draw(c plot.Chart, inputs ...string) error {
	if f.out == "" {
		return fmt.Errorf("-o: name the image to write (FILE.png or FILE.svg)")
	}
	format, err := plot.Format(f.out)
	if err != nil {
		return err
	}
	if err := plot.CheckSize(f.width, f.height, f.dpi, format); err != nil {
		return err
	}
	for _, in := range inputs {
		if sameFile(f.out, in) {
			return fmt.Errorf("-o %s would overwrite an input", f.out)
		}
	}
	var buf bytes.Buffer
	size := plot.Size{Width: vg.Length(f.width) * vg.Centimeter, Height: vg.Length(f.height) * vg.Centimeter, DPI: f.dpi}
	if err := plot.Write(&buf, c, format, size); err != nil {
		return err
	}
	return outfile.WriteFile(f.out, buf.Bytes())
}

func newPlotMetricCmd() *cobra.Command {
	var f plotFlags
	var lf lineFlags
	var x, y, logX string
	cmd := &cobra.Command{
		Use:   "metric RESULTS --x PARAM --y METRIC [--logx auto|on|off] [--logy] -o FILE.png|FILE.svg",
		Short: "a metric against a swept parameter, one line per trace, from emu sweep collect's results (CSV, JSON or the folder)",
		Example: `  emu plot metric results/ --x l2.size --y levels.l2.miss_rate -o l2.png
  emu plot metric results/results.csv --x l2.size --y cycles --logy -o cycles.svg`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if x == "" || y == "" {
				return fmt.Errorf("--x and --y: name the parameter and the metric (columns of the results)")
			}
			res, err := plot.ReadResults(args[0])
			if err != nil {
				return err
			}
			c, err := plot.MetricChart(res, x, y, logX)
			if err != nil {
				return err
			}
			lf.apply(&c)
			if f.title != "" {
				c.Title = f.title
			}
			return f.draw(c, res.Path)
		},
	}
	f.add(cmd)
	lf.add(cmd)
	cmd.Flags().StringVar(&x, "x", "", "the parameter on the x axis, e.g. l2.size")
	cmd.Flags().StringVar(&y, "y", "", "the metric on the y axis, e.g. levels.l2.miss_rate")
	cmd.Flags().StringVar(&logX, "logx", "auto", "a log x axis: auto (for sizes), on or off")
	return cmd
}

func newPlotCPICmd() *cobra.Command {
	var f plotFlags
	cmd := &cobra.Command{
		Use:     "cpi REPORT.json ... -o FILE.png|FILE.svg",
		Short:   "stacked bars of where the cycles went, one bar per report of emu run --json",
		Example: "  emu run --json a.json a.vmt && emu run --json b.json b.vmt\n  emu plot cpi a.json b.json -o cpi.png",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := plot.CPIChart(args)
			if err != nil {
				return err
			}
			if f.title != "" {
				c.Title = f.title
			}
			return f.draw(c, args...)
		},
	}
	f.add(cmd)
	return cmd
}

func newPlotLatencyCmd() *cobra.Command {
	var f plotFlags
	var bins int
	cmd := &cobra.Command{
		Use:     "latency FILE [--bins N] -o FILE.png|FILE.svg",
		Short:   "a histogram of latencies (a JSON list, or one number a line), or a report's latency mean and percentiles",
		Example: "  emu dram --json d.json requests.trace && emu plot latency d.json -o latency.png\n  emu plot latency latencies.txt --bins 20 -o hist.svg",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := plot.LatencyChart(args[0])
			if err != nil {
				return err
			}
			switch ch := c.(type) {
			case plot.Histogram:
				ch.Bins = bins
				if f.title != "" {
					ch.Title = f.title
				}
				c = ch
			case plot.Bars:
				if f.title != "" {
					ch.Title = f.title
				}
				c = ch
			}
			return f.draw(c, args[0])
		},
	}
	f.add(cmd)
	cmd.Flags().IntVar(&bins, "bins", 0, "histogram bins (default: the square root of the count, 5 to 50)")
	return cmd
}

func newPlotSeriesCmd() *cobra.Command {
	var f plotFlags
	var lf lineFlags
	var x string
	var ys []string
	cmd := &cobra.Command{
		Use:   "series INTERVAL.csv [--x COLUMN] [--y COLUMN ...] [--logy] -o FILE.png|FILE.svg",
		Short: "columns of emu run --interval output against instructions (or --x); by default the IPC of each interval",
		Long: `Draw columns of the CSV emu run --interval writes against instructions (or
--x): by default interval_ipc, the IPC of each interval. The CSV has the
running totals instructions and cycles, the interval's own instructions,
cycles and IPC (interval_*), then every counter twice: its running total
under its name, and the interval's count as interval_NAME.`,
		Example: `  emu run --interval 100000 --interval-csv iv.csv examples/matmul.lackey.gz
  emu plot series iv.csv -o ipc.png
  emu plot series iv.csv --y interval_l1d.misses,interval_l2.misses -o misses.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := plot.SeriesChart(args[0], x, ys)
			if err != nil {
				return err
			}
			lf.apply(&c)
			if f.title != "" {
				c.Title = f.title
			}
			return f.draw(c, args[0])
		},
	}
	f.add(cmd)
	lf.add(cmd)
	cmd.Flags().StringVar(&x, "x", "instructions", "the column on the x axis")
	cmd.Flags().StringSliceVar(&ys, "y", nil, "the columns to draw (repeatable or comma-separated; default: interval_ipc)")
	return cmd
}
