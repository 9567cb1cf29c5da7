package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary be emu itself, for the tests that need a
// process of its own (signals end it): with VMEMU_TEST_AS_EMU set it runs
// main on its arguments.
func TestMain(m *testing.M) {
	if os.Getenv("VMEMU_TEST_AS_EMU") != "" {
		main()
	}
	os.Exit(m.Run())
}

// startEmu starts emu (this test binary) in dir.
func startEmu(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "VMEMU_TEST_AS_EMU=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// waitForTemp waits until dir holds a hidden temporary output.
func waitForTemp(t *testing.T, dir string, cmd *exec.Cmd) {
	t.Helper()
	for range 2000 {
		if m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*")); len(m) > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatal("no temporary file appeared")
}

// A SIGINT or SIGTERM during a command that writes through a temporary
// file removes it, and emu ends with 128 + the signal's number.
func TestSignalRemovesTemporaries(t *testing.T) {
	big := []string{"trace", "gen", "stream", "--count", "200000000", "--alu", "2"}
	tests := []struct {
		name string
		sig  syscall.Signal
		code int
		args []string
	}{
		{"gen, SIGTERM", syscall.SIGTERM, exitSIGTERM, append(big, "-o", "out.vmt")},
		{"gen, SIGINT", syscall.SIGINT, exitSIGINT, append(big, "-o", "out.trace")},
		{"convert, SIGTERM", syscall.SIGTERM, exitSIGTERM, []string{"trace", "convert", "in.vmt", "out.trace"}},
	}
	in := t.TempDir()
	if code, _, stderr := emu(t, in, "trace", "gen", "stream", "--count", "2000000", "-o", "in.vmt"); code != 0 {
		t.Fatal(stderr)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Symlink(filepath.Join(in, "in.vmt"), filepath.Join(dir, "in.vmt"))
			cmd := startEmu(t, dir, tc.args...)
			waitForTemp(t, dir, cmd)
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Errorf("ended with %v, want exit status %d", err, tc.code)
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if e.Name() != "in.vmt" {
					t.Errorf("left behind %s", e.Name())
				}
			}
		})
	}
}
