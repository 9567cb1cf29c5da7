package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// trace gen into a format that drops what the generator made says so, as
// convert does: a pointer chase in lackey has no registers, so no
// dependencies.
func TestTraceGenSaysWhatItLoses(t *testing.T) {
	dir := t.TempDir()
	const note = "emu: note: lackey traces hold no registers or branches: they are dropped, and a core then sees no dependencies (the loads of a pointer chase look independent)\n"
	for _, args := range [][]string{
		{"trace", "gen", "chase", "--count", "10", "-o", "c.lackey"},
		{"trace", "gen", "chase", "--count", "10"},
	} {
		_, _, stderr := emu(t, dir, args...)
		if !strings.HasPrefix(stderr, note) {
			t.Errorf("%v: stderr %q, want the note", args, stderr)
		}
	}
	if _, _, stderr := emu(t, dir, "trace", "gen", "chase", "--count", "10", "-o", "c.vmt"); strings.Contains(stderr, "note") {
		t.Errorf("native keeps the registers, yet: %q", stderr)
	}
}

// - is standard input, for every command that reads a trace.
func TestTraceFromStandardInput(t *testing.T) {
	data, err := os.ReadFile(refdata(t, "cachelab/traces/yi.trace"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"csim", "-s", "4", "-E", "1", "-b", "4", "-t", "-"},
		{"run", "-c", "cachelab", "--set", "l1.size=256", "--set", "l1.line=16", "--json", "-", "-"},
	} {
		withStdin(t, data, func() {
			code, out, stderr := emu(t, t.TempDir(), args...)
			if code != 0 || !(strings.Contains(out, "hits:4 misses:5 evictions:3") || strings.Contains(out, `"hits": 4,`)) {
				t.Errorf("%v: exit %d, %q, %q", args, code, out, stderr)
			}
		})
	}
}

func withStdin(t *testing.T, data []byte, f func()) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.Write(data); w.Close() }()
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old; r.Close() }()
	f()
}

// The Cache Lab handout's own trace command, valgrind --log-fd=1 -v, mixes
// the program's output into the trace: emu reads it as csim-ref does.
func TestHandoutValgrindLog(t *testing.T) {
	log := "==7== Lackey, an example Valgrind tool\n--7-- Valgrind options:\n--7--    --log-fd=1\n" +
		"I  0400d7d4,8\n M 0421c7f0,4\n L 04f6b868,8\ntotal 8\n-rw-r--r-- 1 me me 0 Jan  1 00:00 a\n" +
		" S 7ff0005c8,8\n==7== \n"
	path := writeFile(t, t.TempDir(), "ls.trace", log)
	code, out, stderr := emu(t, t.TempDir(), "csim", "-s", "4", "-E", "1", "-b", "4", "-t", path)
	if code != 0 || out != "hits:1 misses:3 evictions:0\n" {
		t.Errorf("exit %d, %q, %q", code, out, stderr)
	}
}

// Every command has examples in its help.
func TestHelpHasExamples(t *testing.T) {
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && !c.Hidden && c.Name() != "help" && c.Name() != "csim" && !strings.HasPrefix(c.CommandPath(), "emu completion") && c.Example == "" {
			missing = append(missing, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	root := newRoot(nil, nil)
	root.InitDefaultCompletionCmd()
	walk(root)
	if len(missing) > 0 {
		t.Errorf("no examples in the help of %v", missing)
	}
}

// The shell completes presets, trace kinds and --set keys and values.
func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"run", "-c", "cache"}, []string{"cachegrind", "cachelab"}},
		{[]string{"trace", "gen", "ch"}, []string{"chase"}},
		{[]string{"run", "--set", "dram.timing.tRC"}, []string{"dram.timing.tRCD=", "dram.timing.tRC="}},
		{[]string{"run", "--set", "l2.replacement=s"}, []string{"l2.replacement=srrip"}},
		{[]string{"run", "-c", "cachelab", "--set", "l1.w"}, []string{"l1.ways=", "l1.write_policy=", "l1.write_allocate=", "l1.write_ports=", "l1.wq="}},
		{[]string{"config", "show", "csapp"}, []string{"csapp-small"}},
	}
	for _, tc := range tests {
		_, out, _ := emu(t, "", append([]string{cobra.ShellCompNoDescRequestCmd}, tc.args...)...)
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(line, ":") {
				got = append(got, line)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tc.args, diff)
		}
	}
}

// emu dram -c reads DRAMsim3's and Ramulator 2's files of DDR4-2400, and
// runs as the built-in part where they describe it (Ramulator 2's refresh
// timings differ: tRFC 433 and tREFI 9364).
func TestDRAMSimulatorFiles(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := 0; i < 400; i++ {
		lines = append(lines, fmt.Sprintf("0x%x READ %d", uint64(i)*0x12340, i*7))
	}
	trace := writeFile(t, dir, "r.trace", strings.Join(lines, "\n")+"\n")
	result := func(args ...string) map[string]any {
		code, out, stderr := emu(t, "", append(append([]string{"dram", "--json", "-"}, args...), trace)...)
		if code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
		var r map[string]any
		json.Unmarshal([]byte(out), &r)
		for _, k := range []string{"config", "preset", "overrides", "version", "trace"} {
			delete(r, k)
		}
		return r
	}
	for _, tc := range []struct {
		file string
		sets []string
	}{
		{"dram/DDR4_8Gb_x8_2400_2_1ch1r_RoBaRaCoCh.ini", nil},
		{"dram/ram2_ddr4_2400R_x8_1ch1r.yaml", []string{"--set", "tRFC=433", "--set", "tREFI=9364"}},
	} {
		want := result(append([]string{"-c", "ddr4-2400"}, tc.sets...)...)
		got := result("-c", refdata(t, tc.file))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-ddr4-2400 +file):\n%s", filepath.Base(tc.file), diff)
		}
	}
}
