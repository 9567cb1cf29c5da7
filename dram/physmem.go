package dram

import "encoding/binary"

// chunkShift sets the granule in which PhysMem stores bytes (4 KiB).
const chunkShift = 12

// PhysMem holds the contents of physical memory: the bytes that loads
// return and stores change, the page tables, the data of files and swapped
// pages on their way in and out. It is sparse: a 4 KiB chunk exists once a
// byte in it is written; bytes never written read as zero. The timing model
// (Controller) and the contents are separate, as caches track tags only.
type PhysMem struct {
	chunks map[uint64]*[1 << chunkShift]byte
	// recent holds chunks the map returned, by the low bits of their
	// number (direct-mapped): a run's loads, stores and page walks touch
	// few chunks at a time, and a Go map's lookup costs more than the
	// load it serves. An entry holds a chunk while the map does (Zero
	// drops both).
	recent [recentChunks]recentChunk
}

const recentChunks = 64

type recentChunk struct {
	key uint64 // the chunk's number plus one; 0: empty
	c   *[1 << chunkShift]byte
}

// NewPhysMem returns an empty (all-zero) memory.
func NewPhysMem() *PhysMem {
	return &PhysMem{chunks: map[uint64]*[1 << chunkShift]byte{}}
}

func (m *PhysMem) chunk(pa uint64, create bool) *[1 << chunkShift]byte {
	n := pa >> chunkShift
	r := &m.recent[n%recentChunks]
	if r.key == n+1 {
		return r.c
	}
	c := m.chunks[n]
	if c == nil && create {
		c = new([1 << chunkShift]byte)
		m.chunks[n] = c
	}
	if c != nil {
		*r = recentChunk{n + 1, c}
	}
	return c
}

// Read fills buf with the bytes at pa.
func (m *PhysMem) Read(pa uint64, buf []byte) {
	for len(buf) > 0 {
		off := pa & (1<<chunkShift - 1)
		n := min(uint64(len(buf)), 1<<chunkShift-off)
		if c := m.chunk(pa, false); c != nil {
			copy(buf[:n], c[off:off+n])
		} else {
			clear(buf[:n])
		}
		buf, pa = buf[n:], pa+n
	}
}

// Write stores data at pa.
func (m *PhysMem) Write(pa uint64, data []byte) {
	for len(data) > 0 {
		off := pa & (1<<chunkShift - 1)
		n := min(uint64(len(data)), 1<<chunkShift-off)
		copy(m.chunk(pa, true)[off:off+n], data[:n])
		data, pa = data[n:], pa+n
	}
}

// Uint64 reads the little-endian 8 bytes at pa (x86 byte order).
func (m *PhysMem) Uint64(pa uint64) uint64 {
	if pa&(1<<chunkShift-1) <= 1<<chunkShift-8 {
		c := m.chunk(pa, false)
		if c == nil {
			return 0
		}
		off := pa & (1<<chunkShift - 1)
		return binary.LittleEndian.Uint64(c[off : off+8])
	}
	var b [8]byte
	m.Read(pa, b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// Load reads the n (at most 8) bytes at pa as a little-endian number.
func (m *PhysMem) Load(pa uint64, n uint32) uint64 {
	off := pa & (1<<chunkShift - 1)
	if off+uint64(n) <= 1<<chunkShift {
		c := m.chunk(pa, false)
		if c == nil {
			return 0
		}
		var v uint64
		for i := int(n) - 1; i >= 0; i-- {
			v = v<<8 | uint64(c[off+uint64(i)])
		}
		return v
	}
	var b [8]byte
	m.Read(pa, b[:n])
	return binary.LittleEndian.Uint64(b[:])
}

// Store writes the low n (at most 8) bytes of v at pa, little-endian.
func (m *PhysMem) Store(pa uint64, n uint32, v uint64) {
	off := pa & (1<<chunkShift - 1)
	if off+uint64(n) <= 1<<chunkShift {
		c := m.chunk(pa, true)
		for i := uint64(0); i < uint64(n); i++ {
			c[off+i] = byte(v >> (8 * i))
		}
		return
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	m.Write(pa, b[:n])
}

// SetUint64 writes v little-endian at pa.
func (m *PhysMem) SetUint64(pa, v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	m.Write(pa, b[:])
}

// Zero clears n bytes from pa; whole chunks are dropped, so zeroing costs
// no memory.
func (m *PhysMem) Zero(pa, n uint64) {
	for n > 0 {
		off := pa & (1<<chunkShift - 1)
		k := min(n, 1<<chunkShift-off)
		if off == 0 && k == 1<<chunkShift {
			delete(m.chunks, pa>>chunkShift)
			if r := &m.recent[(pa>>chunkShift)%recentChunks]; r.key == pa>>chunkShift+1 {
				*r = recentChunk{}
			}
		} else if c := m.chunk(pa, false); c != nil {
			clear(c[off : off+k])
		}
		pa, n = pa+k, n-k
	}
}

// Copy copies n bytes from src to dst (the regions must not overlap). A
// whole chunk copied from one never written is dropped rather than filled
// with zeros, so copying zeros costs no memory.
func (m *PhysMem) Copy(dst, src, n uint64) {
	var buf [1 << chunkShift]byte
	for n > 0 {
		k := min(n, uint64(len(buf)))
		const whole = 1<<chunkShift - 1
		if k == 1<<chunkShift && dst&whole == 0 && src&whole == 0 && m.chunk(src, false) == nil {
			m.Zero(dst, k)
		} else {
			m.Read(src, buf[:k])
			m.Write(dst, buf[:k])
		}
		dst, src, n = dst+k, src+k, n-k
	}
}

// Chunks is the number of 4 KiB chunks holding data (the memory the
// emulator itself uses for contents).
func (m *PhysMem) Chunks() int { return len(m.chunks) }

// IsZero reports whether the n bytes from pa are all zero; chunks never
// written cost nothing to check.
func (m *PhysMem) IsZero(pa, n uint64) bool {
	for n > 0 {
		off := pa & (1<<chunkShift - 1)
		k := min(n, 1<<chunkShift-off)
		if c := m.chunk(pa, false); c != nil {
			for _, b := range c[off : off+k] {
				if b != 0 {
					return false
				}
			}
		}
		pa, n = pa+k, n-k
	}
	return true
}
