package annotate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/report"
)

// fakeBinary is a program of two functions: f at 0x1000 (lines 10-12 of
// a.c) and g at 0x1100 (line 20 of a.c, with an inlined line 3 of b.h),
// entry at f.
func fakeBinary(pie bool) *Binary {
	return &Binary{
		Path: "prog", PIE: pie, Entry: 0x1000,
		funcs: []function{{"f", 0x1000, 0x1040}, {"g", 0x1100, 0x1180}},
		rows: []lineRow{
			{addr: 0x1000, file: "a.c", line: 10}, {addr: 0x1010, file: "a.c", line: 11},
			{addr: 0x1020, file: "a.c", line: 12}, {addr: 0x1040, end: true},
			{addr: 0x1100, file: "a.c", line: 20}, {addr: 0x1140, file: "b.h", line: 3}, {addr: 0x1180, end: true},
		},
		text: []span{{0x1000, 0x2000}},
	}
}

// runTable fills a table as a run would: instructions, two CPI-stack
// components and a level's misses, at IPs of the program at base, outside
// it, and 0.
func runTable(base uint64) *Table {
	t := NewTable()
	ins, b, mem, miss := t.Event("instructions"), t.Event("cpi_stack.base"), t.Event("cpi_stack.memory"), t.Event("l1d.misses")
	for _, c := range []struct {
		ip                   uint64
		n, base, mem, misses uint64
	}{
		{base + 0x1000, 5, 5, 0, 0},
		{base + 0x1014, 7, 7, 100, 3}, // line 11
		{base + 0x1018, 1, 1, 50, 1},  // line 11 too
		{base + 0x1104, 2, 2, 0, 0},
		{base + 0x1150, 4, 4, 10, 1}, // b.h:3, in g
		{0x7000000, 9, 9, 0, 0},      // outside the program
		{0, 0, 0, 30, 0},             // no instruction (a drain)
	} {
		t.Count(c.ip, ins, c.n)
		t.Count(c.ip, b, c.base)
		t.Count(c.ip, mem, c.mem)
		t.Count(c.ip, miss, c.misses)
	}
	return t
}

func TestAnnotate(t *testing.T) {
	a := New(runTable(0x400000), fakeBinary(true), 0x400000)
	if diff := cmp.Diff([]string{"instructions", "cycles", "cpi_stack.base", "cpi_stack.memory", "l1d.misses"}, a.Events); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{28, 218, 28, 190, 5}, a.Totals); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	// sorted by cycles (base + memory), most first
	want := []Entry{
		{"a.c", 10, "f", []uint64{13, 163, 13, 150, 4}},
		{Unknown, 0, Unknown, []uint64{9, 39, 9, 30, 0}},
		{"a.c", 20, "g", []uint64{6, 16, 6, 10, 1}},
	}
	if diff := cmp.Diff(want, a.Functions); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}
	if err := a.SortBy("l1d.misses"); err != nil {
		t.Fatal(err)
	}
	lines := []Entry{
		{"a.c", 11, "f", []uint64{8, 158, 8, 150, 4}},
		{"b.h", 3, "g", []uint64{4, 14, 4, 10, 1}},
		{Unknown, 0, Unknown, []uint64{9, 39, 9, 30, 0}},
		{"a.c", 10, "f", []uint64{5, 5, 5, 0, 0}},
		{"a.c", 20, "g", []uint64{2, 2, 2, 0, 0}},
	}
	if diff := cmp.Diff(lines, a.Lines); diff != "" {
		t.Errorf("lines by l1d.misses (-want +got):\n%s", diff)
	}
	if err := a.SortBy("l3.misses"); err == nil || !strings.Contains(err.Error(), "no such event") {
		t.Errorf("sort by an unknown event: %v", err)
	}
}

// The JSON has each entry's file, line and function, then every event by
// name, and the totals by name, in the events' order.
func TestAnnotateJSON(t *testing.T) {
	a := New(runTable(0), fakeBinary(false), 0)
	rep := &report.Report{Version: "v1", Config: "default", Overrides: []report.Override{}, Trace: report.TraceInfo{Path: "t.vmt", Format: "native"}}
	b, err := json.Marshal(a.Document(rep, BinaryInfo{Path: "prog", BaseFrom: "file"}))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"totals":{"instructions":28,"cycles":218,"cpi_stack.base":28,"cpi_stack.memory":190,"l1d.misses":5}`,
		`{"file":"a.c","line":11,"function":"f","instructions":8,"cycles":158,"cpi_stack.base":8,"cpi_stack.memory":150,"l1d.misses":4}`,
		`"functions":[{"file":"a.c","line":10,"function":"f","instructions":13,`,
		`"binary":{"path":"prog","pie":false,"base":0,"base_from":"file"},"sort":"cycles"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the JSON has no %s:\n%s", want, s)
		}
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Errorf("the JSON does not read back: %v", err)
	}
}

func TestFindBase(t *testing.T) {
	for _, tc := range []struct {
		name string
		pie  bool
		ips  []uint64
		want uint64
		err  string
	}{
		{"valgrind's PIE base", true, []uint64{0x4000000, 0x109000, 0x109014, 0x109100, 0}, 0x108000, ""},
		// An IP of another mapping at the entry's page offset scores less.
		{"the base that places most", true, []uint64{0x7000000, 0x7000014, 0x109000, 0x109010, 0x109014, 0x109104}, 0x108000, ""},
		{"no entry run", true, []uint64{0x109010, 0x109100}, 0, "no instruction of the trace is at its entry point"},
		{"not PIE", false, []uint64{0x1000, 0x1010}, 0, ""},
		{"not this program's", false, []uint64{0x7000000}, 0, "no instruction of the trace is in prog's functions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fakeBinary(tc.pie).FindBase(tc.ips)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("base %#x (%v), want %#x", got, err, tc.want)
			}
		})
	}
}

// The text has the totals, the functions by the sort event and the source
// of the hottest, "." for zero; a source file not found is said, and its
// lines still get their counts.
func TestAnnotateText(t *testing.T) {
	a := New(runTable(0), fakeBinary(false), 0)
	var b strings.Builder
	if err := a.WriteText(&b, TextOptions{Show: []string{"instructions", "cycles", "l1d.misses"}, Sources: 1}); err != nil {
		t.Fatal(err)
	}
	want := `events shown: instructions cycles l1d.misses; sorted by cycles

-- totals (those of the run's report)
instructions  cycles  l1d.misses
          28     218           5

-- functions (those with 0.1% or more of an event shown)
instructions  cycles  l1d.misses  function (file:line)
          13     163           4  f (a.c:10)
           9      39           .  ???
           6      16           1  g (a.c:20)

-- source of f (a.c): source not found (a.c, or beside prog)
instructions  cycles  l1d.misses  line
           5       5           .    10
           8     158           4    11
           .       .           .    12
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	// Code outside the program first (??? has the most instructions)
	// does not hide the program's hottest functions' sources.
	tab := runTable(0)
	tab.Count(0x7000000, tab.Event("instructions"), 100)
	a = New(tab, fakeBinary(false), 0)
	if err := a.SortBy("instructions"); err != nil || a.Functions[0].Function != Unknown {
		t.Fatalf("sorted by instructions: %v, first %+v", err, a.Functions[0])
	}
	b.Reset()
	if err := a.WriteText(&b, TextOptions{Show: []string{"instructions"}, Sources: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "-- source of f (a.c)") {
		t.Errorf("with ??? first, no source of f:\n%s", b.String())
	}
}
