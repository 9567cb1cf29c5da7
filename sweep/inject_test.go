package sweep

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostile are values a sweep's name and paths may hold that mean
// something to bash or to sbatch.
var hostile = []string{
	"$(touch PWNED)", "`touch PWNED`", "a; touch PWNED", "it's", `say "hi"`, "a b", `back\slash`,
	"# not a comment", "*", "&& touch PWNED", "| touch PWNED", "> PWNED", "~", "!!", "${HOME}",
}

// A value with a control character (a newline above all: it would end
// an #SBATCH line and start a command) is refused, whichever field.
func TestSlurmCheckRefusesControlCharacters(t *testing.T) {
	ok := SlurmJob{Name: "s", Emu: "/opt/emu", SweepFile: "/d/s.yaml", Output: "/d/out", Tasks: 2, SbatchArgs: []string{"--partition=debug"}}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"out\n touch /tmp/pwned", "out\r\n", "out\x00x", "a\tb", "x\x1b[31m"} {
		for field, set := range map[string]func(*SlurmJob){
			"name": func(j *SlurmJob) { j.Name = bad }, "emu": func(j *SlurmJob) { j.Emu = "/" + bad },
			"sweep file": func(j *SlurmJob) { j.SweepFile = "/" + bad }, "output": func(j *SlurmJob) { j.Output = "/" + bad },
			"sbatch arg": func(j *SlurmJob) { j.SbatchArgs = []string{"--comment=" + bad} },
		} {
			j := ok
			set(&j)
			err := j.Check()
			if err == nil || !strings.Contains(err.Error(), "control character") {
				t.Errorf("%s %q: %v", field, bad, err)
			}
			if _, err := j.Submit(func(string, ...string) ([]byte, error) { return []byte("1\n"), nil }); err == nil {
				t.Errorf("%s %q: submitted", field, bad)
			}
		}
	}
	j := ok
	j.Output = "/d/100%"
	if err := j.Check(); err == nil || !strings.Contains(err.Error(), "file name pattern") {
		t.Errorf("%%: %v", err)
	}
}

// sbatchWords splits an #SBATCH line's options as sbatch does
// (_get_argument in Slurm's src/sbatch/opt.c): blanks separate, single or
// double quotes group, a backslash escapes the next character, an
// unquoted # ends the line.
func sbatchWords(line string) []string {
	var words []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) || line[i] == '#' {
			return words
		}
		var w strings.Builder
		var q byte
		for ; i < len(line) && (q != 0 || (line[i] != ' ' && line[i] != '\t')); i++ {
			c := line[i]
			switch {
			case c == '\\' && i+1 < len(line):
				i++
				w.WriteByte(line[i])
			case q != 0 && c == q:
				q = 0
			case q != 0:
				w.WriteByte(c)
			case c == '"' || c == '\'':
				q = c
			case c == '#':
				return append(words, w.String())
			default:
				w.WriteByte(c)
			}
		}
		words = append(words, w.String())
	}
}

// Values that mean something to bash or sbatch are quoted in both
// scripts: bash -n accepts them, each #SBATCH line reads back as exactly
// its option, and the array script, run, starts emu with exactly the
// arguments meant, and nothing else runs.
func TestSlurmScriptsQuoteEveryValue(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, v := range hostile {
		t.Run(v, func(t *testing.T) {
			dir := t.TempDir()
			// emu lives in a folder named by the value, and records its
			// arguments, one a line.
			bin := filepath.Join(dir, "bin "+v)
			os.MkdirAll(bin, 0o755)
			emu := filepath.Join(bin, "emu")
			os.WriteFile(emu, []byte("#!/bin/bash\nprintf '%s\\n' \"$@\" > \"$ARGS_FILE\"\n"), 0o755)
			out := filepath.Join(dir, "out "+v)
			j := SlurmJob{Name: v, Emu: emu, SweepFile: filepath.Join(dir, v+".yaml"), Output: out, Points: 4, Tasks: 2, CPUs: 3}
			if err := j.Check(); err != nil {
				t.Fatal(err)
			}
			for name, script := range map[string]string{"run": j.ArrayScript(), "collect": j.CollectScript()} {
				path := filepath.Join(dir, name+".sbatch")
				os.WriteFile(path, []byte(script), 0o644)
				if b, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
					t.Fatalf("bash -n %s: %v\n%s\n%s", name, err, b, script)
				}
				sbatch := map[string]string{}
				for _, line := range strings.Split(script, "\n") {
					if rest, ok := strings.CutPrefix(line, "#SBATCH "); ok {
						words := sbatchWords(rest)
						if len(words) != 1 {
							t.Errorf("%s: %q reads as %q", name, line, words)
							continue
						}
						k, val, _ := strings.Cut(words[0], "=")
						sbatch[k] = val
					}
				}
				if want := "emu-" + v + map[string]string{"run": "", "collect": "-collect"}[name]; sbatch["--job-name"] != want {
					t.Errorf("%s: job name %q, want %q", name, sbatch["--job-name"], want)
				}
				if !strings.HasPrefix(sbatch["--output"], filepath.Join(out, "slurm")+"/") {
					t.Errorf("%s: output %q", name, sbatch["--output"])
				}
			}
			args := filepath.Join(dir, "args")
			cmd := exec.Command("bash", filepath.Join(dir, "run.sbatch"))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=1", "ARGS_FILE="+args)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("running the script: %v\n%s", err, b)
			}
			got, _ := os.ReadFile(args)
			want := strings.Join([]string{"sweep", "run", j.SweepFile, "-o", out, "--shard", "1/2", "-j", "3", "--quiet"}, "\n") + "\n"
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("emu's arguments (-want +got):\n%s", diff)
			}
			filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error {
				if filepath.Base(p) == "PWNED" {
					t.Errorf("a value ran as a command: %s", p)
				}
				return nil
			})
		})
	}
}

// A sweep file's output with a control character is refused where it is
// written, with its line.
func TestSweepOutputControlCharacter(t *testing.T) {
	path := sweepDir(t, "traces: [a.trace]\noutput: \"out\\n touch /tmp/pwned\"\n")
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "s.yaml:2: output: ") || !strings.Contains(err.Error(), "control character") {
		t.Errorf("%v", err)
	}
}
