package traces

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseScenario(t *testing.T) {
	text := `# comment
set os.memory=1MiB
file data text="hi\n"
buf = p1 mmap 0 8192 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0   # a comment
p1 store buf+0x10 8 0x1111
c = p1 fork
c load buf+0x10 8 == 0x1111
fd = p1 open data O_RDONLY
p1 exit 0
`
	s, err := ParseScenario("t.emu", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range s.Ops {
		line := op.Op
		if op.Bind != "" {
			line = op.Bind + "=" + line
		}
		if op.Proc != "" {
			line = op.Proc + ":" + line
		}
		for _, a := range op.Args {
			line += " " + a.Text
		}
		if op.Expect != nil {
			line += " ==" + op.Expect.Text
		}
		got = append(got, line)
	}
	want := []string{"set os.memory=1MiB", "file", "p1:buf=mmap 0 8192 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0",
		"p1:store buf+0x10 8 0x1111", "p1:c=fork", "c:load buf+0x10 8 ==0x1111", "p1:fd=open data O_RDONLY", "p1:exit 0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"os.memory=1MiB"}, s.Settings()); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if s.Ops[1].File.Text != "hi\n" {
		t.Errorf("file text %q", s.Ops[1].File.Text)
	}
}

func TestScenarioErrors(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"p1 lod 0x10 8\n", "t.emu:1: column 4: operation: unknown operation \"lod\""},
		{"p1 load buf 8\n", "t.emu:1: column 9: name: name \"buf\" is not defined"},
		{"\n\nc store 0x10 8 1\n", "t.emu:3: column 1: name: process \"c\" is not defined"},
		{"p1 store 0x10 8\n", "t.emu:1: column 16: arguments: store takes 3 arguments, not 2"},
		{"p1 load 0x10 8 == 1 2\n", "t.emu:1: column 16: expectation: == takes one value, at the end of the line"},
		{"file f color=red\n", "t.emu:1: column 8: file: unknown key \"color\""},
		{"file f words=many\n", "t.emu:1: column 8: words: \"many\" is not a number"},
		{"9x = p1 fork\n", "t.emu:1: column 1: name: \"9x\" is not a name"},
		{"set nothing\n", "t.emu:1: column 1: set: a set line is: set key=value"},
		{"p1 load 0x10+ 8\n", "t.emu:1: column 14: value: expected a number or a name at the end"},
		{"p1 load (0x10 8\n", "t.emu:1: column 9: value: this parenthesis is not closed"},
		{"p1 load 0x10 8 == 1+z\n", "t.emu:1: column 21: name: name \"z\" is not defined"},
		{"for i in 0..3: p1 load 0x10*j 8\n", "t.emu:1: column 29: name: name \"j\" is not defined"},
		{"for i in 0..3 p1 load 0 8\n", "t.emu:1: column 10: loop: expected \":\" after the range 0..3"},
		{"for i of 0..3: p1 load 0 8\n", "t.emu:1: column 1: loop: a loop is: for NAME in FROM..TO: OPERATION"},
		{"for i in 0-3: p1 load 0 8\n", "t.emu:1: column 10: loop: \"0-3\" is not a range FROM..TO"},
		{"for 1i in 0..3: p1 load 0 8\n", "t.emu:1: column 5: loop: \"1i\" is not a name"},
		{"for i in 3..1: p1 load 0 8\n", "t.emu:1: column 10: loop: the range 3..1 is empty"},
		{"for i in 0..1048576: p1 load 0 8\n", "t.emu:1: column 10: loop: the line would run more than 1048576 times"},
		{"for i in 0..1023: for j in 0..1024: p1 load 0 8\n", "t.emu:1: column 28: loop: the line would run more than 1048576 times"},
		{"for i in 0..n: p1 load 0 8\n", "t.emu:1: column 13: name: name \"n\" is not defined"},
		{"for i in 0..3: for i in 0..3: p1 load 0 8\n", "t.emu:1: column 20: name: the loop variable \"i\" is a name defined already"},
		{"for i in 0..3: i = p1 load 0 8\n", "t.emu:1: column 1: name: \"i\" is the line's loop variable"},
		{"for i in 0..3: set os.memory=1MiB\n", "t.emu:1: column 16: loop: a loop runs a process's operation, not a set line"},
		{"for i in 0..3:\n", "t.emu:1: column 15: operation: expected a process and an operation"},
		{"p1 load 0x10 8\n# " + strings.Repeat("x", 1<<20) + "\n", "t.emu:2: line: longer than 1 MiB"},
		// issue 16: one source a file, and quoted input cut to 64 bytes
		{"file f bytes=10 words=8\n", "t.emu:1: column 17: words: a file has one source (text=, bytes=, words= or host=), and this one has two"},
		{"file f text=\"a\" host=x\n", "t.emu:1: column 17: host: a file has one source"},
		{"p1 load " + strings.Repeat("x", 70000) + " 8\n", "t.emu:1: column 9: name: name \"" + strings.Repeat("x", 64) + "\"... (70000 bytes) is not defined"},
		{"file f bytes=" + strings.Repeat("9z", 35000) + "\n", "t.emu:1: column 8: bytes: \"" + strings.Repeat("9z", 32) + "\"... (70000 bytes) is not a number"},
		// issue 13: threads and placement on cores
		{"p1 thread\n", "t.emu:1: column 1: name: a thread needs a name to run lines (t = p1 thread)"},
		{"t = p1 thread cpu=1\n", "t.emu:1: column 15: core: \"cpu=1\": expected core=N, N a core from 0 to 63"},
		{"c = p1 fork core=64\n", "t.emu:1: column 13: core: \"core=64\": expected core=N"},
		{"t = p1 thread core=1 core=2\n", "t.emu:1: column 22: arguments: thread takes 0 to 1 arguments, not 2"},
		{"t = p1 thread\nu load 0 8\n", "t.emu:2: column 1: name: process \"u\" is not defined (p1, or a name bound by fork or thread)"},
		{strings.Repeat("p", 70000) + " fork\n", "t.emu:1: column 1: name: process \"" + strings.Repeat("p", 64) + "\"... (70000 bytes) is not defined"},
	}
	for _, tc := range tests {
		_, err := ParseScenario("t.emu", strings.NewReader(tc.text))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to start with %q", tc.text, err, tc.want)
		}
	}
}

// A loop's range and body stay as written: the loop variable is bound when
// the line runs; ranges of numbers are read at parse time.
func TestParseScenarioLoops(t *testing.T) {
	text := "base = p1 mmap 0 1048576 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0\n" +
		"for i in 0..255: p1 store base+i*4096 8 i\n" +
		"for i in 0..3 : for j in i..i*2: x = p1 load base+(i*4+j)*8 8 == i*j\n"
	s, err := ParseScenario("t.emu", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	type loop struct {
		Var, From, To string
		Const         bool
	}
	var got [][]loop
	for _, op := range s.Ops {
		var ls []loop
		for _, l := range op.Loops {
			ls = append(ls, loop{l.Var, l.From.Text, l.To.Text, l.From.IsNum && l.To.IsNum})
		}
		got = append(got, ls)
	}
	want := [][]loop{nil, {{"i", "0", "255", true}}, {{"i", "0", "3", true}, {"j", "i", "i*2", false}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("loops (-want +got):\n%s", diff)
	}
	if op := s.Ops[2]; op.Bind != "x" || op.Op != "load" || op.Expect == nil || op.Expect.Expr == nil || op.Args[0].Expr == nil {
		t.Errorf("the loop's line: %+v", op)
	}
}

// FuzzScenario: no input makes the parser panic or hang.
func FuzzScenario(f *testing.F) {
	for _, s := range []string{
		"buf = p1 mmap 0 8192 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 store buf+0x10 8 0x1111\n",
		"c = p1 fork\nc load 0x10 8 == SIGSEGV\n", "file f text=\"a\\n\"\nset os.memory=1MiB\n", "p1 execve prog text=4096\n",
		"for i in 0..3: for j in i..i*2: p1 store 0x1000+(i*4+j)*8 8 -i*j\n",
		// issue 16: sources, sizes and tokens of files
		"file big bytes=17179869184\n", "file big words=1099511627776 seed=1\n", "file x host=/dev/zero\n",
		"file f bytes=10 words=8\n", "file f text=\"a\" host=x\n", "p1 load " + strings.Repeat("x", 70000) + " 8\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ParseScenario("f.emu", strings.NewReader(text))
	})
}

// TestScenarioLiteralAccesses checks the operands read at parse time for
// loads, stores, modifies and fetches whose operands are all numbers, and
// that any name among them leaves the line to be evaluated when it runs.
func TestScenarioLiteralAccesses(t *testing.T) {
	type lit struct {
		Literal           bool
		Addr, Size, Value uint64
	}
	text := "buf = p1 mmap 0 4096 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0\n" +
		"p1 load 0x1000 8\n" +
		"p1 store 0x2000 4 -1\n" +
		"p1 modify 4096 2 7\n" +
		"p1 fetch 0x400000 4\n" +
		"p1 load buf 8\n" +
		"p1 store 0x10 8 buf\n" +
		"p1 load buf+8 8\n"
	s, err := ParseScenario("t.emu", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	var got []lit
	for _, op := range s.Ops {
		got = append(got, lit{op.Literal, op.Addr, op.Size, op.Value})
	}
	want := []lit{
		{}, // mmap: not an access
		{true, 0x1000, 8, 0},
		{true, 0x2000, 4, ^uint64(0)},
		{true, 4096, 2, 7},
		{true, 0x400000, 4, 0},
		{}, {}, {}, // a name among the operands
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("literal accesses (-want +got):\n%s", diff)
	}
}

// fork and thread place their child on a core (core=N), or leave it on
// its parent's (-1).
func TestParseScenarioPlacement(t *testing.T) {
	s, err := ParseScenario("t.emu", strings.NewReader("t = p1 thread core=3\nc = t fork\nd = p1 fork core=0x2\nu = c thread\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range s.Ops {
		got = append(got, fmt.Sprintf("%s=%s %s %d", op.Bind, op.Proc, op.Op, op.Core))
	}
	want := []string{"t=p1 thread 3", "c=t fork -1", "d=p1 fork 2", "u=c thread -1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("placements (-want +got):\n%s", diff)
	}
}
