package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/traces"
)

// twoThreads writes a native trace of two threads, 300 and 200
// instructions, in turns of 10, and returns its path and bytes.
func twoThreads(t *testing.T) (string, []byte) {
	t.Helper()
	var recs []traces.Record
	for i := range uint64(300) {
		for th := range uint8(2) {
			if th == 1 && i >= 200 {
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
