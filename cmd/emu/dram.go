package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

const dramLong = `Runs the memory controller alone on a trace of requests, one a line, in DRAMsim3's
format (0x<addr> READ|WRITE <cycle>; the cycle is the earliest issue time) or as LD|ST <addr>.
Requests enter in order, at most one per DRAM cycle; the run ends when every read has returned.

-c names a DRAM part (PARTS), a DRAMsim3 .ini or Ramulator 2 .yaml configuration
file (each timing in it maps to one dram.timing key; what the model leaves out is
noted), or a machine preset or file whose dram keys are used. --set takes the dram
keys (see emu config list), with or without their "dram." prefix; a bare timing name
such as tRCD=18 works too.`

const dramExample = `  emu dram requests.trace
  emu dram -c ddr5-4800 --set tRCD=40 --json result.json requests.trace
  emu dram -c testdata/refdata/dram/DDR4_8Gb_x8_2400_2_1ch1r_RoBaRaCoCh.ini requests.trace
  emu dram -c testdata/refdata/dram/ram2_ddr4_2400R_x8_1ch1r.yaml requests.trace`

// dramReport is emu dram's JSON: how it was made, then the result.
type dramReport struct {
	Version   string            `json:"version"`
	Config    string            `json:"config"`
	Overrides []report.Override `json:"overrides"`
	Trace     string            `json:"trace"`
	dram.Result
}

func newDRAMCmd() *cobra.Command {
	var spec string
	var sets []string
	var jsonPath string
	cmd := &cobra.Command{
		Use:     "dram [-c PART|FILE] [--set key=value ...] [--json FILE] TRACE",
		Short:   "run the DRAM controller alone on a request trace (DRAMsim3 format: 0xADDR READ|WRITE CYCLE)",
		Long:    strings.Replace(dramLong, "PARTS", strings.Join(dram.PresetNames(), ", "), 1),
		Example: dramExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := dramMachineConfig(cmd.ErrOrStderr(), spec, sets)
			if err != nil {
				return err
			}
			dc, err := config.DRAMConfig(cfg)
			if err != nil {
				return err
			}
			if jsonPath != "" && jsonPath != "-" && sameFile(jsonPath, args[0]) {
				return fmt.Errorf("--json %s would overwrite the trace", jsonPath)
			}
			f, err := traces.OpenData(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			res, err := dram.Replay(dc, dram.NewTraceReader(args[0], f))
			if err != nil {
				return err
			}
			rep := dramReport{Version: emuVersion(), Config: spec, Trace: args[0], Result: res}
			made := report.Report{}
			made.Made(rep.Version, sets)
			rep.Overrides = made.Overrides
			if jsonPath == "-" {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			header := fmt.Sprintf("vmemu dram: %s on %s%s\nvmemu version %s\n\n", args[0], spec, overrideText(rep.Overrides), rep.Version)
			if _, err := fmt.Fprint(cmd.OutOrStdout(), header+res.Text()); err != nil {
				return err
			}
			if jsonPath != "" {
				return writeJSONFile(jsonPath, rep)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&spec, "config", "c", "ddr4-2400", "a DRAM part, a DRAMsim3 .ini or Ramulator 2 .yaml file, or a machine preset or file")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "change one dram key, as key=value (repeatable)")
	cmd.Flags().StringVar(&jsonPath, "json", "", "also write the result as JSON to FILE (- for standard output, instead of the text)")
	cmd.RegisterFlagCompletionFunc("config", completeWords(func() []string { return append(dram.PresetNames(), config.Presets()...) }))
	return cmd
}

// overrideText writes overrides as the command line gave them.
func overrideText(o []report.Override) string {
	r := report.Report{Overrides: o}
	return r.OverrideArgs()
}

// dramMachineConfig is the machine configuration whose dram keys describe
// the part: a DRAM preset on the default machine, a DRAM simulator's file
// read onto it (its notes written to notes), or a machine config.
func dramMachineConfig(notes io.Writer, spec string, sets []string) (*config.Config, error) {
	load := spec
	if slices.Contains(dram.PresetNames(), spec) || config.IsDRAMFile(spec) {
		load = "default"
	}
	cfg, err := config.Load(load)
	if err != nil {
		if _, serr := os.Stat(spec); serr != nil && load == spec {
			msg := fmt.Sprintf("-c %s: not a DRAM part (%s), a machine preset (%s) or a readable file (a machine configuration, or a DRAMsim3 or Ramulator 2 file)",
				spec, strings.Join(dram.PresetNames(), ", "), strings.Join(config.Presets(), ", "))
			if near := config.Nearest(spec, append(dram.PresetNames(), config.Presets()...)); near != "" {
				msg += "; did you mean " + near + "?"
			}
			return nil, errors.New(msg)
		}
		return nil, err
	}
	switch {
	case config.IsDRAMFile(spec):
		ns, err := cfg.ReadDRAMFile(spec)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			fmt.Fprintln(notes, "emu: note:", n)
		}
	case load != spec:
		if err := cfg.SetFrom("-c "+spec, "dram.preset", spec); err != nil {
			return nil, err
		}
	}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, &config.Error{Where: "--set " + s, Msg: "expected key=value"}
		}
		k = strings.TrimSpace(k)
		switch {
		case strings.HasPrefix(k, "dram."):
		case slices.Contains(dram.TimingNames(), k):
			k = "dram.timing." + k
		default:
			k = "dram." + k
		}
		if err := cfg.SetFrom("--set "+s, k, v); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}
