package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScenarioCommand(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.emu", "file f text=\"hello\"\nfd = p1 open f\nm = p1 mmap 0 5 PROT_READ MAP_PRIVATE fd 0\np1 write 1 m 5 == 5\np1 load m 1 == 0x68\n")
	mismatch := writeFile(t, dir, "bad.emu", "b = p1 mmap 0 4096 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 load b 8 == 7\n")
	broken := writeFile(t, dir, "broken.emu", "b = p1 mmap 0 4096 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 load c 8\n")
	out := filepath.Join(dir, "stdout.txt")

	code, stdout, stderr := emu(t, "", "run", "--stdout", out, good)
	if code != 0 || !strings.Contains(stdout, "every stated value matched") {
		t.Fatalf("good scenario: exit %d, stderr %q", code, stderr)
	}
	if data, _ := os.ReadFile(out); string(data) != "hello" {
		t.Errorf("--stdout wrote %q, want hello", data)
	}

	code, stdout, stderr = emu(t, "", "run", mismatch)
	if code != 1 || !strings.Contains(stdout, "line 2: MISMATCH: want 0x7, got 0x0") || !strings.Contains(stderr, "1 stated values did not match") {
		t.Errorf("mismatch: exit %d, stdout %q, stderr %q; want exit 1 and the mismatch reported", code, stdout, stderr)
	}

	code, _, stderr = emu(t, "", "run", broken)
	if code != 2 || !strings.Contains(stderr, "broken.emu:2: column 9: name: name \"c\" is not defined") {
		t.Errorf("broken: exit %d, stderr %q; want exit 2 naming file, line and column", code, stderr)
	}

	// --alone is refused before the scenario runs (it ran whole first,
	// then was refused for "core 0 runs , not a trace whole").
	notRun := filepath.Join(dir, "not-run.txt")
	code, _, stderr = emu(t, "", "run", "--set", "cores=2", "--alone", "--stdout", notRun, good)
	if _, err := os.Stat(notRun); code != 2 || !strings.Contains(stderr, "a scenario's processes and threads are not traces") || err == nil {
		t.Errorf("--alone on a scenario: exit %d, stderr %q, output written %v; want exit 2 before the run", code, stderr, err == nil)
	}

	code, _, stderr = emu(t, "", "run", "--stdout", good, good)
	if code != 2 || !strings.Contains(stderr, "would overwrite") {
		t.Errorf("--stdout over the scenario: exit %d, stderr %q", code, stderr)
	}
}

// --stdout - puts what the processes wrote on standard output, alone (the
// report goes to standard error), as --json - does with the JSON.
func TestScenarioStdoutDash(t *testing.T) {
	dir := t.TempDir()
	s := writeFile(t, dir, "hello.emu", "file f text=\"hello\"\nfd = p1 open f\nm = p1 mmap 0 5 PROT_READ MAP_PRIVATE fd 0\np1 write 1 m 5 == 5\n")
	code, stdout, stderr := emu(t, "", "run", "--stdout", "-", s)
	if code != 0 || stdout != "hello" || !strings.Contains(stderr, "vmemu run: ") {
		t.Errorf("exit %d, stdout %q, stderr %.60q", code, stdout, stderr)
	}
	if code, _, stderr := emu(t, "", "run", "--stdout", "-", "--json", "-", s); code != 2 || !strings.Contains(stderr, "only one of them") {
		t.Errorf("--stdout - --json -: exit %d, %q", code, stderr)
	}
	if code, _, stderr := emu(t, "", "run", "--stdout", "-", refdata(t, "cachelab/traces/yi.trace")); code != 2 || !strings.Contains(stderr, "only scenarios") {
		t.Errorf("--stdout on a trace: exit %d, %q", code, stderr)
	}
}

// A configuration error in a scenario's set line names the scenario's file
// and line, and so does a warning about a key without effect.
func TestScenarioSetLineErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.emu", "# a comment\nset l1d.sise=64KiB\np1 load 0x1000 8\n")
	code, _, stderr := emu(t, "", "run", bad)
	if want := "emu: " + bad + ":2: set: l1d.sise: unknown key; did you mean l1d.size?\n"; code != 2 || stderr != want {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
	inert := writeFile(t, dir, "inert.emu", "set memory.latency=300\nb = p1 mmap 0 4096 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 load b 8 == 0\n")
	code, _, stderr = emu(t, "", "run", inert)
	if code != 0 || !strings.HasPrefix(stderr, "emu: warning: "+inert+":1: set: memory.latency has no effect") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
