package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/spf13/cobra"
)

// hostRound is how many times each measurement runs: the best counts,
// since other work on the host only ever makes a round slower.
const hostRound = 5

// hostCosts are what this host's kernel took (hostkernel_linux.go measures
// them).
type hostCosts struct {
	Pages     int           // pages of each fault loop
	AnonFault time.Duration // first touch of anonymous memory: a fault, a page zeroed
	COWFault  time.Duration // a write to a page shared since fork: a fault, a page copied
	HugeFault time.Duration // a transparent huge page's first touch, or 0 where THP gave none
	UserZero  time.Duration // clearing a mapped page in user space
	ForkPages int           // pages made resident to time fork with
	ForkBase  time.Duration // fork less its cost per resident page
	// ForkPerPage is fork's cost per resident page: one page-table entry
	// copied.
	ForkPerPage time.Duration
}

// hostCost is one key of the kernel's costs, in ns, with how it was told.
type hostCost struct {
	key string
	ns  float64
	how string
}

// model turns what the host took into the kernel's keys: the kernel
// charges a fault's entry and exit, then its work. Zeroing a page is a
// huge page's fault less a small page's, over the 511 pages more it
// zeroes (the kernel's own clearing), or, where the host gave no huge
// page, a page cleared in user space; a fault is a first touch less its
// zeroing; a copy a copy-on-write fault less a fault.
func (h hostCosts) model() []hostCost {
	ns := func(d time.Duration) float64 { return float64(d.Nanoseconds()) }
	zero, zeroHow := ns(h.UserZero), "a page cleared in user space"
	if h.HugeFault > h.AnonFault {
		zero = (ns(h.HugeFault) - ns(h.AnonFault)) / 511
		zeroHow = fmt.Sprintf("a huge page's fault, %.0f ns, less a page's, over 511 pages", ns(h.HugeFault))
	}
	fault := ns(h.AnonFault) - zero
	return []hostCost{
		{"fault_cycles", fault, fmt.Sprintf("a first touch of anonymous memory, %.0f ns, less zeroing a page", ns(h.AnonFault))},
		{"zero_cycles", zero, zeroHow},
		{"copy_cycles", ns(h.COWFault) - fault, fmt.Sprintf("a copy-on-write fault, %.0f ns, less a fault", ns(h.COWFault))},
		{"fork_cycles", ns(h.ForkBase), "fork of this process less its entries' copying"},
		{"fork_entry_cycles", ns(h.ForkPerPage), fmt.Sprintf("fork's time per page more resident (%d pages)", h.ForkPages)},
	}
}

// writeCalibration prints the costs as a configuration file based on base,
// in cycles at hz (freq as the configuration spells it). A cost the
// measurement could not tell from noise (0 or less) is 1 cycle, so said.
func writeCalibration(w io.Writer, h hostCosts, base, freq string, hz uint64) {
	fmt.Fprintf(w, "# emu calibrate: this host's kernel, measured with mmap, fork, madvise and\n")
	fmt.Fprintf(w, "# getrusage as testdata/refdata/linux/faults.c measures it (%d pages a loop,\n", h.Pages)
	fmt.Fprintf(w, "# the best of %d rounds), in cycles of a %s core.\n", hostRound, freq)
	if h.HugeFault <= h.AnonFault {
		fmt.Fprintf(w, "# An area advised MADV_HUGEPAGE got no huge page here (THP never?).\n")
	}
	fmt.Fprintf(w, "base: %s\ncore:\n  freq: %s\nos:\n", base, freq)
	for _, c := range h.model() {
		cycles := math.Round(c.ns * float64(hz) / 1e9)
		note := ""
		if cycles < 1 {
			cycles, note = 1, " (no more than noise)"
		}
		fmt.Fprintf(w, "  %s: %.0f  # %s%s\n", c.key, cycles, c.how, note)
	}
}

func newCalibrateCmd() *cobra.Command {
	var cf configFlags
	var pages int
	cmd := &cobra.Command{
		Use:   "calibrate [-c PRESET|FILE] [--set key=value ...] [--pages N]",
		Short: "measure this host's kernel and print its costs as os.*_cycles keys",
		Long: `Measure this host's kernel with real mmap, fork, madvise and getrusage calls,
as testdata/refdata/linux/faults.c does: a first touch of anonymous memory,
a copy-on-write fault after fork, a transparent huge page's first touch
(where the host's THP mode gives one to an area advised MADV_HUGEPAGE),
zeroing a page, and fork with and without more pages resident. Print the
kernel's costs (os.fault_cycles, os.zero_cycles, os.copy_cycles,
os.fork_cycles, os.fork_entry_cycles) as a configuration file based on -c,
in cycles of its core clock (core.freq, which --set may change), for -c to
read. Linux only.`,
		Example: `  emu calibrate > host.yaml
  emu run -c host.yaml traces/examples/fork.emu
  emu calibrate --set core.freq=3GHz --pages 2048 > host.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cf.load()
			if err != nil {
				return err
			}
			if pages < 16 || pages > 1<<20 {
				return fmt.Errorf("--pages %d: want 16 to 1048576", pages)
			}
			h, err := measureHost(pages)
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("calibrate: %v", err)}
			}
			writeCalibration(cmd.OutOrStdout(), h, cf.spec, cfg.Get("core.freq"), cfg.Reader().Hertz("core.freq"))
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().IntVar(&pages, "pages", 512, "pages of each fault loop (fork: 16 times as many)")
	return cmd
}
