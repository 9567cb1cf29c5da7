package scenario

import (
	"runtime"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// FuzzScenarioRun: any scenario that parses runs to an end or an error,
// never a panic, on a small machine, and its heap grows by no more than
// what its calls moved allows (hostBound).
func FuzzScenarioRun(f *testing.F) {
	for _, s := range []string{
		"b = p1 mmap 0 8192 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 store b 8 1\nc = p1 fork\nc store b 8 2\np1 load b 8 == 1\n",
		"file f words=4096\nfd = p1 open f O_RDWR\nm = p1 mmap 0 4096 rw- MAP_SHARED fd 0\np1 store m 4 7\np1 msync m 4096\np1 munmap m 4096\np1 load m 1\n",
		"c = p1 fork\nc exit 0\nc load 0 8\n", "p1 brk 0\np1 mprotect 0 4096 r--\n", "p1 wait\np1 close 9\np1 read 1 0 8\n",
		// issue 16: lengths and addresses that wrap or leave the user half
		"b = p1 mmap 0 4096 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 write 1 b 0xffffffffffff\np1 write 1 b 0x40000000\n",
		"b = p1 mmap 0 0x40000000 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 write 1 b 0x40000000\n",
		"f = p1 open out O_RDWR|O_CREAT\nb = p1 mmap 0 0x40000000 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 write f b 0x40000000\n",
		"a = p1 mmap 0 0xffffffffffffffff rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 load a 8\n",
		"p1 munmap 0x10000 0xffffffffffffffff\np1 mprotect 0x10000 0xffffffffffffffff r--\np1 msync 0x10000 0xfffffffffffff000\n",
		"p1 mmap 0xffff800000000000 4096 rw- MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED -1 0\np1 mmap 0 4096 rw- MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED -1 0\n",
		"b = p1 brk 0\np1 brk 0xffff900000000000\np1 brk 0xffffffffffffffff\np1 brk b+0x2000\np1 store 0 8 5\n",
		"file f text=\"x\"\nfd = p1 open f O_RDWR\nb = p1 mmap 0 8192 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 read fd 0xffffffffffff 8\np1 write fd b 0x7fffffffffff\n",
		"p1 execve f text=4096 at=0x7ffffffff000\np1 execve f text=1 bss=0xffffffffffffffff\n",
		// files bounded by the disk, host files by the scenario's folder
		"file big bytes=17179869184\n", "file big words=1099511627776\n", "file x host=/dev/zero\n",
		"file p host=/etc/passwd\n", "file p host=../../go.mod\n", "file p host=fuzz_test.go\nfd = p1 open p\n",
		// issue 13: threads and processes on cores (a text that places one runs on four)
		"b = p1 mmap 0 8192 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\nt = p1 thread core=1\nc = t fork core=2\nfor i in 0..3: t store b+i 1 i\n" +
			"c load b 8\np1 munmap b 4096\nt load b 8 == SIGSEGV\nt exit\nx = c load b+4096 8\np1 load b+x 8\n",
		"t = p1 thread core=3\nu = t thread\nt exit 0\nu exit 0\np1 load 0 8\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := traces.ParseScenario("f.emu", strings.NewReader(text))
		if err != nil || len(s.Settings()) > 0 {
			return
		}
		if files := fileBytes(s); files > 16<<20 && files <= 1<<30 {
			return // it fits the disk: right, but slow to make
		}
		sets := []string{"os.memory=256KiB", "disk.swap=1MiB"}
		if strings.Contains(text, "core=") {
			sets = append(sets, "cores=4")
		}
		m := build(t, "default", sets...)
		// The inputs run before this one in the same process may have left
		// garbage that the collector has not yet taken: left there, the
		// heap would grow past this run's own needs (seen at GOMAXPROCS=32
		// on a 2-CPU host, where the concurrent collector lags).
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rep, _ := Run(m, s)
		runtime.ReadMemStats(&after)
		// What the heap grew to, garbage and all (the scavenger may have
		// given some back meanwhile: then nothing grew).
		grew := after.HeapSys - min(before.HeapSys, after.HeapSys)
		if bound := hostBound(s, m, rep); grew > bound {
			t.Fatalf("the run's heap grew by %d MiB, more than its bound of %d MiB", grew>>20, bound>>20)
		}
	})
}

// fileBytes is what a scenario's file lines put on the disk, each at most
// the disk's 1 GiB (a larger one is refused before it is made).
func fileBytes(s *traces.Scenario) uint64 {
	total := uint64(0)
	for _, op := range s.Ops {
		if f := op.File; f != nil {
			total += min(max(f.Bytes, f.Words, uint64(len(f.Text))), 1<<30)
		}
	}
	return total
}

// hostBound is a generous bound on the host memory a run may take: 64 MiB,
// a MiB a line, and four times what the run keeps, which is what its calls
// moved (the processes' standard output and the files on the disk), for a
// copy on its way and the slack of Go's heap. A call that allocated for
// what it was asked rather than what it did (a write of 2^48 bytes from a
// page) passes it by far.
func hostBound(s *traces.Scenario, m *machine.Machine, rep *report.Report) uint64 {
	kept := uint64(0)
	if rep != nil && rep.Scenario != nil {
		for _, p := range rep.Scenario.Processes {
			kept += uint64(len(p.Stdout))
		}
	}
	if free, capacity, ok := m.Kernel.FileSpace(); ok {
		kept += capacity - free
	}
	return 64<<20 + uint64(len(s.Ops))<<20 + 4*kept
}
