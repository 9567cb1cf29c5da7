package scenario

import (
	"strings"
	"testing"

	"github.com/vmemu/vmemu/traces"
)

// FuzzScenarioRun: any scenario that parses runs to an end or an error,
// never a panic, on a small machine.
func FuzzScenarioRun(f *testing.F) {
	for _, s := range []string{
		"b = p1 mmap 0 8192 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\np1 store b 8 1\nc = p1 fork\nc store b 8 2\np1 load b 8 == 1\n",
		"file f words=4096\nfd = p1 open f O_RDWR\nm = p1 mmap 0 4096 rw- MAP_SHARED fd 0\np1 store m 4 7\np1 msync m 4096\np1 munmap m 4096\np1 load m 1\n",
		"c = p1 fork\nc exit 0\nc load 0 8\n", "p1 brk 0\np1 mprotect 0 4096 r--\n", "p1 wait\np1 close 9\np1 read 1 0 8\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := traces.ParseScenario("f.emu", strings.NewReader(text))
		if err != nil || len(s.Settings()) > 0 {
			return
		}
		m := build(t, "default", "os.memory=256KiB", "disk.swap=1MiB")
		Run(m, s)
	})
}
