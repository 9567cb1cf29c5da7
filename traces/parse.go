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
//     next lines. (Decoding 8 bytes at a time with word arithmetic was
//     tried: it does more work and puts loads on the critical path; it
//     ran at half the speed.)
//
// Any line not of the usual shape goes to parseLine, byte by byte.

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

// parse decodes complete lines of buf[r:lim] into recs. Every scan stops at
// a byte that is not a digit, at the latest at the '\n' that ends each line,
// so none runs past lim.
func (t *textReader) parse(recs []Record) (int, error) {
	b := (*[bufAlloc]byte)(t.buf)
	p, lim, n, line := t.r, t.lim, 0, t.line
	for n < len(recs) && p < lim {
		line++
		pre := prefixTab[uint16(b[p&amask])|uint16(b[(p+1)&amask])<<8]
		q := p + 2
		blank := b[q&amask] == ' '
		if blank {
			q++
		}
		a := q
		var addr uint64
		for d := hexVal[b[q&amask]]; d <= 15; d = hexVal[b[q&amask]] {
			addr = addr<<4 | uint64(d)
			q++
		}
		s := q + 1
		var size uint64
		for d := b[s&amask] - '0'; d <= 9; d = b[s&amask] - '0' {
			size = size*10 + uint64(d)
			s++
		}
		// At most 16 address digits and 9 size digits: no overflow.
		if pre == 0 || pre&needBlank != 0 && !blank || q == a || q-a > 16 ||
			b[q&amask] != ',' || s-q-1 > 9 || size == 0 || b[s&amask] != '\n' {
			rec, ok, next := parseLine(b[:], p)
			if next < 0 {
				t.line = line
				return n, t.lineError(line, b[p:lim])
			}
			if ok {
				recs[n] = rec
				n++
			}
			p = next
			continue
		}
		recs[n] = Record{Addr: addr, Size: uint32(size), Op: Op(pre&7 - 1)}
		n++
		p = s + 1
	}
	t.r, t.line = p, line
	return n, nil
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
	if p < 0 || size == 0 {
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

// skipNonRecord passes a blank line or a valgrind "==PID==" message starting
// at p, returning where the next line starts, or -1 if the line is bad.
func skipNonRecord(b []byte, p int) int {
	if b[p] == '=' {
		if b[p+1] != '=' {
			return -1
		}
		for b[p] != '\n' {
			p++
		}
		return p + 1
	}
	for c := b[p]; c == ' ' || c == '\t' || c == '\r'; c = b[p] {
		p++
	}
	if b[p] != '\n' {
		return -1
	}
	return p + 1
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
// bits.
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
