package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "list the configuration keys, or show a machine's configuration",
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "list",
		Short:   "every key with its unit, default, range and meaning",
		Example: "  emu config list\n  emu config list | grep dram.timing",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load("default")
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "KEY\tUNIT\tDEFAULT\tRANGE\tMEANING")
			for _, k := range cfg.Keys() {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.Name, k.Unit, cfg.Get(k.Name), k.Range(), k.Doc)
			}
			fmt.Fprintf(w, "\nEvery level named in 'levels' has the keys shown for l2 (size, ways, ...), under its own name.\n")
			fmt.Fprintf(w, "Presets: %s. A file may start from one with 'base: NAME'.\n", joinPresets())
			return w.Flush()
		},
	})
	var cf configFlags
	show := &cobra.Command{
		Use:   "show [PRESET] [-c FILE] [--set key=value ...]",
		Short: "every key's value in a preset (or in -c FILE with --set changes), and where it came from",
		Long: `Print every key's value in a preset, or in the configuration -c names with
the --set changes, each with its unit and where the value came from. A key
set in a file or with --set that has no effect under the rest of the
configuration (memory.latency under memory.model: dram) is a warning.`,
		Example: `  emu config show cachelab
  emu config show -c mymachine.yaml --set l2.size=1MiB
  emu config show --set memory.model=fixed --set memory.latency=300`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeWords(config.Presets),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				cf.spec = args[0]
			}
			cfg, err := cf.load()
			if err != nil {
				return err
			}
			warnInert(cmd.ErrOrStderr(), cfg)
			if _, err := machine.Build(cfg); err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "# %s\n", cfg.Name)
			for _, k := range cfg.Keys() {
				fmt.Fprintf(w, "%s: %s\t# %s, %s\n", k.Name, cfg.Get(k.Name), k.Unit, cfg.Origin(k.Name))
			}
			return w.Flush()
		},
	}
	cf.add(show)
	cmd.AddCommand(show)
	return cmd
}
