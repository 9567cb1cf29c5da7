package scenario

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// The programs of testdata/refdata/linux (faults.c, thp.c), written as
// scenarios and run on the default machine (the kernel as Linux runs it),
// give the fault counts Linux 6.18 gave them. A C program reads its counts
// with getrusage around each loop; a scenario's report has them only at
// the end, so each count here is the difference between two runs of the
// scenario cut short, at the end of the loop before (or the start) and at
// the end of the loop (a run is deterministic, so the shorter is the
// longer's beginning). The system calls between two loops (mmap, madvise,
// fork, exit, wait) are thus counted with the loop after them: they fault
// in Linux no more than here.

const page = 4096

// cprogram is a C program written as a scenario, with the loops whose
// faults it measures.
type cprogram struct {
	text     strings.Builder
	lines    int
	measures []measure
}

// measure is one count a C program prints: the faults of process pid
// (minor or major, as getrusage counts them) between two cuts of the
// scenario (its first from and to lines).
type measure struct {
	name, key string // the reference's line and count: "anon_read_then_write", "read_minflt"
	pid       int
	count     string
	from, to  int
}

func (c *cprogram) line(format string, a ...any) {
	fmt.Fprintf(&c.text, format+"\n", a...)
	c.lines++
}

// each writes format once for each of n pages at base, with the page's
// address and its number.
func (c *cprogram) each(n int, base uint64, format string) {
	for i := 0; i < n; i++ {
		c.line(format, base+uint64(i)*page, i)
	}
}

// loop notes that the lines body writes (and those since the last loop)
// cost process pid the count key of the reference's line name.
func (c *cprogram) loop(name, key string, pid int, count string, body func()) {
	from := 0
	if n := len(c.measures); n > 0 {
		from = c.measures[n-1].to
	}
	body()
	c.measures = append(c.measures, measure{name, key, pid, count, from, c.lines})
}

// run runs the program cut at each measured loop's end and returns the
// counts it measured, by line and key.
func (c *cprogram) run(t *testing.T) map[string]map[string]int {
	t.Helper()
	whole, err := traces.ParseScenario("program.emu", strings.NewReader(c.text.String()))
	if err != nil {
		t.Fatal(err)
	}
	at := map[int]map[int]report.Counts{0: {}} // cut -> pid -> faults
	faultsAt := func(cut int) map[int]report.Counts {
		if f, ok := at[cut]; ok {
			return f
		}
		s := *whole
		for len(s.Ops) > 0 && s.Ops[len(s.Ops)-1].Line > cut {
			s.Ops = s.Ops[:len(s.Ops)-1]
		}
		_, rep := runScenario(t, &s)
		f := map[int]report.Counts{}
		for _, p := range rep.Scenario.Processes {
			f[p.PID] = p.Faults
		}
		at[cut] = f
		return f
	}
	out := map[string]map[string]int{}
	for _, m := range c.measures {
		n := faultsAt(m.to)[m.pid].Get(m.count) - faultsAt(m.from)[m.pid].Get(m.count)
		if out[m.name] == nil {
			out[m.name] = map[string]int{}
		}
		out[m.name][m.key] = int(n)
	}
	return out
}

// refCounts reads the counts keys of the lines of a reference output, from
// the line "## "+section to the next "## " (section "": the whole file),
// the first time each line's name appears. A line's name is its first word,
// and its second too when the first is a setting (thp=0 write_first_touch).
// less are faults of the C runtime to take away from a count ("name key").
func refCounts(t *testing.T, file, section string, less map[string]int, keys ...string) map[string]map[string]int {
	t.Helper()
	f, err := os.Open("../../testdata/refdata/linux/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]int{}
	in := section == ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		words := strings.Fields(sc.Text())
		switch {
		case len(words) > 0 && words[0] == "##":
			in = strings.Join(words[1:], " ") == section
			continue
		case !in || len(words) < 2 || strings.HasPrefix(words[0], "#"):
			continue
		}
		name := words[0]
		if strings.Contains(name, "=") {
			name += " " + words[1]
		}
		if out[name] != nil {
			continue
		}
		out[name] = map[string]int{}
		for _, w := range words {
			k, v, _ := strings.Cut(w, "=")
			for _, want := range keys {
				if k == want {
					n, err := strconv.Atoi(v)
					if err != nil {
						t.Fatalf("%s: %q: %v", file, w, err)
					}
					out[name][k] = n - less[name+" "+k]
				}
			}
		}
	}
	return out
}

// vdsoFaults are faults in a reference count that are the C runtime's: the
// first loop of each program holds its first clock_gettime call, whose
// first touches of the vDSO's pages are, by all signs, three faults (the
// same loop later in thp.c, after clock_gettime has run, takes 32 with
// huge pages, not 35; os/linux_test.go says more). A scenario has no C
// runtime, so its count is three less.
var vdsoFaults = map[string]int{"anon_write_first_touch minflt": 3, "thp=0 write_first_touch minflt": 3}

// Addresses where the file mappings go: Linux placed faults.c's 1 MiB
// file mappings at addresses not 64 KiB-aligned (a mapping under 2 MiB
// gets no THP alignment), so fault-around's windows over 256 pages were
// 17, not 16. These are three pages into a window.
func fileHint(i int) uint64 { return 0x500000003000 + uint64(i)<<32 }

// faultsC is faults.c at n pages. The file it maps is placed on the disk,
// cold, rather than written with write() and dropped from the page cache
// with posix_fadvise (which scenarios do not have): so its cold copy comes
// first and the warm one after, not the other way round. fork_parent's
// resident pages are not a fault count and are left out.
func faultsC(n int) *cprogram {
	c := &cprogram{}
	size := n * page
	const a, b = 0x100000000000, 0x110000000000
	anon := "PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0"
	c.line("file data.bin bytes=%d", size)
	c.line("p1 mmap %#x %d %s == %#x", a, size, anon, a)
	c.loop("anon_write_first_touch", "minflt", 1, "minor", func() { c.each(n, a, "p1 store %#x 1 %d") })
	c.line("p1 mmap %#x %d %s == %#x", b, size, anon, b)
	c.loop("anon_read_then_write", "read_minflt", 1, "minor", func() { c.each(n, b, "p1 load %#x 1 == 0 # %d") })
	c.loop("anon_read_then_write", "write_minflt", 1, "minor", func() { c.each(n, b, "p1 store %#x 1 1 # %d") })
	c.line("c = p1 fork")
	c.loop("fork_child_cow", "write_minflt", 2, "minor", func() { c.each(n, a, "c store %#x 1 7 # %d") })
	c.loop("fork_child_cow", "reread_minflt", 2, "minor", func() { c.each(n, a, "c load %#x 1 == 7 # %d") })
	c.line("c exit 0")
	c.line("p1 wait == c")
	c.loop("parent_write_after_child_exit", "minflt", 1, "minor", func() { c.each(n, a, "p1 store %#x 1 9 # %d") })
	c.line("d = p1 fork")
	c.loop("parent_write_child_alive", "minflt", 1, "minor", func() { c.each(n, a, "p1 store %#x 1 10 # %d") })
	c.line("d exit 0")
	c.line("p1 wait == d")
	c.line("fd = p1 open data.bin O_RDWR")
	c.line("dn = p1 open copy.out O_WRONLY|O_CREAT|O_TRUNC")
	for _, name := range []string{"mmapcopy_to_file_cold", "mmapcopy_to_file"} {
		c.line("m = p1 mmap %#x %d PROT_READ MAP_PRIVATE fd 0 == %#x", fileHint(0), size, fileHint(0))
		c.loop(name, "minflt", 1, "minor", func() { c.line("p1 write dn m %d == %d", size, size) })
		minors := c.measures[len(c.measures)-1]
		c.measures = append(c.measures, measure{name, "majflt", 1, "major", minors.from, minors.to})
		c.line("p1 munmap m %d", size)
	}
	private := func(name, prot string, read, write bool) {
		c.line("m = p1 mmap %#x %d %s MAP_PRIVATE fd 0", fileHint(0), size, prot)
		key := "minflt"
		if read && write {
			key = "read_minflt"
		}
		if read {
			c.loop(name, key, 1, "minor", func() { c.each(n, fileHint(0), "p1 load %#x 1 # %d") })
		}
		if write {
			if read {
				key = "write_minflt"
			}
			c.loop(name, key, 1, "minor", func() { c.each(n, fileHint(0), "p1 store %#x 1 1 # %d") })
		}
		c.line("p1 munmap m %d", size)
	}
	private("file_private_read_touch", "PROT_READ", true, false)
	private("file_private_write_touch", "PROT_READ|PROT_WRITE", false, true)
	private("file_private_read_then_write", "PROT_READ|PROT_WRITE", true, true)
	c.line("p1 mmap %#x %d PROT_READ|PROT_WRITE MAP_SHARED fd 0 == %#x", fileHint(1), size, fileHint(1))
	c.line("p1 mmap %#x %d PROT_READ|PROT_WRITE MAP_SHARED fd 0 == %#x", fileHint(2), size, fileHint(2))
	c.loop("file_shared_write_then_other_read", "write_minflt", 1, "minor", func() { c.each(n, fileHint(1), "p1 store %#x 1 42 # %d") })
	c.loop("file_shared_write_then_other_read", "read_minflt", 1, "minor", func() { c.each(n, fileHint(2), "p1 load %#x 1 == 42 # %d") })
	return c
}

// TestFaultsCAsScenario: faults.c at 256 pages, with the stores' and loads'
// values checked too (each "==" of the scenario; seen=256 in Linux's).
func TestFaultsCAsScenario(t *testing.T) {
	c := faultsC(256)
	got := c.run(t)
	want := refCounts(t, "faults.txt", "./faults 256", vdsoFaults, "minflt", "majflt", "read_minflt", "write_minflt", "reread_minflt")
	delete(want, "fork_parent")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("faults.c at 256 pages (-Linux +scenario):\n%s", diff)
	}
	s, err := traces.ParseScenario("faults.emu", strings.NewReader(c.text.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, rep := runScenario(t, s); len(rep.Scenario.Mismatches) > 0 || len(rep.Scenario.Errors) > 0 {
		t.Errorf("mismatches %v, failed calls %v", rep.Scenario.Mismatches, rep.Scenario.Errors)
	}
}

// thpC is thp.c's fault counts for one mode (huge: MADV_HUGEPAGE, else
// MADV_NOHUGEPAGE) on the default machine (THP madvise, as the VM's). Its
// amap maps 2 MiB more than asked, at a page past a 2 MiB boundary, and
// advises the 2 MiB-aligned 64 MiB inside. AnonHugePages (anonhuge_kb) is
// not a fault count and is left out.
func thpC(huge int) *cprogram {
	c := &cprogram{}
	const size, n = 64 << 20, 64 << 20 / page
	advice := []string{"MADV_NOHUGEPAGE", "MADV_HUGEPAGE"}[huge]
	amap := func(at uint64) uint64 {
		c.line("p1 mmap %#x %d PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0 == %#x", at+page, size+2<<20, at+page)
		c.line("p1 madvise %#x %d %s == 0", at+2<<20, size, advice)
		return at + 2<<20
	}
	name := func(s string) string { return fmt.Sprintf("thp=%d %s", huge, s) }
	a := amap(0x200000000000)
	c.loop(name("write_first_touch"), "minflt", 1, "minor", func() { c.each(n, a, "p1 store %#x 1 1 # %d") })
	b := amap(0x210000000000)
	c.loop(name("read_then_write"), "read_minflt", 1, "minor", func() { c.each(n, b, "p1 load %#x 1 == 0 # %d") })
	c.loop(name("read_then_write"), "write_minflt", 1, "minor", func() { c.each(n, b, "p1 store %#x 1 1 # %d") })
	c.line("c = p1 fork")
	c.loop(name("fork_child_write"), "minflt", 2, "minor", func() { c.each(n, a, "c store %#x 1 2 # %d") })
	c.line("c exit 0")
	c.line("p1 wait == c")
	c.loop(name("parent_write_after_child_exit"), "minflt", 1, "minor", func() { c.each(n, a, "p1 store %#x 1 3 # %d") })
	return c
}

// TestTHPCAsScenario: thp.c's fault counts, each mode its own scenario.
// With MADV_HUGEPAGE 64 MiB takes one fault per 2 MiB, a read maps the
// huge zero page and the write after it a huge page; the child's writes
// after fork split the mappings and copy 4 KiB pages; the parent, alone
// again, keeps its huge pages whole.
func TestTHPCAsScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 160,000 accesses, several times over")
	}
	want := refCounts(t, "thp.txt", "", vdsoFaults, "minflt", "read_minflt", "write_minflt")
	for name := range want {
		if strings.Contains(name, "chase") {
			delete(want, name) // timings, not counts
		}
	}
	got := map[string]map[string]int{}
	for huge := 0; huge <= 1; huge++ {
		for k, v := range thpC(huge).run(t) {
			got[k] = v
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("thp.c (-Linux +scenario):\n%s", diff)
	}
}

// A cold 1 MiB mmapcopy (faults.c's) against the readahead window: with
// the default machine's 4 MiB one request reads the file and one fault
// waits for it (Linux's 16 minor and 1 major); with Linux's usual 128 KiB
// every window is still on its way from the disk when the copy, at kernel
// speed, reaches it, and each window's readahead mark that falls inside a
// fault-around window costs a fault more.
func TestColdMmapcopyByReadahead(t *testing.T) {
	const size = 1 << 20
	text := fmt.Sprintf(`file data.bin bytes=%d
fd = p1 open data.bin O_RDONLY
dn = p1 open copy.out O_WRONLY|O_CREAT
m = p1 mmap %#x %d PROT_READ MAP_PRIVATE fd 0
p1 write dn m %d == %d
`, size, fileHint(0), size, size, size)
	for _, c := range []struct {
		readahead    string // "": the default machine's
		minor, major uint64
	}{
		{"", 16, 1},
		{"os.readahead=4MiB", 16, 1},
		{"os.readahead=1MiB", 17, 1},
		{"os.readahead=128KiB", 17, 8},
		{"os.readahead=0", 0, 256}, // the textbook: a read a page, each waited for
	} {
		s, err := traces.ParseScenario("copy.emu", strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		var sets []string
		if c.readahead != "" {
			sets = append(sets, c.readahead)
		}
		if c.readahead == "os.readahead=0" {
			sets = append(sets, "os.fault_around=0")
		}
		_, rep := runScenario(t, s, sets...)
		f := rep.Scenario.Total
		if got := [2]uint64{f.Get("minor"), f.Get("major")}; got != [2]uint64{c.minor, c.major} {
			t.Errorf("%q: %d minor, %d major faults; want %d and %d", c.readahead, got[0], got[1], c.minor, c.major)
		}
	}
}

// Bad calls return Linux's errno and the run goes on: madvise of an
// unmapped range (ENOMEM), of an unaligned address or with an advice the
// kernel does not know (EINVAL), MAP_HUGETLB with the pool empty (ENOMEM);
// a good call after each still works.
func TestMadviseAndHugeTLBErrors(t *testing.T) {
	text := `set os.hugetlb_2m=1
a = p1 mmap 0x100000000000 8192 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0
p1 madvise 0x300000000000 4096 MADV_DONTNEED == ENOMEM
p1 madvise a+1 4096 MADV_DONTNEED == EINVAL
p1 madvise a 4096 99 == EINVAL
p1 store a 8 7
p1 madvise a 8192 MADV_DONTNEED == 0
p1 load a 8 == 0
h = p1 mmap 0 2097152 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB -1 0
p1 mmap 0 2097152 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB -1 0 == ENOMEM
p1 mmap 0 1073741824 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_1GB -1 0 == ENOMEM
p1 store h+0x1ff000 8 9
p1 load h+0x1ff000 8 == 9
`
	s, err := traces.ParseScenario("bad.emu", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	_, rep := runScenario(t, s)
	if len(rep.Scenario.Mismatches) > 0 {
		t.Errorf("mismatches: %+v", rep.Scenario.Mismatches)
	}
	var got []string
	for _, e := range rep.Scenario.Errors {
		got = append(got, fmt.Sprintf("%d %s %s", e.Line, e.Call, e.Errno))
	}
	want := []string{"3 madvise ENOMEM", "4 madvise EINVAL", "5 madvise EINVAL", "10 mmap ENOMEM", "11 mmap ENOMEM"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failed calls (-want +got):\n%s", diff)
	}
	if f := rep.Scenario.Total; f.Get("hugetlb") != 1 {
		t.Errorf("%d MAP_HUGETLB faults, want 1", f.Get("hugetlb"))
	}
}

// A word that is not an advice is an error in the scenario, naming its
// line and column.
func TestMadviseBadWord(t *testing.T) {
	s, err := traces.ParseScenario("bad.emu", strings.NewReader("p1 madvise 0x1000 4096 MADV_HUGE\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := build(t, "default")
	_, err = Run(m, s)
	if err == nil || !strings.Contains(err.Error(), "bad.emu:1") || !strings.Contains(err.Error(), "column 24: advice") {
		t.Errorf("got %v, want an error at bad.emu:1, column 24: advice", err)
	}
}
