// Package csim is the CS:APP Cache Lab reference simulator (csim-ref) on
// the cache model: Run takes csim-ref's s, E and b, replays a trace through
// one cache level of 2^s sets of E lines of 2^b bytes (LRU, writes as
// reads, write-allocate, only the first line of an access) and gives what
// csim-ref gives, byte for byte: the per-access lines of -v ("L 10,1 miss
// eviction ") and the hits, misses and evictions of its last line.
//
// It leaves out what csim-ref leaves out: instruction fetches, access
// sizes, timing and memory contents. It matches the eight graded cases and
// the handout's verbose example of Cache Lab (testdata/refdata/cachelab,
// checked by cmd/emu's tests); no part of a Machine takes part.
package csim
