package traces

import (
	"io"

	"github.com/ulikunitz/xz"
)

// goXZ is the pure-Go xz decoder, for when the xz program is missing. That
// decoder takes a file cut at a block boundary for a complete one; but a
// complete xz file ends with its footer's magic "YZ" and then only zero
// padding, so goXZ checks that too.
type goXZ struct {
	z    *xz.Reader
	tail tailReader
}

func newGoXZ(src io.Reader) (*goXZ, error) {
	x := &goXZ{tail: tailReader{r: src}}
	z, err := xz.NewReader(&x.tail)
	if err != nil {
		return nil, err
	}
	x.z = z
	return x, nil
}

func (x *goXZ) Read(p []byte) (int, error) {
	n, err := x.z.Read(p)
	if err == io.EOF && x.tail.last != [2]byte{'Y', 'Z'} {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// tailReader remembers the last two bytes before any trailing zeros.
type tailReader struct {
	r    io.Reader
	last [2]byte
	prev byte // last byte read, zero or not
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	k := n
	for k > 0 && p[k-1] == 0 {
		k--
	}
	switch {
	case k >= 2:
		t.last = [2]byte{p[k-2], p[k-1]}
	case k == 1:
		t.last = [2]byte{t.prev, p[0]}
	}
	if n > 0 {
		t.prev = p[n-1]
	}
	return n, err
}
