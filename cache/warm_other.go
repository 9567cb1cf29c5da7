//go:build !amd64

package cache

import "unsafe"

// hostPrefetch does nothing where the host has no prefetch written for it
// (warm_amd64.s): warming is for speed alone.
func hostPrefetch(a, b, c unsafe.Pointer, n uintptr) {}
