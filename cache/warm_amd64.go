package cache

import "unsafe"

// hostPrefetch has the host fetch into its caches the lines that hold a
// and b and those of the n bytes from c (n > 0), with PREFETCHNTA, which
// waits for none of them and never faults. Go has no prefetch of its own
// to offer: loads of the same bytes, whose values must then be used, left
// one core 1-3% slower where this makes it 12% faster (warm.go). The
// non-temporal hint keeps the lines from pushing the run's own hot data
// out of the host's L1: PREFETCHT0 made an in-order core's matmul 20%
// slower (its L1 misses mostly hit a small L2, and nothing needed
// warming), PREFETCHT1 gave up a tenth of the gain.
//
//go:noescape
func hostPrefetch(a, b, c unsafe.Pointer, n uintptr)
