//go:build !linux

package main

import "errors"

// measureHost needs Linux's system calls (clone, madvise, RUSAGE_THREAD).
func measureHost(pages int) (hostCosts, error) {
	return hostCosts{}, errors.New("measuring the host's kernel needs Linux")
}
