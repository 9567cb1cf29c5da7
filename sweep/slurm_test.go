package sweep

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArrayTasks(t *testing.T) {
	for _, tc := range []struct{ points, per, max, want int }{
		{12, 1, 1000, 12}, {5000, 1, 1000, 1000}, {5000, 10, 1000, 500}, {0, 1, 1000, 1}, {7, 3, 1000, 3}, {10, 1, 0, 1},
	} {
		if got := ArrayTasks(tc.points, tc.per, tc.max); got != tc.want {
			t.Errorf("ArrayTasks(%d, %d, %d) = %d, want %d", tc.points, tc.per, tc.max, got, tc.want)
		}
	}
}

func TestParseSlurmOutput(t *testing.T) {
	conf := "Configuration data as of 2024-01-01T00:00:00\nMaxArraySize            = 1001\nMaxJobCount             = 10000\n"
	if n, ok := ParseMaxArraySize(conf); !ok || n != 1001 {
		t.Errorf("MaxArraySize %d, %v", n, ok)
	}
	if _, ok := ParseMaxArraySize("nothing"); ok {
		t.Error("found MaxArraySize in nothing")
	}
	for in, want := range map[string]string{"42\n": "42", "42;cluster\n": "42"} {
		if got, err := ParseJobID(in); got != want || err != nil {
			t.Errorf("%q: %s, %v", in, got, err)
		}
	}
	if _, err := ParseJobID("sbatch: error: Batch job submission failed"); err == nil {
		t.Error("an error message taken for a job id")
	}
}

// Submit writes both scripts and chains the collect job to the array.
func TestSubmit(t *testing.T) {
	out := t.TempDir()
	j := SlurmJob{Name: "s", Emu: "/opt/emu", SweepFile: "/data/my sweep.yaml", Output: out, Points: 12, Tasks: 4, CPUs: 1,
		SbatchArgs: []string{"--partition=debug"}, Retry: true}
	var calls []string
	fake := func(name string, args ...string) ([]byte, error) {
		calls = append(calls, name+" "+strings.Join(args, " "))
		return []byte("1234" + map[bool]string{true: "\n", false: ";c\n"}[len(calls) == 1]), nil
	}
	sub, err := j.Submit(fake)
	if err != nil || sub.ArrayJob != "1234" || sub.CollectJob != "1234" {
		t.Fatalf("%+v, %v", sub, err)
	}
	want := []string{"sbatch --parsable " + sub.ArrayScript, "sbatch --parsable --dependency=afterok:1234 " + sub.CollectScript}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
	script, _ := os.ReadFile(filepath.Join(out, "slurm", "run.sbatch"))
	for _, line := range []string{"#SBATCH --array=0-3", "#SBATCH --partition=debug", `--shard "$SLURM_ARRAY_TASK_ID/4" -j 1 --quiet --retry-failed`, `'/data/my sweep.yaml'`} {
		if !strings.Contains(string(script), line) {
			t.Errorf("script lacks %s:\n%s", line, script)
		}
	}
	failing := func(string, ...string) ([]byte, error) { return nil, errors.New("exit status 1") }
	if _, err := j.Submit(failing); err == nil || !strings.Contains(err.Error(), "sbatch") {
		t.Errorf("a failed sbatch gave %v", err)
	}
}
