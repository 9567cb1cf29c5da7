package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/cache/csim"
	"github.com/vmemu/vmemu/outfile"
)

const csimUsage = `Usage: emu csim [-hv] -s <num> -E <num> -b <num> -t <file>
Options:
  -h         Print this help message.
  -v         Optional verbose flag.
  -s <num>   Number of set index bits.
  -E <num>   Number of lines per set.
  -b <num>   Number of block offset bits.
  -t <file>  Trace file.

Examples:
  linux>  emu csim -s 4 -E 1 -b 4 -t traces/yi.trace
  linux>  emu csim -v -s 8 -E 2 -b 4 -t traces/yi.trace
`

// csimArgs are csim-ref's options, read the way getopt("s:E:b:t:vh") does.
type csimArgs struct {
	s, E, b int
	trace   string
	verbose bool
	help    bool
	have    map[byte]bool
}

func parseCSimArgs(args []string) (csimArgs, error) {
	a := csimArgs{have: map[byte]bool{}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if len(arg) < 2 || arg[0] != '-' {
			return a, fmt.Errorf("unexpected argument %q", arg)
		}
		for j := 1; j < len(arg); j++ {
			opt := arg[j]
			switch opt {
			case 'v':
				a.verbose = true
				continue
			case 'h':
				a.help = true
				continue
			case 's', 'E', 'b', 't':
			default:
				return a, fmt.Errorf("invalid option -- '%c'", opt)
			}
			val := arg[j+1:]
			if val == "" {
				if i+1 >= len(args) {
					return a, fmt.Errorf("option requires an argument -- '%c'", opt)
				}
				i++
				val = args[i]
			}
			a.have[opt] = true
			if opt == 't' {
				a.trace = val
				break
			}
			n, err := strconv.Atoi(val)
			if err != nil {
				return a, fmt.Errorf("-%c: %q is not a number", opt, val)
			}
			*map[byte]*int{'s': &a.s, 'E': &a.E, 'b': &a.b}[opt] = n
			break
		}
	}
	return a, nil
}

func newCSimCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "csim [-hv] -s S -E E -b B -t TRACE",
		Short:              "the CS:APP Cache Lab reference simulator (csim-ref), output identical",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			a, err := parseCSimArgs(args)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "emu csim: %v\n%s", err, csimUsage)
				return &exitError{code: 2, err: errors.New("")}
			}
			if a.help {
				fmt.Fprint(out, csimUsage)
				return nil
			}
			if !a.have['s'] || !a.have['E'] || !a.have['b'] || !a.have['t'] {
				fmt.Fprintf(cmd.ErrOrStderr(), "emu csim: Missing required command line argument\n%s", csimUsage)
				return &exitError{code: 2, err: errors.New("")}
			}
			return runCSim(a, out)
		},
	}
}

func runCSim(a csimArgs, out io.Writer) error {
	r, err := openTrace(a.trace)
	if err != nil {
		return err
	}
	defer r.Close()
	var verbose io.Writer
	if a.verbose {
		verbose = out
	}
	res, err := csim.Run(r, a.s, a.E, a.b, verbose)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, res.Summary()); err != nil {
		return err
	}
	// The reference leaves its counts here for the Cache Lab driver.
	return outfile.WriteFile(".csim_results", fmt.Appendf(nil, "%d %d %d\n", res.Hits, res.Misses, res.Evictions))
}
