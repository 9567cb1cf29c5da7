package traces

// The parser is the hot loop of every simulation. What makes it fast, as
// measured on matmul.lackey (see BenchmarkParseLackey):
//
//   - Few instructions per byte: digits are scanned by a table lookup and a
//     shift, with no overflow check inside the loops (the digit count,
//     checked once after, rules overflow out), and indexes are masked into a
//     power-of-two array, which the compiler needs no bounds check for.
//   - Few mispredicted branches: lackey alternates "I  0401ab70,3" and
//     " S 1fff000d38,8", so a branch on the indentation would guess wrong
//     on every change; one lookup of the first two bytes gives the op for
//     both shapes instead.
//   - Positions advance by control flow (p++ in loops the CPU predicts),
//     not by arithmetic on loaded data, so the CPU can run ahead into the
//     next lines. Decoding 8 bytes at a time with word arithmetic (SWAR)
//     was tried: it does more work and puts loads on the critical path, and
//     ran at half the speed. Two digits per table lookup was no faster.
//   - The loop over usual lines (fastLines) calls nothing and keeps few
//     variables alive, so they stay in registers.
//
// Any other line goes to parseLine, byte by byte.

const amask = bufAlloc - 1

// prefixTab maps the first two bytes of a line, the first in the low byte,
// to 1+op, plus needBlank if a blank must follow them: "I " or " I" and
// the like. Zero means the line needs a closer look.
var prefixTab = func() (t [1 << 16]uint8) {
	for _, c := range "ILSM" {
		for _, bl := range " \t" {
			t[uint16(c)|uint16(bl)<<8] = opTab[c]
			t[uint16(bl)|uint16(c)<<8] = opTab[c] | needBlank
		}
	}
	return t
}()

const needBlank = 8

var (
	blankTab = [256]uint8{' ': 1, '\t': 1}
	opTab    = [256]uint8{'I': 1 + uint8(Fetch), 'L': 1 + uint8(Load), 'S': 1 + uint8(Store), 'M': 1 + uint8(Modify)}
)

// hexVal maps a byte to its hex digit value, or 0xff.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := byte(0); i < 10; i++ {
		t['0'+i] = i
	}
	for i := byte(0); i < 6; i++ {
		t['a'+i] = 10 + i
		t['A'+i] = 10 + i
	}
	return t
}()

// parse decodes complete lines of buf[r:lim] into recs: the usual ones with
// fastLines, the others with parseLine.
func (t *textReader) parse(recs []Record) (int, error) {
	b := (*[bufAlloc]byte)(t.buf)
	p, lim, n := t.r, t.lim, 0
	for n < len(recs) && p < lim {
		m, next := fastLines(b, p, lim, recs[n:])
		n += m
		t.line += m
		p = next
		if n == len(recs) || p == lim {
			break
		}
		t.line++
		rec, ok, next := parseLine(b[:], p)
		if next < 0 && t.mixed && !recordLike(b[:], p) {
			// The program's own output, in a valgrind log written to
			// its standard output: csim-ref skips it too.
			rec, ok, next = Record{}, false, lineEnd(b[:], p)+1
		}
		if next < 0 {
			return n, t.lineError(t.line, b[p:lim])
		}
		if ok {
			recs[n] = rec
			n++
		}
		p = next
	}
	t.r = p
	return n, nil
}

// fastLines decodes lines of the usual shape from b[p:lim] into recs, and
// returns how many and where it stopped: at lim, when recs is full, or at a
// line that needs parseLine. Every scan stops at a byte that is not a
// digit, at the latest at the '\n' that ends each line, so none runs past
// lim. It calls nothing and keeps few variables alive: otherwise the
// compiler keeps addr and size in memory, a store and a load per digit.
func fastLines(b *[bufAlloc]byte, p, lim int, recs []Record) (int, int) {
	out := recs
	for len(out) > 0 && p < lim {
		op := prefixTab[uint16(b[p&amask])|uint16(b[(p+1)&amask])<<8]
		q := p + 2
		if b[q&amask] == ' ' {
			q++
		} else if op&needBlank != 0 {
			break
		}
		if op == 0 {
			break
		}
		start := q
		var addr uint64
		for {
			d := hexVal[b[q&amask]]
			if d > 15 {
				break
			}
			addr = addr<<4 | uint64(d)
			q++
		}
		if q == start || q-start > 16 || b[q&amask] != ',' {
			break // no digits, or maybe too many for 64 bits
		}
		q++
		start = q
		var size uint64
		for {
			d := b[q&amask] - '0'
			if d > 9 {
				break
			}
			size = size*10 + uint64(d)
			q++
		}
		if size-1 >= MaxAccessSize || q-start > 9 || b[q&amask] != '\n' || runsPastTop(addr, size) {
			break // no digits, 0, too big, maybe too many for 64 bits, or past the top
		}
		out[0] = Record{Addr: addr, Size: uint32(size), Op: Op(op&7 - 1)}
		out = out[1:]
		p = q + 1
	}
	return len(recs) - len(out), p
}

// parseLine decodes the line at b[p:], one byte at a time. It returns the
// record and true if the line holds one, false for a blank line or a valgrind
// message, and where the next line starts, or -1 if the line is bad.
func parseLine(b []byte, p int) (Record, bool, int) {
	for blankTab[b[p]] != 0 {
		p++
	}
	op := opTab[b[p]]
	if op == 0 {
		return Record{}, false, skipNonRecord(b, p)
	}
	p++
	if blankTab[b[p]] == 0 {
		return Record{}, false, -1
	}
	for blankTab[b[p]] != 0 {
		p++
	}
	if b[p] == '0' && b[p+1]|0x20 == 'x' {
		p += 2
	}
	addr, p := longHex(b, p)
	if p < 0 {
		return Record{}, false, -1
	}
	for blankTab[b[p]] != 0 {
		p++
	}
	if b[p] != ',' {
		return Record{}, false, -1
	}
	p++
	for blankTab[b[p]] != 0 {
		p++
	}
	size, p := longDec(b, p)
	if p < 0 || size-1 >= MaxAccessSize || runsPastTop(addr, size) {
		return Record{}, false, -1
	}
	for c := b[p]; c == ' ' || c == '\t' || c == '\r'; c = b[p] {
		p++
	}
	if b[p] != '\n' {
		return Record{}, false, -1
	}
	return Record{Addr: addr, Size: uint32(size), Op: Op(op - 1)}, true, p + 1
}

// skipNonRecord passes a blank line or a valgrind message ("==PID==", or
// "--PID--" with -v) starting at p, returning where the next line starts,
// or -1 if the line is bad.
func skipNonRecord(b []byte, p int) int {
	if isValgrindLine(b, p) {
		return lineEnd(b, p) + 1
	}
	for c := b[p]; c == ' ' || c == '\t' || c == '\r'; c = b[p] {
		p++
	}
	if b[p] != '\n' {
		return -1
	}
	return p + 1
}

// isValgrindLine says whether the line at b[p:] is a message of valgrind's
// own: "==" and anything, or "--" digits "--".
func isValgrindLine(b []byte, p int) bool {
	switch {
	case b[p] == '=' && b[p+1] == '=':
		return true
	case b[p] != '-' || b[p+1] != '-':
		return false
	}
	q := p + 2
	for b[q]-'0' <= 9 {
		q++
	}
	return q > p+2 && b[q] == '-' && b[q+1] == '-'
}

// recordLike says whether the line at b[p:] starts as lackey's records do,
// "I" or a blank and L, S or M, then a blank: the lines csim-ref reads.
func recordLike(b []byte, p int) bool {
	if b[p] == 'I' {
		return blankTab[b[p+1]] != 0
	}
	return blankTab[b[p]] != 0 && (b[p+1] == 'L' || b[p+1] == 'S' || b[p+1] == 'M') && blankTab[b[p+2]] != 0
}

// lineEnd returns the index of the '\n' that ends the line at b[p:].
func lineEnd(b []byte, p int) int {
	for b[p] != '\n' {
		p++
	}
	return p
}

// longHex decodes hex digits, rejecting none at all and overflow.
func longHex(b []byte, p int) (uint64, int) {
	var v uint64
	start := p
	for ; hexVal[b[p]] <= 15; p++ {
		if v >= 1<<60 {
			return 0, -1
		}
		v = v<<4 | uint64(hexVal[b[p]])
	}
	if p == start {
		return 0, -1
	}
	return v, p
}

// longDec decodes decimal digits, rejecting none at all and what exceeds 32
// bits (a size's own bound, MaxAccessSize, is the caller's).
func longDec(b []byte, p int) (uint64, int) {
	var v uint64
	start := p
	for ; b[p]-'0' <= 9; p++ {
		if v = v*10 + uint64(b[p]-'0'); v > 1<<32-1 {
			return 0, -1
		}
	}
	if p == start {
		return 0, -1
	}
	return v, p
}
