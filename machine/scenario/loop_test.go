package scenario

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// runText runs a scenario written in the test on the default machine.
func runText(t *testing.T, text string) (*report.Report, error) {
	t.Helper()
	s, err := traces.ParseScenario("t.emu", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return run(build(t, "default"), s, Options{}, true)
}

// runStated is runText for a scenario whose run must succeed with every
// stated value matched.
func runStated(t *testing.T, text string) *report.Report {
	t.Helper()
	rep, err := runText(t, text)
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Scenario.Mismatches; len(m) > 0 {
		t.Errorf("mismatches: %+v", m)
	}
	return rep
}

const mapMiB = "base = p1 mmap 0 1048576 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0\n"

// A loop runs its line once for each value, the variable bound in the
// line's expressions and expectation; the stored values read back.
func TestScenarioLoops(t *testing.T) {
	rep, err := runText(t, mapMiB+
		"for i in 0..255: p1 store base+i*4096 8 i\n"+
		"for i in 0..255: p1 load base+i*4096 8 == i\n"+
		"for i in 0..15: for j in 0..i: p1 store base+i*64+j*4 4 i*j+1\n"+
		"for i in 0..15: for j in 0..i: p1 load base+i*64+j*4 4 == i*j+1\n"+
		"x = p1 load base+255*4096 8 == 255\n"+
		"p1 load base+(x-1)*4096 8 == x*2-256\n")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenario
	if len(s.Mismatches) > 0 {
		t.Errorf("mismatches: %+v", s.Mismatches)
	}
	// one line for mmap, 256 + 256 + 136 + 136 accesses, two loads
	if want := uint64(1 + 256 + 256 + 136 + 136 + 2); rep.Instructions != want {
		t.Errorf("%d instructions (lines run), want %d", rep.Instructions, want)
	}
	if got := s.Total.Get("minor"); got != 256 {
		t.Errorf("%d minor faults, want 256 (one per page stored to)", got)
	}
}

// A mismatch in a loop names the values of its variables.
func TestScenarioLoopMismatch(t *testing.T) {
	rep, err := runText(t, mapMiB+
		"for i in 0..3: p1 store base+i*8 8 i*i\n"+
		"for i in 0..3: p1 load base+i*8 8 == i*2\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []report.Mismatch{
		{Line: 3, Want: "0x2", Got: "0x1", Loop: "i=1"},
		{Line: 3, Want: "0x6", Got: "0x9", Loop: "i=3"},
	}
	if diff := cmp.Diff(want, rep.Scenario.Mismatches); diff != "" {
		t.Errorf("mismatches (-want +got):\n%s", diff)
	}
}

// Ranges evaluated when the line runs are held to the same rules as those
// read at parse time, and the error names the line, the column and the
// loop's values.
func TestScenarioLoopErrorsAtRun(t *testing.T) {
	for _, tc := range []struct {
		text, want string
	}{
		{"n = p1 load base 8\nfor i in 1..n: p1 load base 8\n", "t.emu:3: column 10: loop: the range of i, 1..0, is empty"},
		{"p1 store base 8 0x100000\nn = p1 load base 8\nfor i in 0..n: p1 load base 8\n",
			"t.emu:4: column 10: loop: the range of i, 0..1048576, has more than 1048576 values"},
		{"p1 store base 8 0x400\nn = p1 load base 8\nfor i in 0..n: for j in 0..n: p1 load base 8\n",
			"t.emu:4: column 5: loop: the line's loops would run it more than 1048576 times"},
		// A range that grows with the outer loop: found as the line runs.
		{"for i in 0..2047: for j in 0..i: p1 fetch base 1\n",
			"t.emu:2: column 5: loop: the line's loops would run it more than 1048576 times (2^20), the most they may (i=1447 j="},
		{"for i in 0..3: p1 load base+i*4096 i\n", "t.emu:2: column 36: size: 0: sizes are 1, 2, 4 or 8 bytes (i=0)"},
	} {
		_, err := runText(t, mapMiB+tc.text)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to start with %q", tc.text, err, tc.want)
		}
	}
}

// A page of a file mapping wholly past the file's end is SIGBUS, stated
// as "== SIGBUS"; the last page holding data reads zeros past the end. The
// report lists each signal by name and counts SIGBUS apart.
func TestScenarioSigbus(t *testing.T) {
	rep, err := runText(t, "file f bytes=6000 seed=1\n"+
		"fd = p1 open f O_RDWR\n"+
		"a = p1 mmap 0 16384 PROT_READ|PROT_WRITE MAP_SHARED fd 0\n"+
		"p1 load a+6000 8 == 0\n"+
		"p1 load a+8192 8 == SIGBUS\n"+
		"p1 store a+12288 1 7 == SIGBUS\n"+
		"p1 load a+8192 8 == SIGSEGV\n"+ // a mismatch: the signal is SIGBUS
		"p1 load 0x10 8 == SIGBUS\n") // and this one SIGSEGV
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenario
	want := []report.Mismatch{{Line: 7, Want: "SIGSEGV", Got: "SIGBUS"}, {Line: 8, Want: "SIGBUS", Got: "SIGSEGV"}}
	if diff := cmp.Diff(want, s.Mismatches); diff != "" {
		t.Errorf("mismatches (-want +got):\n%s", diff)
	}
	var names []string
	for _, sg := range s.Processes[0].Signals {
		names = append(names, sg.Signal)
	}
	if diff := cmp.Diff([]string{"SIGBUS", "SIGBUS", "SIGBUS", "SIGSEGV"}, names); diff != "" {
		t.Errorf("signals (-want +got):\n%s", diff)
	}
	if bus, segv := s.Total.Get("sigbus"), s.Total.Get("segv"); bus != 3 || segv != 1 {
		t.Errorf("%d SIGBUS and %d SIGSEGV, want 3 and 1", bus, segv)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "SIGBUS: pid 1, store at 0x") || !strings.Contains(text.String(), "sigbus") {
		t.Errorf("the text report does not show the SIGBUS:\n%s", text.String())
	}
}

// A store that faults on its second page writes nothing on its first, as
// an x86 store commits whole or not at all; one whose pages are both
// there writes both.
func TestScenarioStoreFaultingOnItsSecondPage(t *testing.T) {
	runStated(t, "b = p1 mmap 0 12288 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0\n"+
		"p1 munmap b+4096 4096 == 0\n"+
		"p1 store b+4092 8 0x1122334455667788 == SIGSEGV\n"+ // the second page not mapped
		"p1 load b+4088 8 == 0\n"+
		"p1 mmap b+4096 4096 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED -1 0\n"+
		"p1 mprotect b+8192 4096 PROT_READ == 0\n"+
		"p1 store b+8188 8 0x1122334455667788 == SIGSEGV\n"+ // the second page read-only
		"p1 load b+8184 8 == 0\n"+
		"p1 load b+8192 4 == 0\n"+
		"p1 store b+4092 8 0x1122334455667788\n"+
		"p1 load b+4088 8 == 0x5566778800000000\n"+
		"p1 load b+4096 4 == 0x11223344\n")
}

// An access a trace could not carry, one that runs past the top of the
// 64-bit address space, is a SIGSEGV in a scenario: its addresses are
// translated, and those above the 48-bit virtual address space are not
// canonical. So is an access that straddles that space's end; its first
// bytes, mapped, are not written.
func TestScenarioTopOfTheAddressSpace(t *testing.T) {
	rep := runStated(t, "top = p1 mmap 0x7ffffffff000 4096 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED -1 0\n"+
		"p1 store 0xfffffffffffffffc 8 1 == SIGSEGV\n"+
		"p1 load 0xffffffffffffffff 2 == SIGSEGV\n"+
		"p1 fetch 0xfffffffffffffffe 4 == SIGSEGV\n"+
		"p1 store 0x7ffffffffffc 8 0x1122334455667788 == SIGSEGV\n"+
		"p1 load 0x7ffffffffff8 8 == 0\n"+
		"p1 store 0x7ffffffffff8 8 7\n"+
		"p1 load 0x7ffffffffff8 8 == 7\n")
	if got := rep.Scenario.Total.Get("segv"); got != 4 {
		t.Errorf("%d SIGSEGVs, want 4", got)
	}
}
