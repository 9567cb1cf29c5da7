package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/traces"
)

// twoThreads writes a native trace of two threads, 300 and 200
// instructions, in turns of 10, and returns its path and bytes.
func twoThreads(t *testing.T) (string, []byte) {
	return threadsTrace(t, 300, 200)
}

// threadsTrace writes a native trace of threads of the given lengths in
// instructions, in turns of one, and returns its path and bytes.
func threadsTrace(t *testing.T, lengths ...uint64) (string, []byte) {
	t.Helper()
	var recs []traces.Record
	for i := range slices.Max(lengths) {
		for th, n := range lengths {
			th := uint8(th)
			if i >= n {
				continue
			}
			recs = append(recs, traces.Record{Addr: 0x400000 + 4*(i%32), Size: 4, Op: traces.Fetch, Thread: th},
				traces.Record{Addr: 0x10000000 + 64*i, Size: 8, Op: traces.Load, Thread: th})
		}
	}
	var b bytes.Buffer
	if err := traces.WriteNative(&b, traces.WriteOptions{Carries: traces.CarriesThreads}, recs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "threads.vmt")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

// A trace of two threads runs a thread a core; what cannot be split is
// refused with exit status 2, naming the trace.
func TestRunThreads(t *testing.T) {
	path, data := twoThreads(t)
	rep := runJSON(t, "--set", "cores=2", path)
	var got []any
	for _, c := range rep["cores"].([]any) {
		c := c.(map[string]any)
		got = append(got, []any{c["trace"], c["instructions"]})
	}
	want := []any{[]any{path + " (thread 0)", 300.0}, []any{path + " (thread 1)", 200.0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cores (-want +got):\n%s", diff)
	}
	tests := []struct {
		name  string
		stdin []byte
		args  []string
		want  string
	}{
		{"standard input", data, []string{"run", "--set", "cores=2", "-"}, "-: its records carry threads"},
		{"alone", nil, []string{"run", "--set", "cores=2", "--alone", path}, "--alone runs each trace alone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code int
			var stderr string
			withStdin(t, tt.stdin, func() { code, _, stderr = emu(t, "", tt.args...) })
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// A core that runs several threads in turns cannot replay them, so one
// whose threads end inside the warmup measured nothing: refused with exit
// status 2, naming the threads it ran (the message indexed the command
// line's traces by the core's number, and panicked with one trace).
func TestRunThreadsWarmupLongerThanACore(t *testing.T) {
	path, _ := threadsTrace(t, 3000, 100, 3000, 100)
	code, _, stderr := emu(t, "", "run", "--set", "cores=2", "--warmup", "1000", path)
	want := "core 1's trace (" + path + " (thread 1) + " + path + " (thread 3)) has 200 instructions"
	if code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
}
