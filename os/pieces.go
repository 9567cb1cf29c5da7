package os

import "strings"

// Pieces holds bytes in pieces of at most a MiB: a process's standard
// output, or what a write copied from a process on its way to a file. One
// buffer grown by appending would leave up to twice its size behind as
// garbage, and one made at the size asked for would take memory for bytes
// a short copy never brings.
type Pieces struct {
	pieces [][]byte
	size   uint64
	// Want is the size expected, if known.
	Want uint64
}

const pieceBytes = 1 << 20

func (p *Pieces) add(b []byte) {
	for len(b) > 0 {
		last := len(p.pieces) - 1
		if last < 0 || len(p.pieces[last]) == cap(p.pieces[last]) {
			size := p.nextSize(len(b))
			p.pieces = append(p.pieces, make([]byte, 0, size))
			last++
		}
		n := min(len(b), cap(p.pieces[last])-len(p.pieces[last]))
		p.pieces[last] = append(p.pieces[last], b[:n]...)
		p.size += uint64(n)
		b = b[n:]
	}
}

// nextSize is the capacity of a new piece for n more bytes: what is left
// of Want, or, with nothing known, twice the last piece, so a few bytes
// take a few bytes and many take a MiB at a time, never copied again.
func (p *Pieces) nextSize(n int) uint64 {
	if p.Want > p.size {
		return min(pieceBytes, max(p.Want-p.size, uint64(n)))
	}
	last := uint64(0)
	if len(p.pieces) > 0 {
		last = uint64(cap(p.pieces[len(p.pieces)-1]))
	}
	return min(pieceBytes, max(2*last, uint64(n), 64))
}

// Len is how many bytes p holds.
func (p *Pieces) Len() uint64 { return p.size }

// String is p's bytes, copied once.
func (p *Pieces) String() string {
	var s strings.Builder
	s.Grow(int(p.size))
	for _, piece := range p.pieces {
		s.Write(piece)
	}
	return s.String()
}
