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

	code, _, stderr = emu(t, "", "run", "--stdout", good, good)
	if code != 2 || !strings.Contains(stderr, "would overwrite") {
		t.Errorf("--stdout over the scenario: exit %d, stderr %q", code, stderr)
	}
}
