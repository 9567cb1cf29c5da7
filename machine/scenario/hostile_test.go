package scenario

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	hostsys "syscall"
	"testing"

	"github.com/vmemu/vmemu/traces"
)

// hostFiles makes a scenario folder and a folder beside it, with what the
// host= cases read: a file in each, one in a subfolder, a link out, a
// fifo, and a sparse file larger than any emulated disk.
func hostFiles(t *testing.T) (dir, outside string) {
	t.Helper()
	root := t.TempDir()
	dir, outside = filepath.Join(root, "scn"), filepath.Join(root, "other")
	for _, d := range []string{dir, filepath.Join(dir, "sub"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range map[string]string{"data.txt": "in the folder", "sub/inner.txt": "one folder down",
		"../other/secret.txt": "beside the folder"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := hostsys.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	if err := big.Truncate(2 << 30); err != nil { // sparse: no blocks on the host's disk
		t.Fatal(err)
	}
	return dir, outside
}

// A file line's file is bounded by the emulated disk before a byte of it
// is made or read, and host= reads only regular files, under the
// scenario's folder (relative paths following the scenario, not the
// working folder) or under a path the options allow.
func TestScenarioFileSources(t *testing.T) {
	dir, outside := hostFiles(t)
	for _, c := range []struct {
		name, line string
		allow      []string
		want       string // the file's bytes, or "error: " and a fragment of the error
	}{
		{"a device", "file f host=/dev/zero", nil, "error: column 8: host: /dev/zero is a device, not a regular file"},
		{"a device, allowed", "file f host=/dev/zero", []string{"/dev"}, "error: /dev/zero is a device, not a regular file"},
		{"a fifo", "file f host=fifo", nil, "error: is a fifo, not a regular file"},
		{"a folder", "file f host=sub", nil, "error: is a folder, not a regular file"},
		{"a host file elsewhere", "file f host=/etc/passwd", nil, "error: /etc/passwd is outside the scenario's folder; emu run --allow-host PATH"},
		{"the process's environment", "file f host=/proc/self/environ", nil, "error: is outside the scenario's folder"},
		{"a relative path out", "file f host=../other/secret.txt", nil, "error: is outside the scenario's folder"},
		{"a link out", "file f host=link.txt", nil, "error: link.txt (" + filepath.Join(outside, "secret.txt") + ") is outside"},
		{"a missing file", "file f host=nothere.txt", nil, "error: nothere.txt (" + filepath.Join(dir, "nothere.txt") + "): no such file"},
		{"a file larger than the disk", "file f host=big.bin", nil, "error: 2147483648 bytes do not fit the emulated disk"},
		{"16 GiB of bytes", "file f bytes=17179869184", nil, "error: column 8: bytes: 17179869184 bytes do not fit the emulated disk: " +
			"its file system has 1023MiB free of 1023MiB (the 1GiB disk of disk.model ssd-nvme, less disk.swap 1MiB)"},
		{"2^64-1 bytes", "file f bytes=18446744073709551615", nil, "error: 18446744073709551615 bytes do not fit"},
		{"a TiB of words", "file f words=1099511627776", nil, "error: column 8: words: 1099511627776 bytes do not fit"},
		{"two sources", "file f bytes=10 host=data.txt", nil, "error: column 17: host: a file has one source"},
		{"a relative path in", "file f host=data.txt", nil, "in the folder"},
		{"a subfolder", "file f host=sub/inner.txt", nil, "one folder down"},
		{"an allowed folder", "file f host=" + filepath.Join(outside, "secret.txt"), []string{outside}, "beside the folder"},
		{"an allowed file, relative", "file f host=../other/secret.txt", []string{filepath.Join(outside, "secret.txt")}, "beside the folder"},
		{"an allowed link's target", "file f host=link.txt", []string{outside}, "beside the folder"},
		{"words", "file f words=4101", nil, string(wordsFile(4101))},
		{"bytes", "file f bytes=5000 seed=3", nil, string(bytesFile(5000, 3))},
		{"text", `file f text="hi\n"`, nil, "hi\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := traces.ParseScenario(filepath.Join(dir, "s.emu"), strings.NewReader(c.line+"\n"))
			if err != nil {
				checkErr(t, err, c.want)
				return
			}
			m := build(t, "default", "disk.swap=1MiB")
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = RunWith(m, s, Options{AllowHost: c.allow})
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
				t.Errorf("placing the file allocated %d MiB of host memory", grew>>20)
			}
			if err != nil {
				checkErr(t, err, c.want)
				return
			}
			got, err := m.Kernel.FileContents("f")
			if err != nil || string(got) != c.want {
				t.Errorf("the file holds %.80q (%v), want %.80q", got, err, c.want)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if frag, ok := strings.CutPrefix(want, "error: "); !ok || !strings.Contains(err.Error(), frag) {
		t.Errorf("error %v, want %s", err, want)
	}
}

// wordsFile and bytesFile are what words=N and bytes=N seed=S hold, made
// whole as the README describes them.
func wordsFile(n int) []byte {
	b := make([]byte, n)
	for o := 0; o+8 <= n; o += 8 {
		binary.LittleEndian.PutUint64(b[o:], uint64(o))
	}
	return b
}

func bytesFile(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// A name a failed call or a faulted load was to bind has no value, and a
// use of it says which line failed and why, rather than calling the name
// undefined; a later line that binds it again gives it a value.
func TestScenarioFailedBindings(t *testing.T) {
	const anon = " rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\n"
	for _, c := range []struct{ name, text, want string }{
		{"a failed mmap", "a = p1 mmap 0 0xffffffffffffffff" + anon + "p1 load a 8\n",
			"f.emu:2: column 9: value: a has no value: the mmap on line 1 that was to bind it failed with ENOMEM"},
		{"with an offset", "a = p1 mmap 0 0" + anon + "p1 store a+8 8 1\n",
			"f.emu:2: column 10: value: a has no value: the mmap on line 1 that was to bind it failed with EINVAL"},
		{"in an expectation", "a = p1 mmap 0 0" + anon + "p1 load 0x10000 8 == a\n",
			"f.emu:2: column 22: value: a has no value: the mmap on line 1 that was to bind it failed with EINVAL"},
		{"bound, then failed", "a = p1 mmap 0 4096" + anon + "a = p1 mmap 0x10 4096 rw- MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED -1 0\np1 load a 8\n",
			"f.emu:3: column 9: value: a has no value: the mmap on line 2 that was to bind it failed with EINVAL"},
		{"a faulted load", "v = p1 load 0x10 8\np1 brk v\n",
			"f.emu:2: column 8: value: v has no value: the load on line 1 that was to bind it failed with SIGSEGV"},
		{"failed, then bound", "a = p1 mmap 0 0" + anon + "a = p1 mmap 0 4096" + anon + "p1 store a 8 1\n", ""},
		{"never bound", "p1 load 0x10000 8 == zz\n", `f.emu:1: column 22: name: name "zz" is not defined`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := traces.ParseScenario("f.emu", strings.NewReader(c.text))
			if err == nil {
				_, err = Run(build(t, "default"), s)
			}
			switch {
			case c.want == "" && err != nil:
				t.Errorf("error %v", err)
			case c.want != "" && (err == nil || err.Error() != c.want):
				t.Errorf("error %v\nwant %s", err, c.want)
			}
		})
	}
}

// Out of memory and swap, a scenario stops at the access that could not
// be mended, names its line, and still has its report so far.
func TestScenarioOutOfMemory(t *testing.T) {
	text := "set os.memory=256KiB\nset disk.swap=64KiB\nb = p1 mmap 0 1048576 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\n"
	for i := 0; i < 200; i++ {
		text += fmt.Sprintf("p1 store b+%#x 8 1\n", i*4096)
	}
	s, err := traces.ParseScenario("oom.emu", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(build(t, "default", s.Settings()...), s)
	var te *traces.Error
	switch {
	case err == nil:
		t.Fatal("no error from a scenario that needs 800 KiB of 320 KiB")
	case !errors.As(err, &te) || te.File != "oom.emu" || te.Field != "store" || !strings.Contains(te.Msg, "out of physical memory"):
		t.Fatalf("error %v: want one naming oom.emu, the line and the store", err)
	case rep == nil || rep.Scenario == nil:
		t.Fatalf("no report with the error %v", err)
	case rep.Instructions != uint64(te.Line) || te.Line <= 4:
		t.Errorf("the report so far has %d instructions; the run stopped at line %d", rep.Instructions, te.Line)
	}
}
