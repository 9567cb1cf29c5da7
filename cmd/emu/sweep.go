package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/progress"
	"github.com/vmemu/vmemu/sweep"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// without it, emuVersion asks the build information.
var version string

// emuVersion names this build of emu for the results it makes: the
// version set at build time, the module's version, or the commit it was
// built from; "dev" when none is known.
func emuVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return "dev"
	}
	return "dev-" + rev[:min(12, len(rev))] + dirty
}

func newSweepCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "run experiments: many configurations x traces x seeds, here or on a Slurm cluster",
		Long: `A sweep file (YAML or JSON) names a base machine, parameters with their
values, traces and seeds; each combination is a point with a stable id.
Results go to one file per point in the result folder, so an interrupted
sweep resumes where it stopped. See docs/experiments.md.`,
	}
	cmd.AddCommand(newSweepPlanCmd(), newSweepRunCmd(), newSweepCollectCmd(), newSweepCompareCmd(), newSweepSubmitCmd())
	return cmd
}

// loadSweepFile reads a sweep file; out, if set, replaces its output folder.
func loadSweepFile(path, out string) (*sweep.Sweep, error) {
	s, err := sweep.Load(path)
	if err != nil {
		return nil, err
	}
	if out != "" {
		s.Output = out
	}
	return s, nil
}

func newSweepPlanCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "plan FILE",
		Short:   "print the sweep's points as JSON lines, one point a line, each with its id",
		Example: "  emu sweep plan l2.yaml | head -3",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := sweep.Load(args[0])
			if err != nil {
				return err
			}
			return sweep.WritePlan(cmd.OutOrStdout(), sweep.Plan(s))
		},
	}
}

// sweepFlags are the flags of every sweep command that runs points.
type sweepFlags struct {
	jobs   int
	out    string
	quiet  bool
	retry  bool
	shard  string
	shardV sweep.Shard
}

func (f *sweepFlags) add(cmd *cobra.Command, shard bool) {
	cmd.Flags().IntVarP(&f.jobs, "jobs", "j", runtime.NumCPU(), "points run at once")
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "the result folder (default: the sweep file's output)")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "no progress bar")
	cmd.Flags().BoolVar(&f.retry, "retry-failed", false, "run again the points that failed before")
	if shard {
		cmd.Flags().StringVar(&f.shard, "shard", "", "run only part I of N of the points, as I/N with I from 0 (Slurm array task ids)")
	}
}

func (f *sweepFlags) check() error {
	if f.jobs < 1 {
		return fmt.Errorf("--jobs %d: give at least 1", f.jobs)
	}
	if f.shard == "" {
		return nil
	}
	var err error
	f.shardV, err = sweep.ParseShard(f.shard)
	return err
}

func newSweepRunCmd() *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:     "run FILE [-j N] [--shard I/N] [-o DIR] [--retry-failed]",
		Short:   "run the points that have no result yet, N at a time",
		Example: "  emu sweep run l2.yaml -j 8\n  emu sweep run l2.yaml --shard 2/4 -o /scratch/l2.results",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			s, err := loadSweepFile(args[0], f.out)
			if err != nil {
				return err
			}
			_, err = runSweepPoints(cmd, s, &f)
			return err
		},
	}
	f.add(cmd, true)
	return cmd
}

// runSweepPoints runs a sweep's points with a progress bar, stopping cleanly on
// an interrupt or a SIGTERM (what Slurm sends at a job's time limit).
func runSweepPoints(cmd *cobra.Command, s *sweep.Sweep, f *sweepFlags) (sweep.Summary, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cleanStop.Store(true)
	defer cleanStop.Store(false)
	total := len(f.shardV.Of(sweep.Plan(s)))
	bar := progress.NewTo(cmd.ErrOrStderr(), int64(total), "points", f.quiet)
	note := func(msg string) { fmt.Fprintln(cmd.ErrOrStderr(), "emu: note:", msg) }
	sum, err := sweep.Run(ctx, s, sweep.Options{Jobs: f.jobs, Shard: f.shardV, RetryFailed: f.retry, Version: emuVersion(), Progress: bar, Note: note})
	bar.Done()
	printSweepSummary(cmd, s, sum)
	if err == context.Canceled {
		return sum, &exitError{code: 1, err: fmt.Errorf("interrupted: %d of %d points done; run again to finish", sum.Skipped+sum.Ran, sum.Points)}
	}
	return sum, err
}

// printSweepSummary prints what a run did: one line on standard output, the failed
// points and the missing metrics on standard error.
func printSweepSummary(cmd *cobra.Command, s *sweep.Sweep, sum sweep.Summary) {
	fmt.Fprintf(cmd.OutOrStdout(), "%d points: ran %d (%d failed), %d done before; results in %s\n",
		sum.Points, sum.Ran, sum.Failed, sum.Skipped, s.Output)
	const most = 10
	for i, e := range sum.Errors {
		if i == most {
			fmt.Fprintf(cmd.ErrOrStderr(), "emu: ... and %d more failed points\n", len(sum.Errors)-most)
			break
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "emu: point %s\n", e)
	}
	for _, n := range sum.Notes {
		fmt.Fprintf(cmd.ErrOrStderr(), "emu: warning: metric %s (left empty)\n", n)
	}
}

func newSweepCollectCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "collect DIR",
		Short:   "gather a result folder into DIR/results.csv and DIR/results.json, with provenance",
		Example: "  emu sweep collect l2.results && emu plot metric l2.results --x l2.size --y cycles -o l2.png",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return collectSweep(cmd.OutOrStdout(), args[0])
		},
	}
}

// collectSweep writes a folder's tables; points without a result make it fail
// (exit status 1) after the tables are written.
func collectSweep(w io.Writer, dir string) error {
	t, err := sweep.Collect(dir)
	if err != nil {
		return err
	}
	if err := t.WriteFiles(dir); err != nil {
		return err
	}
	ok, failed, missing := t.Counts()
	fmt.Fprintf(w, "%d points: %d ok, %d failed, %d missing; wrote %s and %s\n", len(t.Rows), ok, failed, missing,
		filepath.Join(dir, sweep.CSVFile), filepath.Join(dir, sweep.JSONFile))
	if missing > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s: %d points have no result yet", dir, missing)}
	}
	return nil
}

func newSweepCompareCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "compare DIR1 DIR2",
		Short:   "check that two result folders of one sweep measured the same (exit status 1 if not)",
		Example: "  emu sweep compare laptop.results cluster.results",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := sweep.Collect(args[0])
			if err != nil {
				return err
			}
			b, err := sweep.Collect(args[1])
			if err != nil {
				return err
			}
			diffs := sweep.Compare(a, b)
			for _, d := range diffs {
				fmt.Fprintln(cmd.OutOrStdout(), d)
			}
			if len(diffs) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d differences", len(diffs))}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d points, the same in both\n", len(a.Rows))
			return nil
		},
	}
}

// sweepSubmitFlags are sweep submit's own flags.
type sweepSubmitFlags struct {
	backend    string
	dryRun     bool
	maxArray   int
	perTask    int
	cpus       int
	sbatchArgs []string
	retry      bool // --retry-failed, passed on to the tasks
}

func newSweepSubmitCmd() *cobra.Command {
	var f sweepFlags
	var sf sweepSubmitFlags
	cmd := &cobra.Command{
		Use:     "submit FILE --backend slurm|local [--dry-run] [--max-array N]",
		Short:   "run a whole sweep and collect it: as a Slurm job array, or here",
		Example: "  emu sweep submit l2.yaml --backend slurm --dry-run\n  emu sweep submit l2.yaml --backend local -j 4",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			s, err := loadSweepFile(args[0], f.out)
			if err != nil {
				return err
			}
			switch sf.backend {
			case "local":
				return sweepSubmitLocal(cmd, s, &f)
			case "slurm":
				sf.retry = f.retry
				return sweepSubmitSlurm(cmd, s, &sf)
			}
			return fmt.Errorf("--backend %q: give slurm or local", sf.backend)
		},
	}
	f.add(cmd, false)
	cmd.Flags().StringVar(&sf.backend, "backend", "", "slurm (sbatch a job array, then a collect job) or local (run and collect here)")
	cmd.Flags().BoolVar(&sf.dryRun, "dry-run", false, "slurm: print the batch scripts and the sbatch commands, submit nothing")
	cmd.Flags().IntVar(&sf.maxArray, "max-array", 0, "slurm: most tasks in the array (default: the cluster's MaxArraySize, or 1000)")
	cmd.Flags().IntVar(&sf.perTask, "per-task", 1, "slurm: points per array task, at least")
	cmd.Flags().IntVar(&sf.cpus, "cpus-per-task", 1, "slurm: cores per array task; the task runs as many points at once")
	cmd.Flags().StringArrayVar(&sf.sbatchArgs, "sbatch-arg", nil, "slurm: one more sbatch option for both jobs, e.g. --sbatch-arg=--partition=debug (repeatable)")
	return cmd
}

func sweepSubmitLocal(cmd *cobra.Command, s *sweep.Sweep, f *sweepFlags) error {
	if _, err := runSweepPoints(cmd, s, f); err != nil {
		return err
	}
	return collectSweep(cmd.OutOrStdout(), s.Output)
}

func sweepSubmitSlurm(cmd *cobra.Command, s *sweep.Sweep, sf *sweepSubmitFlags) error {
	if sf.perTask < 1 || sf.cpus < 1 || sf.maxArray < 0 {
		return fmt.Errorf("--per-task, --cpus-per-task and --max-array must be positive")
	}
	job, err := sweepSlurmJob(s, sf)
	if err != nil {
		return err
	}
	if err := job.Check(); err != nil {
		return err
	}
	if sf.dryRun {
		return printSlurmDryRun(cmd.OutOrStdout(), job)
	}
	if err := sweep.Prepare(s, sweep.Plan(s)); err != nil {
		return err
	}
	sub, err := job.Submit(runSlurmCommand)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "submitted job array %s (%d points in %d tasks) and collect job %s; results in %s\n",
		sub.ArrayJob, job.Points, job.Tasks, sub.CollectJob, job.Output)
	return nil
}

// sweepSlurmJob lays the sweep out as an array, with absolute paths: the tasks
// may start in another folder.
func sweepSlurmJob(s *sweep.Sweep, sf *sweepSubmitFlags) (sweep.SlurmJob, error) {
	emu, err := os.Executable()
	if err != nil {
		return sweep.SlurmJob{}, err
	}
	if p, err := filepath.EvalSymlinks(emu); err == nil {
		emu = p
	}
	file, err1 := filepath.Abs(s.Path)
	out, err2 := filepath.Abs(s.Output)
	if err1 != nil || err2 != nil {
		return sweep.SlurmJob{}, fmt.Errorf("%s: cannot make the paths absolute", s.Path)
	}
	points := len(sweep.Plan(s))
	name := strings.TrimSuffix(filepath.Base(s.Path), filepath.Ext(s.Path))
	return sweep.SlurmJob{Name: name, Emu: emu, SweepFile: file, Output: out, Points: points,
		Tasks: sweep.ArrayTasks(points, sf.perTask, slurmMaxArray(sf.maxArray)), CPUs: sf.cpus, SbatchArgs: sf.sbatchArgs, Retry: sf.retry}, nil
}

// slurmMaxArray is --max-array, else the cluster's MaxArraySize, else 1000.
func slurmMaxArray(flag int) int {
	if flag > 0 {
		return flag
	}
	out, err := runSlurmCommand("scontrol", "show", "config")
	if err == nil {
		if n, ok := sweep.ParseMaxArraySize(string(out)); ok {
			return n
		}
	}
	return sweep.DefaultMaxArray
}

// runSlurmCommand runs a Slurm command with a time limit (a controller that is
// down makes them wait); its error carries what the program said.
func runSlurmCommand(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	c := exec.CommandContext(ctx, name, args...)
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil && stderr.Len() > 0 {
		err = fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, err
}

func printSlurmDryRun(w io.Writer, j sweep.SlurmJob) error {
	run, coll := filepath.Join(j.LogDir(), "run.sbatch"), filepath.Join(j.LogDir(), "collect.sbatch")
	fmt.Fprintf(w, "# %d points in %d array tasks. Would write %s:\n%s", j.Points, j.Tasks, run, j.ArrayScript())
	fmt.Fprintf(w, "# and %s:\n%s", coll, j.CollectScript())
	fmt.Fprintf(w, "# then run:\nsbatch --parsable %s\nsbatch --parsable --dependency=afterok:ARRAY_JOB_ID %s\n", run, coll)
	return nil
}
