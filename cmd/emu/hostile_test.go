package main

import (
	"fmt"
	"strings"
	"testing"
)

// Runs that cannot measure anything or that stop partway say so, with
// status 2: a warmup as long as the trace or longer, a --max within the
// warmup, a scenario out of memory and swap (which still prints its
// report so far), and no error quotes a long token whole.
func TestRunStopsAndSaysWhy(t *testing.T) {
	dir := t.TempDir()
	trace := writeFile(t, dir, "t.trace", "I 400000,4\n L 10,4\nI 400004,4\n S 20,4\nI 400008,4\n")
	oom := "set os.memory=64KiB\nset disk.swap=64KiB\nb = p1 mmap 0 1048576 rw- MAP_PRIVATE|MAP_ANONYMOUS -1 0\n"
	for i := 0; i < 100; i++ {
		oom += fmt.Sprintf("p1 store b+%#x 8 1\n", i*4096)
	}
	oomFile := writeFile(t, dir, "oom.emu", oom)
	long := strings.Repeat("z", 70000)
	for _, c := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"warmup past the trace", []string{"run", "-q", "--warmup", "5", trace}, 2, "",
			"--warmup 5: the trace has 3 instructions, all of them warmup: nothing was measured"},
		{"warmup as long as the trace", []string{"run", "-q", "--warmup", "3", trace}, 2, "", "--warmup 3: the trace has 3 instructions"},
		{"max within the warmup", []string{"run", "-q", "--warmup", "3", "--max", "2", trace}, 2, "",
			"--max 2 --warmup 3: the run would stop within its warmup"},
		{"warmup short of the trace", []string{"run", "-q", "--warmup", "2", trace}, 0, "instructions            1", ""},
		{"out of memory and swap", []string{"run", "-q", oomFile}, 2, "pages swapped out 16",
			"oom.emu:31: store: at 0x5ffffff1b000: out of physical memory: swap is full (16 slots) (os.memory is 64KiB, disk.swap 64KiB); the run stops here"},
		{"--allow-host for a trace", []string{"run", "-q", "--allow-host", dir, trace}, 2, "", "--allow-host: only scenarios (.emu) read host files"},
		{"a long value", []string{"run", "-q", "--set", "l2.size=" + long, trace}, 2, "",
			`"` + strings.Repeat("z", 64) + `"... (70000 bytes) is not a size`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := emu(t, "", c.args...)
			if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d, stdout %.300q, stderr %.300q\nwant exit %d, %q and %q", code, stdout, stderr, c.code, c.stdout, c.stderr)
			}
			if len(stderr) > 1000 {
				t.Errorf("stderr holds %d bytes", len(stderr))
			}
		})
	}
}
