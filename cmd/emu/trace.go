package main

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/spf13/cobra"
	"github.com/ulikunitz/xz"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/outfile"
	"github.com/vmemu/vmemu/traces"
)

func newTraceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "convert, describe, show and generate traces",
		Long: `Traces in every format emu reads (lackey, Cache Lab, ChampSim, native;
plain, .gz, .zst or .xz): convert between them, count what they hold,
show their first records, or generate synthetic workloads.`,
	}
	cmd.AddCommand(newTraceConvertCmd(), newTraceStatsCmd(), newTraceHeadCmd(), newTraceGenCmd())
	return cmd
}

// outputFormat tells the format and compression of a file to write: the
// format from its name (traces.PathFormat) or name, if not empty, and the
// compression from a .gz, .zst or .xz ending.
func outputFormat(path, name string) (*traces.Format, string, error) {
	f, zkind := traces.PathFormat(path)
	if name != "" {
		var err error
		if f, err = traces.Lookup(name); err != nil || f.NewWriter == nil {
			return nil, "", fmt.Errorf("--format %q: one of %s", name, strings.Join(traces.WriteFormats(), ", "))
		}
	} else if f == nil {
		return nil, "", fmt.Errorf("%s: cannot tell the format from the name (%s); use --format", path, traces.PathHelp())
	}
	if f.Compressed && zkind != "" {
		return nil, "", fmt.Errorf("%s: %s traces are compressed already; leave out the %s suffix", path, f.Title, filepath.Ext(path))
	}
	return f, zkind, nil
}

// compressor wraps w in the compression zkind names; its Close finishes
// the stream (and does not close w).
func compressor(w io.Writer, zkind string) (io.WriteCloser, error) {
	switch zkind {
	case "gzip":
		return gzip.NewWriter(w), nil
	case "zstd":
		return zstd.NewWriter(w)
	case "xz":
		if path, err := exec.LookPath("xz"); err == nil {
			return startXZ(path, w)
		}
		return xz.NewWriter(w)
	}
	return nopCloser{w}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// xzProgram compresses through the xz program, which is several times
// faster than the Go encoder.
type xzProgram struct {
	cmd *exec.Cmd
	in  io.WriteCloser
}

func startXZ(path string, w io.Writer) (*xzProgram, error) {
	cmd := exec.Command(path, "-z", "-c", "-T1")
	cmd.Stdout = w
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &xzProgram{cmd: cmd, in: in}, nil
}

func (x *xzProgram) Write(p []byte) (int, error) { return x.in.Write(p) }

func (x *xzProgram) Close() error {
	err := x.in.Close()
	if werr := x.cmd.Wait(); werr != nil {
		return fmt.Errorf("xz: %v", werr)
	}
	return err
}

// writeTrace writes the refs of src to path in the format called format
// ("" for what the name says), whole or not at all (see outfile).
func writeTrace(path, format string, carries traces.Carries, src traces.RefReader) (int64, error) {
	tf, zkind, err := outputFormat(path, format)
	if err != nil {
		return 0, err
	}
	out, err := outfile.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := writeTo(out, tf, zkind, carries, src)
	if err != nil {
		out.Abort()
		return n, err
	}
	return n, out.Close()
}

func writeTo(w io.Writer, f *traces.Format, zkind string, carries traces.Carries, src traces.RefReader) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	z, err := compressor(bw, zkind)
	if err != nil {
		return 0, err
	}
	tw, err := f.NewWriter(z, traces.WriteOptions{Carries: carries})
	if err != nil {
		z.Close()
		return 0, err
	}
	n, err := traces.Copy(tw, src)
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := z.Close(); err == nil {
		err = cerr
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return n, err
}

func newTraceConvertCmd() *cobra.Command {
	var format string
	long := "Convert IN, in any format emu reads, to OUT, in the format --format names\nor, by default, OUT's name says:\n\n"
	for _, f := range traces.Formats() {
		if f.NewWriter != nil {
			long += fmt.Sprintf("  %-10s %s\n", f.Name, strings.Join(f.Exts, " "))
		}
	}
	long += `
OUT's name may also end in .gz, .zst or .xz to compress, unless its format
compresses itself. OUT is written to a temporary file renamed at the end;
IN is never overwritten.`
	cmd := &cobra.Command{
		Use:     "convert IN OUT [--format " + strings.Join(traces.WriteFormats(), "|") + "]",
		Short:   "convert a trace to another format (from OUT's name by default)",
		Example: "  emu trace convert prog.lackey.gz prog.vmt\n  emu trace convert --format champsim prog.vmt prog.trace.xz",
		Long:    long,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, out := args[0], args[1]
			if sameFile(in, out) || filepath.Clean(in) == filepath.Clean(out) {
				return fmt.Errorf("%s: would overwrite the input; choose another output", out)
			}
			to, _, err := outputFormat(out, format)
			if err != nil {
				return err
			}
			r, err := traces.Open(in)
			if err != nil {
				return err
			}
			defer r.Close()
			noteLosses(cmd, to, r)
			n, err := writeTrace(out, to.Name, traces.CarriesOf(r), traces.Refs(r))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d records (%s) -> %s (%s)\n", in, n, r.Format(), out, to.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "output format, one of "+strings.Join(traces.WriteFormats(), ", ")+" (default: from OUT's name)")
	return cmd
}

// noteLosses says on standard error what writing r's records in format f
// loses (registers into lackey: a pointer chase's loads then look
// independent to the out-of-order core).
func noteLosses(cmd *cobra.Command, f *traces.Format, r traces.Reader) {
	for _, note := range f.Losses(traces.HoldsOf(r)) {
		fmt.Fprintln(cmd.ErrOrStderr(), "emu: note:", note)
	}
}

func newTraceStatsCmd() *cobra.Command {
	var asJSON, fetches bool
	cmd := &cobra.Command{
		Use:     "stats [--json] [--fetches] TRACE",
		Short:   "count records by kind, the footprint in pages and lines, and reuse distances",
		Example: "  emu trace stats examples/matmul.lackey.gz\n  emu trace stats --json --fetches prog.vmt",
		Long: `Read TRACE to the end and print: its records by kind; its footprint, the
distinct 4 KiB pages and 64-byte lines that fetches, data references and
both touch; and the reuse-distance histogram of its data references (all
references with --fetches): for each access to a line, the number of
distinct other lines accessed since the last access to it, in powers of
two. An access spanning lines counts once per line.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := traces.Open(args[0])
			if err != nil {
				return err
			}
			defer r.Close()
			st, err := traces.Stat(r, traces.StatsOptions{ReuseFetches: fetches})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), struct {
					Trace string `json:"trace"`
					*traces.Stats
				}{args[0], st})
			}
			return writeStats(cmd.OutOrStdout(), args[0], st)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&fetches, "fetches", false, "count fetches in the reuse distances too")
	return cmd
}

func writeStats(w io.Writer, path string, st *traces.Stats) error {
	b := &strings.Builder{}
	pct := func(n uint64) string {
		if st.Records == 0 {
			return ""
		}
		return fmt.Sprintf("%6.2f%%", 100*float64(n)/float64(st.Records))
	}
	fmt.Fprintf(b, "trace      %s\nformat     %s (carries %s)\n", path, st.Format, st.Carries)
	fmt.Fprintf(b, "records    %d\n", st.Records)
	for _, k := range []struct {
		name string
		n    uint64
	}{{"I fetch", st.Fetches}, {"L load", st.Loads}, {"S store", st.Stores}, {"M modify", st.Modifies}} {
		fmt.Fprintf(b, "  %-9s%12d  %s\n", k.name, k.n, pct(k.n))
	}
	if st.Processes > 1 {
		fmt.Fprintf(b, "processes  %d\n", st.Processes)
	}
	if st.Threads > st.Processes {
		fmt.Fprintf(b, "threads    %d\n", st.Threads)
	}
	if strings.Contains(st.Carries, "registers") {
		fmt.Fprintf(b, "branches   %d (%d taken)\n", st.Branches, st.Taken)
	}
	if st.Values > 0 {
		fmt.Fprintf(b, "values     %d\n", st.Values)
	}
	fp := st.Footprint
	fmt.Fprintf(b, "\nfootprint  %12s %12s\n", fmt.Sprintf("%s pages", sizeName(fp.PageSize)), fmt.Sprintf("%dB lines", fp.LineSize))
	for _, t := range []struct {
		name string
		t    traces.Touch
	}{{"fetch", fp.Fetch}, {"data", fp.Data}, {"all", fp.All}} {
		fmt.Fprintf(b, "  %-9s%12d %12d  (%s)\n", t.name, t.t.Pages, t.t.Lines, sizeName(t.t.Lines*fp.LineSize))
	}
	over := "data references"
	if st.Reuse.Over == "all" {
		over = "all references"
	}
	total := st.Reuse.Cold
	for _, n := range st.Reuse.Buckets {
		total += n
	}
	fmt.Fprintf(b, "\nreuse distance (%s; distinct %dB lines in between)\n", over, fp.LineSize)
	share := func(n uint64) string {
		if total == 0 {
			return ""
		}
		return fmt.Sprintf("%6.2f%%", 100*float64(n)/float64(total))
	}
	for i, n := range st.Reuse.Buckets {
		lo, hi := traces.BucketRange(i)
		rng := strconv.FormatUint(lo, 10)
		if hi != lo {
			rng += "-" + strconv.FormatUint(hi, 10)
		}
		fmt.Fprintf(b, "  %-21s%12d  %s\n", rng, n, share(n))
	}
	fmt.Fprintf(b, "  %-21s%12d  %s\n", "cold (first access)", st.Reuse.Cold, share(st.Reuse.Cold))
	_, err := io.WriteString(w, b.String())
	return err
}

// sizeName writes a byte count with a binary unit: exact, or to a tenth.
func sizeName(n uint64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n%(1<<u.shift) == 0 && n > 0 {
			return strconv.FormatUint(n>>u.shift, 10) + " " + u.name
		}
		if n >= 1<<u.shift {
			return strconv.FormatFloat(float64(n)/float64(uint64(1)<<u.shift), 'f', 1, 64) + " " + u.name
		}
	}
	return strconv.FormatUint(n, 10) + " B"
}

func newTraceHeadCmd() *cobra.Command {
	var n int
	cmd := &cobra.Command{
		Use:     "head [-n N] TRACE",
		Short:   "print the first records of a trace as lackey text, with registers where it has them",
		Example: "  emu trace head -n 20 examples/matmul.lackey.gz",
		Long: `Print the first N records (all for -n 0) as lackey text. Fetches that
carry registers (ChampSim, native, generated) show them, src= and dst=
(0 is left out), and their branch outcome; records of a process other
than 0 show pid=, of a thread other than 0 thread=, and records with a
value show value=.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 0 {
				return fmt.Errorf("-n %d: must be 0 (all) or more", n)
			}
			r, err := traces.Open(args[0])
			if err != nil {
				return err
			}
			defer r.Close()
			w := bufio.NewWriter(cmd.OutOrStdout())
			rr := traces.Refs(r)
			buf := make([]traces.Ref, 1024)
			done := 0
			for n == 0 || done < n {
				want := len(buf)
				if n > 0 {
					want = min(want, n-done)
				}
				k, err := rr.ReadRefs(buf[:want])
				for i := range buf[:k] {
					w.Write(headLine(nil, &buf[i]))
				}
				done += k
				if err == io.EOF {
					break
				}
				if err != nil {
					w.Flush()
					return err
				}
			}
			return w.Flush()
		},
	}
	cmd.Flags().IntVarP(&n, "n", "n", 10, "records to print (0: all)")
	return cmd
}

// headLine formats one ref as lackey text plus what it carries.
func headLine(b []byte, ref *traces.Ref) []byte {
	if ref.Op == traces.Fetch {
		b = append(b, "I  "...)
	} else {
		b = append(b, ' ', ref.Op.String()[0], ' ')
	}
	b = fmt.Appendf(b, "%08x,%d", ref.Addr, ref.Size)
	regs := func(name string, rs []uint8) {
		b = append(b, ' ')
		b = append(b, name...)
		b = append(b, '=')
		first := true
		for _, r := range rs {
			if r != 0 {
				if !first {
					b = append(b, ',')
				}
				b = strconv.AppendUint(b, uint64(r), 10)
				first = false
			}
		}
		if first {
			b = append(b, '-')
		}
	}
	if ref.PID != 0 {
		b = fmt.Appendf(b, " pid=%d", ref.PID)
	}
	if ref.Thread != 0 {
		b = fmt.Appendf(b, " thread=%d", ref.Thread)
	}
	if ref.HasRegs {
		regs("src", ref.SrcRegs[:])
		regs("dst", ref.DstRegs[:])
		if ref.Branch {
			if ref.Taken {
				b = append(b, " branch=taken"...)
			} else {
				b = append(b, " branch=not-taken"...)
			}
		}
	}
	if ref.HasValue {
		b = fmt.Appendf(b, " value=%#x", ref.Value)
	}
	return append(b, '\n')
}

func newTraceGenCmd() *cobra.Command {
	var p traces.GenParams
	var size, stride, base, out, format string
	names, docs := traces.GenKinds()
	long := "Generate a synthetic trace, the same for the same flags:\n\n"
	for i := range names {
		long += fmt.Sprintf("  %-10s %s\n", names[i], docs[i])
	}
	long += `
Every instruction is a 4-byte fetch with its registers, so a core sees the
dependencies: independent loads can overlap, a pointer chase cannot. --alu
puts that many non-memory instructions after each memory one. Sizes take
units: 64MiB, 4KiB, 1G. The format comes from -o's name (see emu trace
convert), or --format; without -o, lackey text goes to standard output.

Limits: --alu at most ` + strconv.Itoa(traces.GenMaxALU) + `; a trace holds at most ` + strconv.Itoa(traces.GenMaxRecords) + ` records,
and --count times (3 + --alu) may not pass that (matmul and transpose
without --count: their whole product); the working set may not run past
the top of the 64-bit address space. A flag given as 0 is an error: leave
it out for its default.`
	cmd := &cobra.Command{
		Use:     "gen KIND [--size BYTES] [--count N] [--stride BYTES] [--n N] [--seed S] [--alu N] [-o FILE] [--format F]",
		Short:   "generate a synthetic workload: " + strings.Join(names, ", "),
		Example: "  emu trace gen chase --size 256MiB --count 100000 -o chase.vmt\n  emu trace gen stride --stride 4160 --count 20000 | emu run -",
		Long:    long,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTraceGen(cmd, args[0], p, genSizes{size, stride, base}, out, format)
		},
	}
	f := cmd.Flags()
	f.StringVar(&size, "size", "", "working set (stream, stride, random, chase; default 64MiB)")
	f.Uint64Var(&p.Count, "count", 0, "memory references (default 1048576; matmul and transpose: all of it)")
	f.StringVar(&stride, "stride", "", "bytes between references (stride; default 64)")
	f.IntVar(&p.N, "n", 0, "matrix dimension (matmul, transpose; default 64)")
	f.Uint64Var(&p.Seed, "seed", 0, "random seed (random, chase; default 1)")
	f.IntVar(&p.ALU, "alu", 0, "non-memory instructions after each memory instruction")
	f.StringVar(&base, "base", "", "address of the working set (default 0x10000000)")
	f.StringVarP(&out, "output", "o", "", "write to FILE (default: standard output)")
	f.StringVar(&format, "format", "", "one of "+strings.Join(traces.WriteFormats(), ", ")+" (default: from -o's name; lackey on standard output)")
	return cmd
}

// genSizes are trace gen's flags that take sizes, as given.
type genSizes struct{ size, stride, base string }

// runTraceGen generates a trace of kind with p's counts and the sizes, to
// out (standard output if empty) in format.
func runTraceGen(cmd *cobra.Command, kind string, p traces.GenParams, sizes genSizes, out, format string) error {
	for _, f := range []struct {
		flag, val string
		dst       *uint64
	}{{"size", sizes.size, &p.Size}, {"stride", sizes.stride, &p.Stride}, {"base", sizes.base, &p.Base}} {
		if f.val == "" {
			continue
		}
		var err error
		if *f.dst, _, err = config.ParseBytes(f.val); err != nil {
			return fmt.Errorf("--%s: %v", f.flag, err)
		}
	}
	if err := checkGenZeros(cmd, p); err != nil {
		return err
	}
	r, err := traces.Generate(kind, p)
	if err != nil {
		return err
	}
	defer r.Close()
	if out == "" {
		if format == "" {
			format = "lackey"
		}
		f, _, err := outputFormat("stdout", format)
		if err != nil {
			return err
		}
		noteLosses(cmd, f, r)
		_, err = writeTo(cmd.OutOrStdout(), f, "", traces.CarriesOf(r), traces.Refs(r))
		return err
	}
	if f, _, err := outputFormat(out, format); err == nil {
		noteLosses(cmd, f, r)
	}
	n, err := writeTrace(out, format, traces.CarriesOf(r), traces.Refs(r))
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "emu: %s: %d records\n", out, n)
	return nil
}

// checkGenZeros refuses a flag given as 0 where GenParams reads 0 as "the
// default": --size 0 silently meaning 64 MiB is not what was asked.
func checkGenZeros(cmd *cobra.Command, p traces.GenParams) error {
	for _, f := range []struct {
		flag string
		v    uint64
	}{{"size", p.Size}, {"count", p.Count}, {"stride", p.Stride}, {"n", uint64(p.N)}, {"seed", p.Seed}, {"base", p.Base}} {
		if f.v == 0 && cmd.Flags().Changed(f.flag) {
			return fmt.Errorf("--%s 0: give at least 1, or leave --%s out for the default", f.flag, f.flag)
		}
	}
	return nil
}
