package main

import (
	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/plot"
)

func newPlotCoresCmd() *cobra.Command {
	var f plotFlags
	cmd := &cobra.Command{
		Use:   "cores REPORT.json -o FILE.png|FILE.svg",
		Short: "each core's IPC (and IPC alone, with --alone) and CPI stack, side by side, from a report of a run of several cores",
		Example: `  emu run --set cores=2 --alone --warmup 1000000 --json r.json a.vmt b.vmt
  emu plot cores r.json -o cores.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := plot.CoresChart(args[0])
			if err != nil {
				return err
			}
			if f.title != "" {
				c.Title = f.title
			}
			return f.draw(c, args[0])
		},
	}
	f.add(cmd)
	// Two panels, each with its legend: wider than the other charts.
	f.width = 24
	cmd.Flags().Lookup("width").DefValue = "24"
	return cmd
}
