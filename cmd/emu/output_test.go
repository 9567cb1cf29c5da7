package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// outputCommands are every command line that writes a file; "OUT" stands
// for the file, in a folder that holds the inputs the lines name.
var outputCommands = []struct {
	name string
	out  string // the file's name (its extension picks a format)
	args []string
}{
	{"run --json", "r.json", []string{"run", "-q", "--json", "OUT", "t.trace"}},
	{"run --interval-csv", "i.csv", []string{"run", "-q", "--interval", "1", "--interval-csv", "OUT", "t.trace"}},
	{"run --timeline", "t.json", []string{"run", "-q", "--timeline", "OUT", "t.trace"}},
	{"run --stdout", "s.txt", []string{"run", "--stdout", "OUT", "s.emu"}},
	{"dram --json", "d.json", []string{"dram", "--json", "OUT", "d.trace"}},
	{"trace convert", "c.trace", []string{"trace", "convert", "t.trace", "OUT"}},
	{"trace gen", "g.vmt", []string{"trace", "gen", "stream", "--count", "100", "-o", "OUT"}},
	{"plot", "p.svg", []string{"plot", "latency", "lat.txt", "-o", "OUT"}},
	{"csim", ".csim_results", []string{"csim", "-s", "1", "-E", "1", "-b", "1", "-t", "t.trace"}},
}

func outputInputs(t *testing.T, dir string) {
	writeTemp(t, dir, "t.trace", []byte(tinyTrace))
	writeTemp(t, dir, "s.emu", []byte("b = p1 mmap 0 4096 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 store b 8 0x41424344\np1 write 1 b 4 == 4\n"))
	writeTemp(t, dir, "d.trace", []byte("0x0 READ 0\n0x40 WRITE 3\n"))
	writeTemp(t, dir, "lat.txt", []byte("10\n20\n30\n"))
}

// eachOutputCommand runs check for every command of outputCommands, in a
// subtest of its own with a folder of the inputs.
func eachOutputCommand(t *testing.T, check func(t *testing.T, dir, out string, args []string)) {
	for _, tc := range outputCommands {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			outputInputs(t, dir)
			check(t, dir, tc.out, tc.args)
		})
	}
}

// runOutput runs a command line with OUT standing for out, in dir.
func runOutput(t *testing.T, dir, out string, args []string) (int, string) {
	t.Helper()
	args = append([]string(nil), args...)
	for i, a := range args {
		if a == "OUT" {
			args[i] = out
		}
	}
	code, _, stderr := emu(t, dir, args...)
	return code, stderr
}

// A new output is a regular file of mode 0644, with no temporary left.
func TestOutputNewFile(t *testing.T) {
	eachOutputCommand(t, func(t *testing.T, dir, out string, args []string) {
		if code, stderr := runOutput(t, dir, out, args); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		st, err := os.Stat(filepath.Join(dir, out))
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o644 || st.Size() == 0 {
			t.Errorf("%s: %v, %v; want a non-empty regular file of mode 0644", out, st.Mode(), err)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
			t.Errorf("left behind %v", left)
		}
	})
}

// A link to a regular file is written through: the target changes, the
// link stays.
func TestOutputThroughSymlink(t *testing.T) {
	eachOutputCommand(t, func(t *testing.T, dir, out string, args []string) {
		os.Mkdir(filepath.Join(dir, "keep"), 0o755)
		target := writeTemp(t, filepath.Join(dir, "keep"), "target"+filepath.Ext(out), []byte("old"))
		if err := os.Symlink(target, filepath.Join(dir, out)); err != nil {
			t.Fatal(err)
		}
		if code, stderr := runOutput(t, dir, out, args); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if st, err := os.Lstat(filepath.Join(dir, out)); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link: %v, %v", out, st.Mode(), err)
		}
		if b, _ := os.ReadFile(target); len(b) == 0 || string(b) == "old" {
			t.Errorf("the target holds %q", b)
		}
	})
}

// A fifo (and so any path that is not a regular file) is written in
// place: its reader gets the output, and it stays a fifo.
func TestOutputToFifo(t *testing.T) {
	eachOutputCommand(t, func(t *testing.T, dir, out string, args []string) {
		fifo := filepath.Join(dir, out)
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skip("no fifos:", err)
		}
		// Held open for writing too, so that opening the reader does not
		// wait for emu, and reading ends when this closes, whatever emu
		// did.
		keep, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		reader, err := os.Open(fifo) // does not wait: keep is a writer
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(reader)
			reader.Close()
			got <- string(b)
		}()
		code, stderr := runOutput(t, dir, out, args)
		keep.Close()
		if s := <-got; code != 0 || s == "" {
			t.Errorf("exit %d (%s); the fifo's reader got %d bytes", code, stderr, len(s))
		}
		if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("%s is no longer a fifo: %v, %v", out, st.Mode(), err)
		}
	})
}

// Sweep results, collected tables and plans go through the same door: a
// result folder whose results.csv is a link keeps the link.
func TestSweepOutputsThroughSymlink(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := emu(t, "", "sweep", "run", smallSweep, "-o", out, "-q"); code != 0 {
		t.Fatal(stderr)
	}
	target := filepath.Join(t.TempDir(), "kept.csv")
	os.WriteFile(target, []byte("old"), 0o600)
	os.Symlink(target, filepath.Join(out, "results.csv"))
	if code, _, stderr := emu(t, "", "sweep", "collect", out); code != 0 {
		t.Fatal(stderr)
	}
	st, _ := os.Lstat(filepath.Join(out, "results.csv"))
	b, _ := os.ReadFile(target)
	if st.Mode()&fs.ModeSymlink == 0 || !strings.HasPrefix(string(b), "id,status,") {
		t.Errorf("results.csv: %v; the target holds %.20q", st.Mode(), b)
	}
	for _, f := range []string{"points.jsonl", "sweep.json", "results.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, %v", f, st.Mode(), err)
		}
	}
}
