package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// annotateProgram walks a matrix twice: row by row, which hits in the
// first level 15 times out of 16, then column by column, each access to a
// line the walk left long ago (256 rows 1 KiB apart, four sets of a 48 KiB
// 12-way level): it misses every time.
const annotateProgram = `#include <stdio.h>
#define N 256
static int m[N][N];
int main(void) {
	long s = 0;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			m[i][j] = i + j;
	for (int j = 0; j < N; j++)
		for (int i = 0; i < N; i++)
			s += m[i][j]; /* column by column */
	printf("%ld\n", s);
	return 0;
}
`

// buildAnnotateProgram compiles annotateProgram with gcc -g as gcc builds
// by default (position-independent, dynamic), and records it with emu
// record.
func buildAnnotateProgram(t *testing.T) (dir, prog, trace string, hostile int) {
	t.Helper()
	for _, tool := range []string{"gcc", "valgrind"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", tool)
		}
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "walk.c"), []byte(annotateProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	gcc := exec.Command("gcc", "-g", "-O1", "-o", "walk", "walk.c")
	gcc.Dir = dir
	if out, err := gcc.CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v: %s", err, out)
	}
	if code, _, stderr := emu(t, dir, "record", "-o", "walk.vmt", "--", "./walk"); code != 0 {
		t.Fatalf("emu record: exit %d: %s", code, stderr)
	}
	for i, line := range strings.Split(annotateProgram, "\n") {
		if strings.Contains(line, "column by column") {
			hostile = i + 1
		}
	}
	return dir, "walk", "walk.vmt", hostile
}

// emu annotate puts the misses of the column walk on its line, and its
// counts add up to the report of emu run on the same trace, for the
// out-of-order core with translation and DRAM and for cachegrind's
// in-order machine.
func TestAnnotateProgram(t *testing.T) {
	dir, prog, trace, hostile := buildAnnotateProgram(t)
	for preset, l1d := range map[string]string{"default": "l1d.misses", "cachegrind": "d1.misses"} {
		t.Run(preset, func(t *testing.T) {
			code, out, stderr := emu(t, dir, "annotate", "--binary", prog, "-c", preset, "--json", trace)
			if code != 0 {
				t.Fatalf("emu annotate: exit %d: %s", code, stderr)
			}
			var doc struct {
				Binary struct {
					PIE      bool   `json:"pie"`
					Base     uint64 `json:"base"`
					BaseFrom string `json:"base_from"`
				} `json:"binary"`
				Totals map[string]uint64 `json:"totals"`
				Lines  []map[string]any  `json:"lines"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if !doc.Binary.PIE || doc.Binary.Base != 0x108000 || doc.Binary.BaseFrom != "trace" {
				t.Errorf("binary %+v: want a PIE found at valgrind's 0x108000", doc.Binary)
			}
			var onLine, most float64
			for _, l := range doc.Lines {
				n := l[l1d].(float64)
				most = max(most, n)
				if l["line"].(float64) == float64(hostile) && strings.HasSuffix(l["file"].(string), "walk.c") {
					onLine = n
					if l["function"] != "main" {
						t.Errorf("line %d is in %v, not main", hostile, l["function"])
					}
				}
			}
			if onLine == 0 || onLine != most || onLine < 0.8*float64(doc.Totals[l1d]) {
				t.Errorf("line %d has %.0f %s, the most of a line is %.0f, all lines %d: want the most, and most of all",
					hostile, onLine, l1d, most, doc.Totals[l1d])
			}
			checkAgainstRun(t, dir, preset, trace, doc.Totals)
		})
	}
}

// checkAgainstRun compares annotate's totals with emu run's report of
// the trace on the same machine, figure by figure.
func checkAgainstRun(t *testing.T, dir, preset, trace string, totals map[string]uint64) {
	t.Helper()
	code, js, stderr := emu(t, dir, "run", "-c", preset, "--json", "-", trace)
	if code != 0 {
		t.Fatalf("emu run: %s", stderr)
	}
	var rep struct {
		Instructions, Cycles uint64
		Levels               []struct {
			Name   string
			Misses uint64
		}
		Memory    struct{ Reads uint64 }
		Breakdown []struct {
			Level  string
			Cycles uint64
		} `json:"cpi_stack"`
		Translation *struct {
			Walks   uint64
			SIGSEGV uint64 `json:"sigsegv"`
			Faults  map[string]uint64
			TLBs    []struct {
				Name   string
				Misses uint64
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{"instructions": rep.Instructions, "cycles": rep.Cycles, "memory.reads": rep.Memory.Reads}
	for _, l := range rep.Levels {
		want[l.Name+".misses"] = l.Misses
	}
	for _, e := range rep.Breakdown {
		want["cpi_stack."+e.Level] = e.Cycles
	}
	if tr := rep.Translation; tr != nil {
		want["walks"], want["sigsegv"] = tr.Walks, tr.SIGSEGV
		for name, n := range tr.Faults {
			want["faults."+name] = n
		}
		for _, tl := range tr.TLBs {
			want[tl.Name+".misses"] = tl.Misses
		}
	}
	for name, w := range want {
		if got, ok := totals[name]; !ok || got != w {
			t.Errorf("%s: annotate's total %d (%v), emu run's %d", name, got, ok, w)
		}
	}
}

// Mistakes in what annotate is given are errors that say what is wrong,
// with exit status 2.
func TestAnnotateErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notelf"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	matmul := refdata(t, "lackey/matmul.lackey.gz")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{matmul}, `required flag(s) "binary" not set`},
		{[]string{"--binary", "notelf", matmul}, "--binary notelf: not an ELF program"},
		{[]string{"--binary", "nothere", matmul}, "--binary nothere: open nothere: no such file"},
	} {
		code, _, stderr := emu(t, dir, append([]string{"annotate"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	dir, prog, trace, _ := buildAnnotateProgram(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sort", "l9.misses"}, "--sort l9.misses: no such event (instructions, cycles, l1i.misses,"},
		{[]string{"--show", "instructions,walkz"}, "--show walkz: no such event"},
		{[]string{"--base", "0x200000"}, "no instruction of the trace is in walk's functions with the program at 0x200000"},
		{[]string{"--base", "0x10z"}, "--base 0x10z: not an address"},
	} {
		args := append(append([]string{"annotate", "--binary", prog}, tc.args...), trace)
		code, _, stderr := emu(t, dir, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
