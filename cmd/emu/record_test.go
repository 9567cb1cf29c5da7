package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/traces"
)

// recordProgram is the program emu record is tried on: a loop over an
// array, its output on standard output and standard error, and with an
// argument "forever", a marker file and then a loop without end.
const recordProgram = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
	if (argc > 2 && strcmp(argv[1], "forever") == 0) {
		fclose(fopen(argv[2], "w"));
		for (volatile long i = 0;; i++) {}
	}
	int n = argc > 1 ? atoi(argv[1]) : 100;
	long *a = malloc(n * sizeof *a), s = 0;
	for (int i = 0; i < n; i++) a[i] = i;
	for (int i = 0; i < n; i++) s += a[(i * 7) % n];
	printf("sum %ld\n", s);
	fprintf(stderr, "done\n");
	return 0;
}
`

// buildRecordProgram compiles recordProgram in dir, statically: a static
// program's lackey trace is the same in every run (the dynamic loader's
// startup reads tables at addresses that move from run to run).
func buildRecordProgram(t *testing.T, dir string) string {
	t.Helper()
	for _, tool := range []string{"gcc", "valgrind"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", tool)
		}
	}
	src := filepath.Join(dir, "prog.c")
	if err := os.WriteFile(src, []byte(recordProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("gcc", "-O1", "-static", "-o", filepath.Join(dir, "prog"), src).CombinedOutput()
	if err != nil {
		t.Skipf("gcc -static: %v: %s (no static C library?)", err, out)
	}
	return "./prog"
}

// emu record's trace gives emu run the same counts as the lackey trace of
// the same program made by valgrind itself; the program's output stays
// the program's.
func TestRecordMatchesLackey(t *testing.T) {
	dir := t.TempDir()
	prog := buildRecordProgram(t, dir)
	code, stdout, stderr := emu(t, dir, "record", "-o", "rec.vmt", "--", prog, "2000")
	if code != 0 || stdout != "sum 1999000\n" || !strings.HasPrefix(stderr, "done\nemu: rec.vmt: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	direct := exec.Command("valgrind", "--tool=lackey", "--trace-mem=yes", "--log-file=direct.lackey", prog, "2000")
	direct.Dir = dir
	var out, errb bytes.Buffer
	direct.Stdout, direct.Stderr = &out, &errb
	if err := direct.Run(); err != nil {
		t.Fatalf("valgrind: %v: %s", err, errb.String())
	}
	reports := map[string]map[string]any{}
	for _, trace := range []string{"rec.vmt", "direct.lackey"} {
		code, js, stderr := emu(t, dir, "run", "--json", "-", trace)
		if code != 0 {
			t.Fatalf("%s: %s", trace, stderr)
		}
		var rep map[string]any
		if err := json.Unmarshal([]byte(js), &rep); err != nil {
			t.Fatal(err)
		}
		delete(rep, "trace") // the path and the format
		reports[trace] = rep
	}
	if reports["rec.vmt"]["instructions"].(float64) < 10000 {
		t.Errorf("only %v instructions recorded", reports["rec.vmt"]["instructions"])
	}
	if diff := cmp.Diff(reports["direct.lackey"], reports["rec.vmt"]); diff != "" {
		t.Errorf("(-valgrind's own trace +emu record's):\n%s", diff)
	}
}

// Ctrl-C or SIGTERM stops the program, and the output holds the records
// up to then: a valid trace, with no temporary file left.
func TestRecordInterrupted(t *testing.T) {
	dir := t.TempDir()
	prog := buildRecordProgram(t, dir)
	marker := filepath.Join(dir, "started")
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result)
	go func() {
		var out, errb bytes.Buffer
		code := run([]string{"record", "-o", filepath.Join(dir, "cut.vmt"), "--", filepath.Join(dir, prog), "forever", marker}, &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	deadline := time.Now().Add(time.Minute)
	for _, err := os.Stat(marker); err != nil; _, err = os.Stat(marker) {
		if time.Now().After(deadline) {
			t.Fatal("the program never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM) // emu record is listening for it
	res := <-done
	if res.code != 128+int(syscall.SIGTERM) || !strings.Contains(res.stderr, "interrupted (terminated): "+filepath.Join(dir, "cut.vmt")+" holds the") {
		t.Errorf("exit %d, stderr %q", res.code, res.stderr)
	}
	r, err := traces.Open(filepath.Join(dir, "cut.vmt"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, buf := 0, make([]traces.Record, 4096)
	for {
		k, err := r.Read(buf)
		n += k
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d records: %v", n, err)
		}
	}
	if n == 0 {
		t.Error("no records kept")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Without valgrind, emu record says so, and writes nothing.
func TestRecordWithoutValgrind(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	code, _, stderr := emu(t, dir, "record", "-o", "x.vmt", "--", "ls")
	if code != 2 || !strings.Contains(stderr, "valgrind is not installed (or not on PATH)") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// A program valgrind cannot start leaves no trace, and emu says why.
func TestRecordNoSuchProgram(t *testing.T) {
	if _, err := exec.LookPath("valgrind"); err != nil {
		t.Skip("valgrind is not installed")
	}
	dir := t.TempDir()
	code, _, stderr := emu(t, dir, "record", "-o", "x.vmt", "--", "./nosuch")
	if code != 2 || !strings.Contains(stderr, "valgrind traced nothing") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.vmt")); err == nil {
		t.Error("x.vmt written")
	}
}

// emu's exit status is the program's when it fails, and the trace is kept.
func TestRecordProgramFails(t *testing.T) {
	if _, err := exec.LookPath("valgrind"); err != nil {
		t.Skip("valgrind is not installed")
	}
	dir := t.TempDir()
	code, _, stderr := emu(t, dir, "record", "-o", "f.vmt", "--", "sh", "-c", "exit 3")
	if code != 3 || !strings.Contains(stderr, "sh failed (exit status 3); f.vmt holds its trace") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.vmt")); err != nil {
		t.Error(err)
	}
}
