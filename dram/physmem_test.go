package dram

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestPhysMem(t *testing.T) {
	m := NewPhysMem()
	if got := m.Uint64(0x1234); got != 0 {
		t.Fatalf("fresh memory reads %#x, want 0", got)
	}
	// A write across a chunk boundary, read back whole and in parts.
	data := []byte("0123456789abcdef")
	m.Write(0xff8, data)
	got := make([]byte, len(data))
	m.Read(0xff8, got)
	if !bytes.Equal(got, data) {
		t.Errorf("read %q, want %q", got, data)
	}
	m.SetUint64(0x2ffc, 0x1122334455667788) // straddles chunks
	if v := m.Uint64(0x2ffc); v != 0x1122334455667788 {
		t.Errorf("Uint64 across chunks = %#x", v)
	}
	b := make([]byte, 1)
	m.Read(0x2ffc, b)
	if b[0] != 0x88 {
		t.Errorf("byte order: first byte %#x, want 0x88 (little-endian)", b[0])
	}
	m.Copy(0x10000, 0xff8, 16)
	m.Read(0x10000, got)
	if !bytes.Equal(got, data) {
		t.Errorf("copy gave %q", got)
	}
	n := m.Chunks()
	m.Zero(0x10000, 1<<chunkShift)
	if m.Chunks() != n-1 || m.Uint64(0x10000) != 0 {
		t.Errorf("zeroing a whole chunk: %d chunks (want %d), value %#x", m.Chunks(), n-1, m.Uint64(0x10000))
	}
	m.Zero(0xffc, 8)
	m.Read(0xff8, got)
	if want := []byte("0123\x00\x00\x00\x00\x00\x00\x00\x00cdef"); !bytes.Equal(got, want) {
		t.Errorf("after a partial zero: %q, want %q", got, want)
	}
}

// Copying a page never written over a written one leaves zeros and no
// chunk; IsZero tells zeros from data without reading absent chunks.
func TestPhysMemCopyZerosAndIsZero(t *testing.T) {
	m := NewPhysMem()
	m.SetUint64(0x5008, 42)
	if m.IsZero(0x5000, 1<<chunkShift) || !m.IsZero(0x6000, 1<<20) || !m.IsZero(0x5000, 8) {
		t.Fatal("IsZero: wrong about a written word, 1 MiB never written, or the zeros before the word")
	}
	m.Copy(0x5000, 0x9000, 1<<chunkShift)
	if m.Uint64(0x5008) != 0 || m.Chunks() != 0 || !m.IsZero(0x5000, 1<<chunkShift) {
		t.Errorf("after copying zeros over it: word %d, %d chunks; want 0 and none", m.Uint64(0x5008), m.Chunks())
	}
}

// TestPhysMemRecentChunks drives PhysMem and a plain map of bytes with
// the same random stores, loads and zeroings over chunks whose numbers
// collide in the recent-chunk slots (multiples of recentChunks apart),
// so that a slot that kept a chunk Zero dropped, or another chunk's,
// would show.
func TestPhysMemRecentChunks(t *testing.T) {
	m, want := NewPhysMem(), map[uint64]byte{}
	rng := rand.New(rand.NewPCG(3, 4))
	chunk := func() uint64 { return uint64(rng.IntN(4)) * recentChunks << chunkShift }
	for step := range 20000 {
		pa := chunk() + uint64(rng.IntN(1<<chunkShift-8))
		switch rng.IntN(5) {
		case 0:
			base := chunk()
			m.Zero(base, 1<<chunkShift)
			for i := range uint64(1 << chunkShift) {
				delete(want, base+i)
			}
		case 1, 2:
			v := rng.Uint64()
			m.Store(pa, 8, v)
			for i := range uint64(8) {
				want[pa+i] = byte(v >> (8 * i))
			}
		default:
			var v uint64
			for i := range uint64(8) {
				v |= uint64(want[pa+i]) << (8 * i)
			}
			if got := m.Load(pa, 8); got != v {
				t.Fatalf("step %d: Load(%#x) = %#x, want %#x", step, pa, got, v)
			}
		}
	}
}
