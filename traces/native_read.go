package traces

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/bits"
	"strconv"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// nativeReader reads a native trace frame by frame: it reads and checks a
// frame, decompresses it whole, then decodes its records straight into the
// caller's buffer.
type nativeReader struct {
	name, zkind string
	src         io.Reader
	closeFn     func() error
	carries     Carries
	version     uint16
	st          *nativeState
	dec         *zstd.Decoder
	closed      bool

	off      int64 // stream offset of the next frame
	frameOff int64 // offset of the frame being decoded
	frameNo  int   // 1-based number of that frame
	err      error // sticky: io.EOF, or what went wrong

	comp, payload []byte
	// The columns of the current frame and where decoding is in each.
	kinds, sizes, addrs, values, info, misc, threads []byte
	ki, si, ai, vi, ii, mi, ti                       int

	// predictor state, reset at each frame
	fetchEnd, ip uint64
	slot         uint
	pid          uint16
	thread       uint8
	table        []pred
}

func openNative(in *Input) (Reader, error) {
	r, err := newNative(in.Name, in.Compression, in.R, in.Close)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// newNative checks the header at the start of src.
func newNative(name, zkind string, src io.Reader, closeFn func() error) (*nativeReader, error) {
	r := &nativeReader{name: name, zkind: zkind, src: src, closeFn: closeFn}
	var h [nativeHeaderLen]byte
	if n, err := readFull(src, h[:]); err != nil {
		if err == io.EOF {
			return nil, offsetError(name, int64(n), "truncated native trace header (%d of %d bytes)", n, nativeHeaderLen)
		}
		return nil, streamError(name, zkind, err)
	}
	if string(h[:8]) != NativeMagic {
		return nil, offsetError(name, 0, "not a native trace (bad magic)")
	}
	if got, want := binary.LittleEndian.Uint32(h[12:]), crc32.Checksum(h[:12], castagnoli); got != want {
		return nil, offsetError(name, 12, "corrupt native trace header (checksum %08x, want %08x)", got, want)
	}
	r.version = binary.LittleEndian.Uint16(h[8:])
	if r.version < nativeV1 || r.version > NativeVersion {
		return nil, offsetError(name, 8, "native trace version %d; this emu reads versions %d to %d", r.version, nativeV1, NativeVersion)
	}
	r.carries = Carries(binary.LittleEndian.Uint16(h[10:]))
	known := carriesAll
	if r.version == nativeV1 {
		known &^= CarriesThreads // version 1 has no threads
	}
	if unknown := r.carries &^ known; unknown != 0 {
		return nil, offsetError(name, 10, "native trace header has unknown flags %#x for version %d (written by a newer emu?)",
			uint16(unknown), r.version)
	}
	st, ok := nativePool.Get().(*nativeState)
	if !ok {
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxFramePayload))
		if err != nil {
			return nil, err
		}
		st = &nativeState{dec: dec, table: make([]pred, predSize)}
	}
	r.st = st
	r.dec, r.comp, r.payload, r.table = st.dec, st.comp, st.payload, st.table
	r.off = nativeHeaderLen
	return r, nil
}

// nativeState is what a native reader holds besides its position: the
// zstd decoder, the buffers and the predictor table. A sweep opens many
// traces: Close gives them back for the next reader.
type nativeState struct {
	dec           *zstd.Decoder
	comp, payload []byte
	table         []pred
}

var nativePool sync.Pool

func (r *nativeReader) Format() string   { return "native" }
func (r *nativeReader) Carries() Carries { return r.carries }

func (r *nativeReader) instructions(modifyAsLoad bool) InstrReader {
	return groupRefs(r, modifyAsLoad)
}

func (r *nativeReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.err = errClosed
	r.kinds, r.sizes, r.addrs, r.values, r.info, r.misc, r.threads = nil, nil, nil, nil, nil, nil, nil
	r.ki = 0
	r.st.comp, r.st.payload = r.comp[:0], r.payload[:0]
	nativePool.Put(r.st)
	r.st, r.dec, r.comp, r.payload, r.table = nil, nil, nil, nil, nil
	if r.closeFn != nil {
		return r.closeFn()
	}
	return nil
}

func (r *nativeReader) frameError(format string, args ...any) error {
	e := offsetError(r.name, r.frameOff, format, args...)
	e.Msg = "frame " + strconv.Itoa(r.frameNo) + ": " + e.Msg
	return e
}

// readFull reads len(b) bytes. If the stream ends first, cleanly, it
// returns how many it read and io.EOF; any other error is the stream's own
// (a decompressor's io.ErrUnexpectedEOF for a truncated gzip stream, say).
func readFull(src io.Reader, b []byte) (int, error) {
	n, idle := 0, 0
	for n < len(b) {
		m, err := src.Read(b[n:])
		n += m
		if err == io.EOF && n == len(b) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			if idle++; idle > 100 { // a reader that never makes progress
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// nextFrame checks that the current frame was decoded to its end, then
// reads, checks and decompresses the next; at the end marker it sets
// r.err to io.EOF.
func (r *nativeReader) nextFrame() {
	if r.err != nil {
		return
	}
	if r.kinds != nil && (r.si != len(r.sizes) || r.ai != len(r.addrs) || r.vi != len(r.values) ||
		r.ii != len(r.info) || r.mi != len(r.misc) || r.ti != len(r.threads)) {
		r.err = r.frameError("corrupt frame: its columns do not end with its records")
		return
	}
	r.frameOff = r.off
	r.frameNo++
	var h [frameHeaderLen]byte
	n, err := readFull(r.src, h[:])
	if err != nil {
		if err == io.EOF {
			r.err = r.frameError("truncated native trace: %s", map[bool]string{
				true: "the end marker is missing", false: "frame header cut short"}[n == 0])
		} else {
			r.err = streamError(r.name, r.zkind, err)
		}
		return
	}
	if got, want := binary.LittleEndian.Uint32(h[16:]), crc32.Checksum(h[:16], castagnoli); got != want {
		r.err = r.frameError("corrupt frame header (checksum %08x, want %08x)", got, want)
		return
	}
	count := binary.LittleEndian.Uint32(h[0:])
	u := binary.LittleEndian.Uint32(h[4:])
	c := binary.LittleEndian.Uint32(h[8:])
	sum := binary.LittleEndian.Uint32(h[12:])
	r.off += frameHeaderLen
	if count == 0 {
		r.err = r.endMarker(u != 0 || c != 0 || sum != 0)
		return
	}
	if count > maxFrameRecords || u > maxFramePayload || c > maxFramePayload+(1<<20) || uint64(u) < uint64(count) {
		r.err = r.frameError("corrupt frame header (%d records, %d bytes, %d compressed)", count, u, c)
		return
	}
	if cap(r.comp) < int(c) {
		r.comp = make([]byte, c)
	}
	r.comp = r.comp[:c]
	if m, err := readFull(r.src, r.comp); err != nil {
		if err == io.EOF {
			r.err = r.frameError("truncated native trace: frame cut short (%d of %d bytes)", m, c)
		} else {
			r.err = streamError(r.name, r.zkind, err)
		}
		return
	}
	r.off += int64(c)
	if cap(r.payload) < int(u) {
		r.payload = make([]byte, 0, u)
	}
	p, err := r.dec.DecodeAll(r.comp, r.payload[:0])
	if err != nil {
		r.err = r.frameError("corrupt frame: %v", err)
		return
	}
	if len(p) != int(u) {
		r.err = r.frameError("corrupt frame: %d bytes decompressed, want %d", len(p), u)
		return
	}
	if got := crc32.Checksum(p, castagnoli); got != sum {
		r.err = r.frameError("corrupt frame (checksum %08x, want %08x)", got, sum)
		return
	}
	r.payload = p
	if err := r.setColumns(p, count); err != nil {
		r.err = err
		return
	}
	r.ki, r.si, r.ai, r.vi, r.ii, r.mi, r.ti = 0, 0, 0, 0, 0, 0, 0
	r.fetchEnd, r.ip, r.slot, r.pid, r.thread = 0, 0, 0, 0, 0
	clear(r.table)
}

// endMarker checks the end marker just read (corrupt: its fields are not
// all zero) and that nothing follows it; io.EOF if all is well.
func (r *nativeReader) endMarker(corrupt bool) error {
	if corrupt {
		return r.frameError("corrupt end marker")
	}
	var extra [1]byte
	switch m, err := readFull(r.src, extra[:]); {
	case m > 0:
		return offsetError(r.name, r.off, "data after the end marker of the native trace")
	case err != io.EOF:
		return streamError(r.name, r.zkind, err) // a compressed stream's last check
	}
	return io.EOF
}

// setColumns cuts the payload p of a frame of count records into its
// columns: five lengths (six in version 2), then the kinds and the five
// (six) columns, which must fill p exactly.
func (r *nativeReader) setColumns(p []byte, count uint32) error {
	var all [6]uint64
	lens := all[:5]
	if r.version >= NativeVersion {
		lens = all[:6]
	}
	pos := 0
	for i := range lens {
		v, k := binary.Uvarint(p[pos:])
		if k <= 0 {
			return r.frameError("corrupt frame: bad column length")
		}
		lens[i] = v
		pos += k
	}
	// Five or six lengths of up to 2^64-1 each can wrap a plain sum
	// around to the payload's size: the sum is checked.
	total, carry := uint64(pos)+uint64(count), uint64(0)
	for _, l := range lens {
		var c uint64
		total, c = bits.Add64(total, l, 0)
		carry += c
	}
	if carry != 0 {
		return r.frameError("corrupt frame: columns of more than 2^64 bytes in a payload of %d", len(p))
	}
	if total != uint64(len(p)) {
		return r.frameError("corrupt frame: columns of %d bytes in a payload of %d", total, len(p))
	}
	cut := func(n uint64) []byte {
		b := p[pos : pos+int(n) : pos+int(n)]
		pos += int(n)
		return b
	}
	r.kinds = cut(uint64(count))
	r.sizes, r.addrs, r.values, r.info, r.misc = cut(lens[0]), cut(lens[1]), cut(lens[2]), cut(lens[3]), cut(lens[4])
	r.threads = nil
	if len(lens) == 6 {
		r.threads = cut(lens[5])
	}
	return nil
}

// unzig1 is unzigzag of the one-byte varints.
var unzig1 = func() (t [128]uint64) {
	for i := range t {
		t[i] = unzigzag(uint64(i))
	}
	return t
}()

// uvarint decodes a varint at b[*i:], advancing *i; ok is false if b ends
// first or the number overflows.
func uvarint(b []byte, i *int) (uint64, bool) {
	j := *i
	if j < len(b) && b[j] < 0x80 {
		*i = j + 1
		return uint64(b[j]), true
	}
	v, k := binary.Uvarint(b[min(j, len(b)):])
	if k <= 0 {
		return 0, false
	}
	*i = j + k
	return v, true
}

// Read decodes records into recs; what they carry beyond a Record is
// skipped.
func (r *nativeReader) Read(recs []Record) (int, error) {
	n := 0
	for n < len(recs) {
		if r.ki == len(r.kinds) {
			if r.err != nil {
				break
			}
			r.nextFrame()
			continue
		}
		n += r.decodeRecords(recs[n:])
		if n == len(recs) || r.ki == len(r.kinds) {
			continue
		}
		// decodeRecords stopped at a record it does not decode: a plain
		// one with a long varint, or one that carries more.
		if r.kinds[r.ki] < kindRich {
			if err := r.plainRecord(&recs[n]); err != nil {
				r.fail(err)
				break
			}
			n++
			continue
		}
		var ref Ref
		ok, err := r.slowRecord(&ref)
		if err != nil {
			r.fail(err)
			break
		}
		if ok {
			recs[n] = ref.Record
			n++
		}
	}
	if n > 0 {
		return n, nil
	}
	return 0, r.err
}

// decodeRecords is the hot loop: it decodes the usual references of the
// current frame until recs is full, the frame ends, or a record comes that
// it leaves to slowRecord: one with more than a Record holds (kind byte
// 0x80 and up), a size that is not in the kind byte, or an address whose
// varint is longer than a byte (under 2% of the records of matmul). That
// keeps the loop small enough for its variables to stay in registers.
func (r *nativeReader) decodeRecords(recs []Record) int {
	// Each record decoded here takes one kind byte and one address byte,
	// so one index serves the kinds, the addresses and recs.
	kinds, addrs := r.kinds[r.ki:], r.addrs[r.ai:]
	n := min(len(kinds), len(addrs), len(recs))
	kinds, addrs, recs = kinds[:n], addrs[:n], recs[:n]
	fetchEnd, ip, slot := r.fetchEnd, r.ip, r.slot
	table := (*[predSize]pred)(r.table)
	var hi uint64 // the addresses decoded, or'd: one past the top sets its top bits
	i := 0
	for ; i < len(kinds); i++ {
		k, a := kinds[i], addrs[i]
		if k >= kindRich || k < 4 || a >= 0x80 {
			break
		}
		d := unzig1[a&0x7f]
		// Each branch stores its record and goes on: joining them first
		// costs register shuffles.
		if k&3 == 0 {
			ip = fetchEnd + d
			hi |= ip
			recs[i] = Record{Addr: ip, Size: uint32(k >> 2), Op: Fetch}
			fetchEnd = ip + uint64(k>>2)
			slot = 0
			continue
		}
		p := &table[predIndex(ip, slot)]
		addr := p.last + p.stride + d
		p.stride, p.last = addr-p.last, addr
		slot = min(slot+1, maxSlot)
		hi |= addr
		recs[i] = Record{Addr: addr, Size: uint32(k >> 2), Op: Op(k & 3)}
	}
	if pid, th := r.pid, r.thread; pid != 0 || th != 0 { // after the loop: fewer registers in it
		for j := range recs[:i] {
			recs[j].PID, recs[j].Thread = pid, th
		}
	}
	if hi > ^uint64(0)-kindSizeMax { // so rare that the loop only ors the addresses
		if j := r.pastTopIn(recs[:i]); j >= 0 {
			return j // the records before it, and the reader has failed
		}
	}
	r.ki += i
	r.ai += i
	r.fetchEnd, r.ip, r.slot = fetchEnd, ip, slot
	return i
}

// plainRecord decodes the reference at r.ki, whose kind byte is below
// 0x80, with varints of any length.
func (r *nativeReader) plainRecord(rec *Record) error {
	k := r.kinds[r.ki]
	size := uint32(k >> 2)
	if size == 0 {
		v, err := r.size()
		if err != nil {
			return err
		}
		size = v
	}
	d, ok := uvarint(r.addrs, &r.ai)
	if !ok {
		return r.recordError(r.ki, "bad address")
	}
	d = unzigzag(d)
	var addr uint64
	if k&3 == 0 {
		addr = r.fetchEnd + d
		r.ip, r.fetchEnd, r.slot = addr, addr+uint64(size), 0
	} else {
		p := &r.table[predIndex(r.ip, r.slot)]
		addr = p.last + p.stride + d
		p.stride, p.last = addr-p.last, addr
		r.slot = min(r.slot+1, maxSlot)
	}
	if runsPastTop(addr, uint64(size)) {
		return r.pastTop(r.ki, addr, size)
	}
	*rec = Record{Addr: addr, Size: size, Op: Op(k & 3), PID: r.pid, Thread: r.thread}
	r.ki++
	return nil
}

// size decodes the next varint of the sizes column, for the record at
// r.ki, and checks it.
func (r *nativeReader) size() (uint32, error) {
	v, ok := uvarint(r.sizes, &r.si)
	if !ok {
		return 0, r.recordError(r.ki, "bad size")
	}
	if msg := checkSize(v); msg != "" {
		return 0, r.recordError(r.ki, "size: "+msg)
	}
	return uint32(v), nil
}

// kindSizeMax is the largest size a kind byte below kindRich holds.
const kindSizeMax = kindRich>>2 - 1

// pastTopIn looks in the records decodeRecords just decoded, from r.ki
// on, for one that runs past the top of the address space, and fails the
// reader at the first, returning its index; -1 if there is none. The loop
// calls it only when the or of its addresses has the top bits set: a
// test of each record there cost as much (a tenth of its time), a pass of
// its own over them more.
func (r *nativeReader) pastTopIn(recs []Record) int {
	for j := range recs {
		if runsPastTop(recs[j].Addr, uint64(recs[j].Size)) {
			r.fail(r.pastTop(r.ki+j, recs[j].Addr, recs[j].Size))
			return j
		}
	}
	return -1
}

// pastTop is the error of record ki, size bytes at addr that run past the
// top of the address space.
func (r *nativeReader) pastTop(ki int, addr uint64, size uint32) error {
	return r.recordError(ki, "size: "+strconv.FormatUint(uint64(size), 10)+" bytes at 0x"+strconv.FormatUint(addr, 16)+" "+pastTheTop)
}

func (r *nativeReader) recordError(ki int, msg string) error {
	return r.frameError("corrupt frame: record %d: %s", ki+1, msg)
}

// slowRecord decodes the record at r.ki with all it carries; ok is false
// for a record that is not a reference (a process or thread switch).
func (r *nativeReader) slowRecord(ref *Ref) (bool, error) {
	k := r.kinds[r.ki]
	if k >= kindOther {
		return false, r.switchRecord(k)
	}
	if k >= kindRich && k&0x30 != 0 {
		return false, r.frameError("record %d: unknown record kind %#02x (written by a newer emu?)", r.ki+1, k)
	}
	op := k & 3
	var size uint32
	if k < kindRich && k>>2 != 0 {
		size = uint32(k >> 2)
	} else {
		v, err := r.size()
		if err != nil {
			return false, err
		}
		size = v
	}
	d, ok := uvarint(r.addrs, &r.ai)
	if !ok {
		return false, r.recordError(r.ki, "bad address")
	}
	d = unzigzag(d)
	var addr uint64
	if op == 0 {
		addr = r.fetchEnd + d
		r.ip, r.fetchEnd, r.slot = addr, addr+uint64(size), 0
	} else {
		p := &r.table[predIndex(r.ip, r.slot)]
		addr = p.last + p.stride + d
		p.stride, p.last = addr-p.last, addr
		if r.slot < maxSlot {
			r.slot++
		}
	}
	if runsPastTop(addr, uint64(size)) {
		return false, r.pastTop(r.ki, addr, size)
	}
	*ref = Ref{Record: Record{Addr: addr, Size: size, Op: Op(op), PID: r.pid, Thread: r.thread}}
	if k >= kindRich {
		if k&kindRichValue != 0 {
			if r.carries&CarriesValues == 0 {
				return false, r.recordError(r.ki, "value, but the header does not announce values")
			}
			v, ok := uvarint(r.values, &r.vi)
			if !ok {
				return false, r.recordError(r.ki, "bad value")
			}
			ref.Value, ref.HasValue = v, true
		}
		if k&kindRichInfo != 0 {
			if op != 0 || r.carries&CarriesRegs == 0 {
				return false, r.recordError(r.ki, "registers on a record that cannot have them")
			}
			if r.ii+infoLen > len(r.info) {
				return false, r.recordError(r.ki, "registers cut short")
			}
			b := r.info[r.ii : r.ii+infoLen]
			r.ii += infoLen
			if b[0]&^3 != 0 {
				return false, r.recordError(r.ki, "bad branch flags")
			}
			ref.Branch, ref.Taken, ref.HasRegs = b[0]&1 != 0, b[0]&2 != 0, true
			ref.DstRegs = [2]uint8{b[1], b[2]}
			ref.SrcRegs = [4]uint8{b[3], b[4], b[5], b[6]}
		}
	}
	r.ki++
	return true, nil
}

// switchRecord decodes the process or thread switch at r.ki, of kind k.
func (r *nativeReader) switchRecord(k byte) error {
	switch {
	case k == kindProcess:
		v, ok := uvarint(r.misc, &r.mi)
		if !ok || v > 0xffff {
			return r.recordError(r.ki, "bad process id")
		}
		if r.carries&CarriesPIDs == 0 {
			return r.recordError(r.ki, "process switch, but the header does not announce processes")
		}
		r.pid = uint16(v)
	case k == kindThread && r.version >= NativeVersion:
		v, ok := uvarint(r.threads, &r.ti)
		if !ok || v > MaxThread {
			return r.recordError(r.ki, "bad thread id (at most "+strconv.Itoa(MaxThread)+")")
		}
		if r.carries&CarriesThreads == 0 {
			return r.recordError(r.ki, "thread switch, but the header does not announce threads")
		}
		r.thread = uint8(v)
	default:
		return r.frameError("record %d: unknown record kind %#02x (written by a newer emu?)", r.ki+1, k)
	}
	r.ki++
	return nil
}

// ReadRefs decodes refs with all they carry.
func (r *nativeReader) ReadRefs(refs []Ref) (int, error) {
	n := 0
	for n < len(refs) {
		if r.ki == len(r.kinds) {
			if r.err != nil {
				break
			}
			r.nextFrame()
			continue
		}
		ok, err := r.slowRecord(&refs[n])
		if err != nil {
			r.fail(err)
			break
		}
		if ok {
			n++
		}
	}
	if n > 0 {
		return n, nil
	}
	return 0, r.err
}

func (r *nativeReader) fail(err error) {
	r.err = err
	r.kinds, r.ki = nil, 0
}
