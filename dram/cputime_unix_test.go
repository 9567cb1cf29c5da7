//go:build unix

package dram

import "syscall"

// cpuSeconds is the CPU time this process has used: on a shared machine a
// benchmark's wall time counts other programs too, its CPU time does not.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
