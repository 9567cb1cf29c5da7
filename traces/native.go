package traces

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/zstd"
)

// The native format; doc.go describes it byte by byte.

func init() {
	Register(&Format{
		Name:       "native",
		Exts:       []string{".vmt"},
		Order:      10,
		Binary:     true,
		Compressed: true,
		Holds:      HoldsSizes | HoldsModifies | holdsCarried,
		Detect:     isNative,
		Open:       openNative,
		NewWriter:  newNativeTraceWriter,
	})
}

// WriteNative writes recs to w as a native trace, as opt says, header to
// end marker (it does not close w).
func WriteNative(w io.Writer, opt WriteOptions, recs []Record) error {
	nw, err := NewNativeWriter(w, opt)
	if err != nil {
		return err
	}
	if err := nw.Write(recs); err != nil {
		return err
	}
	return nw.Close()
}

func newNativeTraceWriter(w io.Writer, opt WriteOptions) (TraceWriter, error) {
	nw, err := NewNativeWriter(w, opt)
	if err != nil {
		return nil, err // not a nil *NativeWriter in a non-nil interface
	}
	return nw, nil
}

// isNative says whether a stream begins with the magic, or with at least
// 4 bytes of it (a file cut short, which the reader then calls truncated).
func isNative(s *Sniff) bool {
	return len(s.Head) >= 4 && (bytes.HasPrefix(s.Head, []byte(NativeMagic)) || bytes.HasPrefix([]byte(NativeMagic), s.Head))
}

// NativeMagic starts every native trace. Like PNG's, its first byte is not
// ASCII and it holds a CR LF and a ^Z, so that a text-mode transfer that
// mangles it is caught at once.
const NativeMagic = "\x89VMT\r\n\x1a\n"

// NativeVersion is the newest version this package writes and reads:
// version 2 adds a column of thread ids and the thread switch record. A
// trace whose records carry no threads (WriteOptions.Carries without
// CarriesThreads) is written as version 1, byte for byte as before, so
// that an older emu reads it.
const NativeVersion = 2

// nativeV1 is the first version: five columns, no thread switches.
const nativeV1 = 1

const (
	nativeHeaderLen = 16
	frameHeaderLen  = 20

	// DefaultFrameRecords is how many records a frame of a native trace
	// holds unless WriteOptions says otherwise.
	DefaultFrameRecords = 1 << 17

	// Limits a reader enforces on a frame header before trusting it.
	maxFrameRecords = 1 << 22
	maxFramePayload = 64 << 20
)

// The kind byte that starts every record.
//
//	0x00-0x7f  a reference: bits 0-1 op (0 fetch, 1 load, 2 store, 3
//	           modify), bits 2-6 its size, 1-31, or 0: the size is in the
//	           sizes column
//	0x80-0xbf  a reference with more: bits 0-1 op, bit 2 a value follows
//	           (values column), bit 3 registers and branch follow (info
//	           column; fetches only), bits 4-5 zero; the size is in the
//	           sizes column
//	0xc0       process switch: the records after it belong to the process
//	           whose id follows in the misc column
//	0xc1       thread switch (version 2): the records after it belong to
//	           the thread whose id follows in the threads column
//	0xc2-0xff  reserved for the OS records of the scenario format (fork,
//	           execve, mmap, munmap, mprotect, brk, exit, ...)
const (
	kindRich      = 0x80
	kindRichValue = 0x04
	kindRichInfo  = 0x08
	kindOther     = 0xc0
	kindProcess   = 0xc0
	kindThread    = 0xc1
	maxInlineSize = 31
)

const infoLen = 7 // flags, 2 destination registers, 4 source registers

// The per-instruction address predictor: a table of (last address,
// stride) indexed by a hash of the fetch address and the position of the
// data record in its instruction.
const (
	predBits = 12
	predSize = 1 << predBits
	maxSlot  = 7
)

type pred struct{ last, stride uint64 }

func predIndex[S uint | uint64](ip uint64, slot S) uint64 {
	return ((ip<<3 | uint64(slot)) * 0x9e3779b97f4a7c15) >> (64 - predBits)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func zigzag(v uint64) uint64   { return v<<1 ^ uint64(int64(v)>>63) }
func unzigzag(v uint64) uint64 { return v>>1 ^ -(v & 1) }

// WriteOptions are the choices of a trace writer.
type WriteOptions struct {
	// Carries says what the records may hold beyond kind, address and size
	// (native: written in the header; a ref carrying more is an error).
	Carries Carries
	// FrameRecords is the most records in one native frame;
	// 0 means DefaultFrameRecords.
	FrameRecords int
}

// NativeWriter writes a native trace. It buffers a frame at a time; Close
// writes the last frame and the end marker (it does not close the
// underlying writer).
type NativeWriter struct {
	w   io.Writer
	opt WriteOptions
	enc *zstd.Encoder
	err error

	kinds, sizes, addrs, values, info, misc, threads []byte
	payload, comp                                    []byte
	version                                          uint16

	// predictor state, reset at each frame
	fetchEnd, ip uint64
	slot         uint
	pid          uint16
	thread       uint8
	table        []pred
}

// NewNativeWriter writes the header of a native trace to w and returns a
// writer for its records.
func NewNativeWriter(w io.Writer, opt WriteOptions) (*NativeWriter, error) {
	if opt.FrameRecords <= 0 {
		opt.FrameRecords = DefaultFrameRecords
	}
	if opt.FrameRecords > maxFrameRecords {
		return nil, fmt.Errorf("traces: %d records per frame; at most %d", opt.FrameRecords, maxFrameRecords)
	}
	if opt.Carries&^carriesAll != 0 {
		return nil, fmt.Errorf("traces: unknown Carries bits %#x", uint16(opt.Carries&^carriesAll))
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, err
	}
	nw := &NativeWriter{w: w, opt: opt, enc: enc, table: make([]pred, predSize), version: nativeV1}
	if opt.Carries&CarriesThreads != 0 {
		nw.version = NativeVersion
	}
	var h [nativeHeaderLen]byte
	copy(h[:], NativeMagic)
	binary.LittleEndian.PutUint16(h[8:], nw.version)
	binary.LittleEndian.PutUint16(h[10:], uint16(opt.Carries))
	binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(h[:12], castagnoli))
	if _, err := w.Write(h[:]); err != nil {
		return nil, err
	}
	nw.reset()
	return nw, nil
}

func (w *NativeWriter) reset() {
	w.kinds, w.sizes, w.addrs = w.kinds[:0], w.sizes[:0], w.addrs[:0]
	w.values, w.info, w.misc, w.threads = w.values[:0], w.info[:0], w.misc[:0], w.threads[:0]
	w.fetchEnd, w.ip, w.slot, w.pid, w.thread = 0, 0, 0, 0, 0
	clear(w.table)
}

// Write appends records.
func (w *NativeWriter) Write(recs []Record) error {
	for i := range recs {
		if w.err != nil {
			break
		}
		w.put(&recs[i], nil)
	}
	return w.err
}

// WriteRefs appends refs, with what they carry beyond a Record.
func (w *NativeWriter) WriteRefs(refs []Ref) error {
	for i := range refs {
		if w.err != nil {
			break
		}
		w.put(&refs[i].Record, &refs[i])
	}
	return w.err
}

func (w *NativeWriter) put(rec *Record, ref *Ref) {
	if rec.Op > Modify {
		w.err = fmt.Errorf("traces: cannot write record with op %v", rec.Op)
		return
	}
	if msg := checkSize(uint64(rec.Size)); msg != "" {
		w.err = fmt.Errorf("traces: cannot write record %+v: size %s", *rec, msg)
		return
	}
	if runsPastTop(rec.Addr, uint64(rec.Size)) {
		w.err = fmt.Errorf("traces: cannot write record %+v: its bytes %s", *rec, pastTheTop)
		return
	}
	if rec.PID != w.pid || rec.Thread != w.thread {
		if !w.switchTo(rec) {
			return
		}
	}
	op := byte(rec.Op)
	var kind byte
	rich := ref != nil && (ref.HasValue || ref.HasRegs && rec.Op == Fetch)
	switch {
	case rich:
		kind = kindRich | op
		w.sizes = binary.AppendUvarint(w.sizes, uint64(rec.Size))
	case rec.Size >= 1 && rec.Size <= maxInlineSize:
		kind = op | byte(rec.Size)<<2
	default:
		kind = op
		w.sizes = binary.AppendUvarint(w.sizes, uint64(rec.Size))
	}
	if rec.Op == Fetch {
		w.addrs = binary.AppendUvarint(w.addrs, zigzag(rec.Addr-w.fetchEnd))
		w.ip, w.fetchEnd, w.slot = rec.Addr, rec.Addr+uint64(rec.Size), 0
	} else {
		p := &w.table[predIndex(w.ip, w.slot)]
		w.addrs = binary.AppendUvarint(w.addrs, zigzag(rec.Addr-p.last-p.stride))
		p.stride, p.last = rec.Addr-p.last, rec.Addr
		if w.slot < maxSlot {
			w.slot++
		}
	}
	if rich {
		if ref.HasValue {
			if w.opt.Carries&CarriesValues == 0 {
				w.err = errors.New("traces: record with a value, but the writer's Carries has no CarriesValues")
				return
			}
			kind |= kindRichValue
			w.values = binary.AppendUvarint(w.values, ref.Value)
		}
		if ref.HasRegs && rec.Op == Fetch {
			if w.opt.Carries&CarriesRegs == 0 {
				w.err = errors.New("traces: record with registers, but the writer's Carries has no CarriesRegs")
				return
			}
			kind |= kindRichInfo
			var f byte
			if ref.Branch {
				f |= 1
			}
			if ref.Taken {
				f |= 2
			}
			w.info = append(w.info, f, ref.DstRegs[0], ref.DstRegs[1],
				ref.SrcRegs[0], ref.SrcRegs[1], ref.SrcRegs[2], ref.SrcRegs[3])
		}
	}
	w.kinds = append(w.kinds, kind)
	if len(w.kinds) >= w.opt.FrameRecords {
		w.flushFrame()
	}
}

// switchTo writes the process and thread switches rec needs, in one frame
// with rec; false if the writer may not.
func (w *NativeWriter) switchTo(rec *Record) bool {
	switch {
	case rec.PID != w.pid && w.opt.Carries&CarriesPIDs == 0:
		w.err = fmt.Errorf("traces: record of process %d, but the writer's Carries has no CarriesPIDs", rec.PID)
		return false
	case rec.Thread != w.thread && w.opt.Carries&CarriesThreads == 0:
		w.err = fmt.Errorf("traces: record of thread %d, but the writer's Carries has no CarriesThreads", rec.Thread)
		return false
	}
	need := 1 // the record, and its switches
	for _, differs := range []bool{rec.PID != w.pid, rec.Thread != w.thread} {
		if differs {
			need++
		}
	}
	if len(w.kinds)+need > w.opt.FrameRecords {
		w.flushFrame() // a new frame starts in process 0, thread 0
	}
	if rec.PID != w.pid {
		w.kinds = append(w.kinds, kindProcess)
		w.misc = binary.AppendUvarint(w.misc, uint64(rec.PID))
		w.pid = rec.PID
	}
	if rec.Thread != w.thread {
		w.kinds = append(w.kinds, kindThread)
		w.threads = binary.AppendUvarint(w.threads, uint64(rec.Thread))
		w.thread = rec.Thread
	}
	return true
}

// columns are the frame's columns after the kinds, in the payload's order:
// version 2 adds the threads column.
func (w *NativeWriter) columns() [][]byte {
	cols := [][]byte{w.sizes, w.addrs, w.values, w.info, w.misc}
	if w.version >= NativeVersion {
		cols = append(cols, w.threads)
	}
	return cols
}

// flushFrame compresses and writes the records gathered so far.
func (w *NativeWriter) flushFrame() {
	if w.err != nil || len(w.kinds) == 0 {
		return
	}
	p := w.payload[:0]
	cols := w.columns()
	for _, col := range cols {
		p = binary.AppendUvarint(p, uint64(len(col)))
	}
	p = append(p, w.kinds...)
	for _, col := range cols {
		p = append(p, col...)
	}
	w.payload = p
	w.comp = w.enc.EncodeAll(p, w.comp[:0])
	w.writeFrame(uint32(len(w.kinds)), uint32(len(p)), crc32.Checksum(p, castagnoli), w.comp)
	w.reset()
}

func (w *NativeWriter) writeFrame(n, u, crc uint32, data []byte) {
	if len(data) > maxFramePayload+(1<<20) || u > maxFramePayload {
		w.err = fmt.Errorf("traces: frame of %d bytes is too big; use fewer FrameRecords", u)
		return
	}
	var h [frameHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], n)
	binary.LittleEndian.PutUint32(h[4:], u)
	binary.LittleEndian.PutUint32(h[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(h[12:], crc)
	binary.LittleEndian.PutUint32(h[16:], crc32.Checksum(h[:16], castagnoli))
	if _, err := w.w.Write(h[:]); err != nil {
		w.err = err
		return
	}
	if _, err := w.w.Write(data); err != nil {
		w.err = err
	}
}

// Close writes the last frame and the end marker.
func (w *NativeWriter) Close() error {
	w.flushFrame()
	if w.err == nil {
		w.writeFrame(0, 0, 0, nil)
	}
	if w.err == nil {
		w.err = errWriterClosed
		return nil
	}
	if w.err == errWriterClosed {
		return nil
	}
	return w.err
}

var errWriterClosed = errors.New("traces: write after Close")
