package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// refdata returns a path under the reference data in testdata/refdata at the
// top of the repository (a copy of ../shared/refdata), or under VMEMU_REFDATA.
func refdata(t *testing.T, rel string) string {
	t.Helper()
	dir := os.Getenv("VMEMU_REFDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "testdata", "refdata")
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("reference data missing: %v (set VMEMU_REFDATA to the refdata folder)", err)
	}
	abs, _ := filepath.Abs(p)
	return abs
}

// emu runs one command line in dir and returns its exit status and output.
func emu(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	if dir != "" {
		old, _ := os.Getwd()
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(old)
	}
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenFile(t, filepath.Join("testdata", name), got)
}

// goldenFile compares got with the file at path, or with -update writes it.
func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-golden +got):\n%s", path, diff)
	}
}

// The Cache Lab handout's graded cases, with the reference simulator's
// results (../shared/refdata/cachelab/expected.tsv).
func TestCSimMatchesReference(t *testing.T) {
	data, err := os.ReadFile(refdata(t, "cachelab/expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 9 {
		t.Fatalf("expected.tsv has %d lines, want a header and 8 cases", len(lines))
	}
	for _, ln := range lines[1:] {
		f := strings.Split(ln, "\t")
		t.Run(strings.Join(f[:4], "_"), func(t *testing.T) {
			dir := t.TempDir()
			trace := refdata(t, "cachelab/traces/"+f[3])
			code, out, stderr := emu(t, dir, "csim", "-s", f[0], "-E", f[1], "-b", f[2], "-t", trace)
			want := "hits:" + f[4] + " misses:" + f[5] + " evictions:" + f[6] + "\n"
			if code != 0 || out != want {
				t.Fatalf("exit %d, output %q (stderr %q), want %q", code, out, stderr, want)
			}
			res, err := os.ReadFile(filepath.Join(dir, ".csim_results"))
			if err != nil || string(res) != f[4]+" "+f[5]+" "+f[6]+"\n" {
				t.Errorf(".csim_results = %q, %v", res, err)
			}
		})
	}
}

// The verbose example of the Cache Lab handout (Part A), as csim-ref prints
// it: each word followed by a space.
func TestCSimVerboseHandoutExample(t *testing.T) {
	want := "L 10,1 miss \n" +
		"M 20,1 miss hit \n" +
		"L 22,1 hit \n" +
		"S 18,1 hit \n" +
		"L 110,1 miss eviction \n" +
		"L 210,1 miss eviction \n" +
		"M 12,1 miss eviction hit \n" +
		"hits:4 misses:5 evictions:3\n"
	code, out, _ := emu(t, t.TempDir(), "csim", "-v", "-s", "4", "-E", "1", "-b", "4", "-t", refdata(t, "cachelab/traces/yi.trace"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-handout +emu):\n%s", diff)
	}
}

func TestCSimArguments(t *testing.T) {
	trace := refdata(t, "cachelab/traces/yi.trace")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // prefix
		stderr string // substring
	}{
		{"help", []string{"-h"}, 0, "Usage: emu csim [-hv]", ""},
		{"missing", []string{"-s", "4", "-E", "1", "-t", trace}, 2, "", "Missing required command line argument"},
		{"joined options", []string{"-s4", "-E1", "-b4", "-t" + trace}, 0, "hits:4 misses:5 evictions:3", ""},
		{"bad option", []string{"-x"}, 2, "", "invalid option -- 'x'"},
		{"not a number", []string{"-s", "four", "-E", "1", "-b", "4", "-t", trace}, 2, "", `"four" is not a number`},
		{"impossible", []string{"-s", "60", "-E", "1", "-b", "10", "-t", trace}, 2, "", "impossible geometry"},
		{"no trace", []string{"-s", "1", "-E", "1", "-b", "1", "-t", "/nonexistent.trace"}, 2, "", "/nonexistent.trace"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := emu(t, t.TempDir(), append([]string{"csim"}, tc.args...)...)
			if code != tc.code || !strings.HasPrefix(out, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout starting %q, stderr with %q",
					code, out, stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// goCrash matches what the Go runtime prints for a panic or a fatal error
// that nothing recovered (scripts/hostile looks for the same).
var goCrash = regexp.MustCompile(`(?m)^(panic: |fatal error: |goroutine [0-9]+ \[)`)

// A panic is reported as an internal error with its own exit status, the
// command line to report and the stack, and not as Go prints a crash.
func TestInternalError(t *testing.T) {
	code, stdout, stderr := emu(t, "", "internal-panic-test")
	for _, want := range []string{
		"emu: internal error: runtime error: index out of range [0] with length 0\n",
		"newPanicTestCmd", // the stack
		"this is a bug in emu, not a fault of the input",
		"\n  emu internal-panic-test\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != exitInternal || exitInternal == 2 || exitInternal == 1 || stdout != "" || goCrash.MatchString(stderr) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	// The command line is quoted as a shell would need it.
	var b strings.Builder
	internalError(&b, []string{"run", "--set", "l2.size=1 MiB", "it's.trace"}, "x", nil)
	if !strings.Contains(b.String(), `emu run --set 'l2.size=1 MiB' 'it'\''s.trace'`) {
		t.Errorf("quoted:\n%s", b.String())
	}
}
