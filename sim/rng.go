package sim

import (
	"hash/fnv"
	"math/bits"
)

// RNG is a small, fast, seeded random source (xoshiro256**). Each component
// derives its own stream from the run's seed and its name, so adding a
// component does not change the numbers another one draws.
type RNG struct{ s [4]uint64 }

// NewRNG returns a source seeded with seed.
func NewRNG(seed uint64) *RNG {
	r := &RNG{}
	sm := seed
	for i := range r.s {
		r.s[i] = splitmix64(&sm)
	}
	return r
}

// Derive returns an independent source for the component called name.
func (r *RNG) Derive(name string) *RNG {
	h := fnv.New64a()
	h.Write([]byte(name))
	return NewRNG(r.s[0] ^ h.Sum64())
}

// Uint64 returns the next 64 random bits.
func (r *RNG) Uint64() uint64 {
	s := &r.s
	result := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return result
}

// IntN returns a number in [0, n). n must be positive.
func (r *RNG) IntN(n int) int {
	// Lemire's multiply-shift; the tiny bias for huge n does not matter here.
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

func rotl(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
