package machine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// threadRecs is n instructions of one thread of process pid: a fetch and
// a load each, the loads walking pages from base, one page per 8
// instructions.
func threadRecs(pid uint16, thread uint8, n int, base uint64) []traces.Record {
	var out []traces.Record
	for i := range n {
		ip := 0x400000 + uint64(i%64)*4
		out = append(out, traces.Record{Addr: ip, Size: 4, Op: traces.Fetch, PID: pid, Thread: thread},
			traces.Record{Addr: base + uint64(i/8)<<12 + uint64(i%8)*8, Size: 8, Op: traces.Load, PID: pid, Thread: thread})
	}
	return out
}

// interleaved is the threads' records taken in turns of chunk records.
func interleaved(chunk int, threads ...[]traces.Record) []traces.Record {
	var out []traces.Record
	for off := 0; ; off += chunk {
		more := false
		for _, t := range threads {
			if off < len(t) {
				out = append(out, t[off:min(off+chunk, len(t))]...)
				more = true
			}
		}
		if !more {
			return out
		}
	}
}

// writeNative writes recs as a native trace in dir and returns its path.
func writeNative(t testing.TB, dir, name string, carries traces.Carries, recs []traces.Record) string {
	t.Helper()
	var b bytes.Buffer
	if err := traces.WriteNative(&b, traces.WriteOptions{Carries: carries}, recs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeCloudSuite writes n ChampSim CloudSuite records of process asid
// in dir, a load each, walking pages from base as threadRecs does, and
// returns the file's path.
func writeCloudSuite(t *testing.T, dir, name string, asid uint8, n int, base uint64) string {
	t.Helper()
	b := make([]byte, n*traces.CloudSuiteRecordSize)
	for i := range n {
		rec := b[i*traces.CloudSuiteRecordSize:]
		binary.LittleEndian.PutUint64(rec, 0x400000+uint64(i%64)*4)
		binary.LittleEndian.PutUint64(rec[56:], base+uint64(i/8)<<12+uint64(i%8)*8) // source_memory[0]
		rec[88], rec[89] = asid, asid
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runFiles runs trace files on a default machine of the given cores, as
// emu run does (each can be read again).
func runFiles(t *testing.T, cores int, quantum uint64, paths ...string) (*report.Report, error) {
	t.Helper()
	m := build(t, "default", fmt.Sprintf("cores=%d", cores))
	open := func(i int) (traces.Reader, error) { return traces.Open(paths[i]) }
	return m.RunMany(openEach(t, len(paths), open), RunOptions{Reopen: open, Names: paths, Quantum: quantum})
}

// openEach is traces 0 to n-1 as open opens them, closed when the test
// ends.
func openEach(t testing.TB, n int, open func(int) (traces.Reader, error)) []traces.Reader {
	t.Helper()
	var rs []traces.Reader
	for i := range n {
		r, err := open(i)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		rs = append(rs, r)
	}
	return rs
}

func minorFaults(r *report.Report) uint64 { return r.Stats["os.minor_faults"] }

// Traces that carry one process id run as threads of one process: the
// pages one touched first are not faulted again by the other. Traces of
// two ids, and traces that carry none (each its own process, as ever),
// fault each page once per process.
func TestThreadsShareAddressSpace(t *testing.T) {
	dir := t.TempDir()
	recs := func(pid uint16) []traces.Record { return threadRecs(pid, 0, 2000, 0x10000000) }
	alone, err := runFiles(t, 2, 0, writeNative(t, dir, "alone.vmt", traces.CarriesPIDs, recs(7)))
	if err != nil {
		t.Fatal(err)
	}
	once := minorFaults(alone)
	if once == 0 {
		t.Fatal("a trace alone faulted no page")
	}
	cloud := func(asid uint8) string {
		return writeCloudSuite(t, dir, fmt.Sprintf("cloud%d", asid), asid, 2000, 0x10000000)
	}
	cloudOnce, err := runFiles(t, 2, 0, cloud(5))
	if err != nil {
		t.Fatal(err)
	}
	native := func(name string, carries traces.Carries, pid uint16) string {
		return writeNative(t, dir, name+".vmt", carries, recs(pid))
	}
	tests := []struct {
		name  string
		paths []string
		want  uint64
	}{
		{"one process", []string{native("a7", traces.CarriesPIDs, 7), native("b7", traces.CarriesPIDs, 7)}, once},
		{"two processes", []string{native("c7", traces.CarriesPIDs, 7), native("d8", traces.CarriesPIDs, 8)}, 2 * once},
		{"no process ids", []string{native("e", 0, 0), native("f", 0, 0)}, 2 * once},
		{"CloudSuite, one ASID", []string{cloud(5), cloud(5), cloud(5)}, minorFaults(cloudOnce)},
		{"CloudSuite, two ASIDs", []string{cloud(5), cloud(6), cloud(5)}, 2 * minorFaults(cloudOnce)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := runFiles(t, 4, 0, tt.paths...)
			if err != nil {
				t.Fatal(err)
			}
			if got := minorFaults(rep); got != tt.want {
				t.Errorf("minor faults %d, want %d (a trace alone: %d)", got, tt.want, once)
			}
		})
	}
}

// coreCounts is what the report says each core ran and retired.
type coreCount struct {
	Trace        string
	Instructions uint64
}

func coreCounts(r *report.Report) []coreCount {
	var out []coreCount
	for _, c := range r.Cores {
		out = append(out, coreCount{c.Trace, c.Instructions})
	}
	return out
}

// A trace of several threads runs a thread a core, in the order they
// first appear; with more threads than cores, threads take turns.
func TestThreadsSplitOntoCores(t *testing.T) {
	dir := t.TempDir()
	two := writeNative(t, dir, "two.vmt", traces.CarriesPIDs|traces.CarriesThreads,
		interleaved(50, threadRecs(3, 1, 200, 0x20000000), threadRecs(3, 0, 300, 0x10000000)))
	three := writeNative(t, dir, "three.vmt", traces.CarriesThreads,
		interleaved(30, threadRecs(0, 0, 300, 0x10000000), threadRecs(0, 1, 200, 0x20000000), threadRecs(0, 2, 100, 0x30000000)))
	tests := []struct {
		name  string
		cores int
		path  string
		want  []coreCount
	}{
		{"two threads, two cores", 2, two, []coreCount{{two + " (process 3 thread 1)", 200}, {two + " (process 3 thread 0)", 300}}},
		{"two threads, four cores", 4, two, []coreCount{{two + " (process 3 thread 1)", 200}, {two + " (process 3 thread 0)", 300}}},
		{"three threads, two cores", 2, three, []coreCount{{three + " (thread 0) + " + three + " (thread 2)", 400}, {three + " (thread 1)", 200}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := runFiles(t, tt.cores, 64, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, coreCounts(rep)); diff != "" {
				t.Errorf("cores (-want +got):\n%s", diff)
			}
		})
	}
}

// Threads of one process taking turns on a core switch without leaving
// its address space: as on cores of their own, no page is faulted twice.
func TestThreadsTakingTurnsShare(t *testing.T) {
	dir := t.TempDir()
	// Three threads walk the same pages.
	path := writeNative(t, dir, "same.vmt", traces.CarriesThreads, interleaved(40,
		threadRecs(0, 0, 800, 0x10000000), threadRecs(0, 1, 800, 0x10000000), threadRecs(0, 2, 800, 0x10000000)))
	alone, err := runFiles(t, 2, 0, writeNative(t, dir, "one.vmt", 0, threadRecs(0, 0, 800, 0x10000000)))
	if err != nil {
		t.Fatal(err)
	}
	for _, cores := range []int{2, 3} { // 2: threads 0 and 2 take turns on core 0
		rep, err := runFiles(t, cores, 16, path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := minorFaults(rep), minorFaults(alone); got != want {
			t.Errorf("%d cores: minor faults %d, want %d (one thread alone)", cores, got, want)
		}
	}
}

// Two runs of one split trace give the same report, bit for bit.
func TestThreadsDeterministic(t *testing.T) {
	dir := t.TempDir()
	path := writeNative(t, dir, "threads.vmt", traces.CarriesThreads,
		interleaved(7, threadRecs(0, 0, 500, 0x10000000), threadRecs(0, 1, 400, 0x10000000), threadRecs(0, 2, 300, 0x20000000)))
	var reps []*report.Report
	for range 2 {
		rep, err := runFiles(t, 2, 50, path)
		if err != nil {
			t.Fatal(err)
		}
		reps = append(reps, rep)
	}
	if diff := cmp.Diff(reps[0], reps[1]); diff != "" {
		t.Errorf("second run (-first +second):\n%s", diff)
	}
}

// What cannot be split is refused, naming the trace.
func TestThreadsRefused(t *testing.T) {
	dir := t.TempDir()
	var many [][]traces.Record
	for th := range maxThreads + 1 {
		many = append(many, threadRecs(0, uint8(th), 2, 0x10000000))
	}
	tooMany := writeNative(t, dir, "many.vmt", traces.CarriesThreads, interleaved(2, many...))
	two := writeNative(t, dir, "two.vmt", traces.CarriesThreads, interleaved(2, many[:2]...))
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"more threads than a machine runs", func() error { _, err := runFiles(t, 2, 0, tooMany); return err },
			tooMany + ": more than 64 threads (process 0 thread 64 is the 65th to appear)"},
		{"a trace that cannot be read again", func() error {
			r, err := traces.Open(two)
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = build(t, "default", "cores=2").RunMany([]traces.Reader{r}, RunOptions{Names: []string{"-"}})
			return err
		}, "-: its records carry threads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || errors.Is(err, ErrInternal) {
				t.Errorf("error %v, want one starting %q", err, tt.want)
			}
		})
	}
}
