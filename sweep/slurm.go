package sweep

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/vmemu/vmemu/outfile"
)

// DefaultMaxArray is the array size assumed when the cluster's
// MaxArraySize cannot be read: Slurm's default allows indices 0..1000.
const DefaultMaxArray = 1000

// SlurmJob is a sweep laid out as a Slurm job array: each task runs one
// shard of the plan, and a second job collects when all have succeeded.
type SlurmJob struct {
	Name       string   // the sweep's name, for squeue
	Emu        string   // absolute path of the emu the tasks run
	SweepFile  string   // absolute path of the sweep file
	Output     string   // absolute path of the result folder
	Points     int      // in the plan
	Tasks      int      // in the array; each runs every Tasks-th point
	CPUs       int      // per task, and the task's -j
	Retry      bool     // run again the points that failed before
	SbatchArgs []string // more sbatch options, one #SBATCH line each
}

// ArrayTasks is how many tasks run points points, perTask points each
// (or more, where the array would pass maxArray tasks).
func ArrayTasks(points, perTask, maxArray int) int {
	perTask, maxArray = max(perTask, 1), max(maxArray, 1)
	n := (points + perTask - 1) / perTask
	return max(min(n, maxArray), 1)
}

// ParseMaxArraySize finds MaxArraySize in the output of
// `scontrol show config`. Task ids must stay below it, so it is also the
// most tasks an array may have.
func ParseMaxArraySize(config string) (int, bool) {
	sc := bufio.NewScanner(strings.NewReader(config))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok && strings.TrimSpace(k) == "MaxArraySize" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			return n, err == nil && n > 0
		}
	}
	return 0, false
}

// ParseJobID reads what `sbatch --parsable` prints: "ID" or "ID;cluster".
func ParseJobID(out string) (string, error) {
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", fmt.Errorf("sbatch printed %q, not a job id", strings.TrimSpace(out))
	}
	return id, nil
}

// LogDir is where the scripts and the tasks' output go.
func (j SlurmJob) LogDir() string { return filepath.Join(j.Output, "slurm") }

// Check refuses what cannot go into a batch script safely: a control
// character in any value (a newline would end an #SBATCH line or the
// command, and what follows would run as a command of its own), and a %
// in the result folder's path (Slurm reads it in --output as a pattern).
// Every other value is quoted: for bash (ShellQuote) on the command line,
// for sbatch (sbatchQuote) on #SBATCH lines.
func (j SlurmJob) Check() error {
	fields := []struct{ name, v string }{{"the sweep's name", j.Name}, {"emu's path", j.Emu},
		{"the sweep file's path", j.SweepFile}, {"the result folder", j.Output}}
	for _, a := range j.SbatchArgs {
		fields = append(fields, struct{ name, v string }{"--sbatch-arg", a})
	}
	for _, f := range fields {
		if i := strings.IndexFunc(f.v, unicode.IsControl); i >= 0 {
			return fmt.Errorf("%s %q holds a control character (%q), which cannot go into a batch script", f.name, f.v, f.v[i:i+1])
		}
	}
	if strings.Contains(j.Output, "%") {
		return fmt.Errorf("the result folder %q holds a %%, which Slurm reads as a file name pattern in --output; choose another folder", j.Output)
	}
	return nil
}

// sbatchQuote quotes s as Slurm reads the words of an #SBATCH line: blanks
// separate them, quotes group, a backslash escapes the next character, an
// unquoted # starts a comment (sbatch's _get_argument). s holds no control
// character (Check).
func sbatchQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\\\"'#") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// ArrayScript is the job array's batch script; Check it first.
func (j SlurmJob) ArrayScript() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH %s\n", sbatchQuote("--job-name=emu-"+j.Name))
	fmt.Fprintf(&b, "#SBATCH --array=0-%d\n", j.Tasks-1)
	fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", max(j.CPUs, 1))
	fmt.Fprintf(&b, "#SBATCH %s\n", sbatchQuote("--output="+filepath.Join(j.LogDir(), "run-%A_%a.out")))
	j.extraLines(&b)
	fmt.Fprintf(&b, "# emu sweep submit: %d points in %d tasks; task I runs points I, I+%d, ...\n", j.Points, j.Tasks, j.Tasks)
	fmt.Fprintf(&b, "set -eu\n")
	retry := ""
	if j.Retry {
		retry = " --retry-failed"
	}
	fmt.Fprintf(&b, "exec %s sweep run %s -o %s --shard \"$SLURM_ARRAY_TASK_ID/%d\" -j %d --quiet%s\n",
		ShellQuote(j.Emu), ShellQuote(j.SweepFile), ShellQuote(j.Output), j.Tasks, max(j.CPUs, 1), retry)
	return b.String()
}

// CollectScript is the batch script of the job that collects the results;
// Check it first.
func (j SlurmJob) CollectScript() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH %s\n", sbatchQuote("--job-name=emu-"+j.Name+"-collect"))
	fmt.Fprintf(&b, "#SBATCH %s\n", sbatchQuote("--output="+filepath.Join(j.LogDir(), "collect-%j.out")))
	j.extraLines(&b)
	fmt.Fprintf(&b, "set -eu\n")
	fmt.Fprintf(&b, "exec %s sweep collect %s\n", ShellQuote(j.Emu), ShellQuote(j.Output))
	return b.String()
}

// extraLines writes the user's own sbatch options as given (they are
// sbatch's words, quotes and all), one a line.
func (j SlurmJob) extraLines(b *strings.Builder) {
	for _, a := range j.SbatchArgs {
		fmt.Fprintf(b, "#SBATCH %s\n", a)
	}
}

// ShellQuote quotes s for bash, unless it needs no quotes.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Commander runs a program and returns its standard output; tests pass a
// fake sbatch.
type Commander func(name string, args ...string) ([]byte, error)

// Submitted says what Submit sent to Slurm.
type Submitted struct {
	ArrayScript, CollectScript string // paths of the scripts
	ArrayJob, CollectJob       string // job ids
}

// Submit writes both scripts into the log folder and submits them: the
// array, then the collect job to start once every task has succeeded.
func (j SlurmJob) Submit(run Commander) (Submitted, error) {
	s := Submitted{ArrayScript: filepath.Join(j.LogDir(), "run.sbatch"), CollectScript: filepath.Join(j.LogDir(), "collect.sbatch")}
	if err := j.Check(); err != nil {
		return s, err
	}
	if err := os.MkdirAll(j.LogDir(), 0o755); err != nil {
		return s, err
	}
	if err := outfile.WriteFile(s.ArrayScript, []byte(j.ArrayScript())); err != nil {
		return s, err
	}
	if err := outfile.WriteFile(s.CollectScript, []byte(j.CollectScript())); err != nil {
		return s, err
	}
	var err error
	if s.ArrayJob, err = sbatch(run, s.ArrayScript); err != nil {
		return s, err
	}
	s.CollectJob, err = sbatch(run, "--dependency=afterok:"+s.ArrayJob, s.CollectScript)
	return s, err
}

func sbatch(run Commander, args ...string) (string, error) {
	out, err := run("sbatch", append([]string{"--parsable"}, args...)...)
	if err != nil {
		return "", fmt.Errorf("sbatch %s: %v", strings.Join(args, " "), err)
	}
	return ParseJobID(string(out))
}
