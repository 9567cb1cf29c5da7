package traces

import (
	"encoding/binary"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

func init() {
	Register(&Format{
		Name:   "champsim",
		Title:  "ChampSim",
		Exts:   []string{".champsim", ".champsimtrace"},
		Order:  20,
		Binary: true,
		Holds:  HoldsRegs,
		Instead: map[Holds]string{
			HoldsSizes:    "they read back as 4 bytes for a fetch, 8 for data",
			HoldsModifies: "each is written as a load and a store",
		},
		Detect: func(s *Sniff) bool {
			return champsimHint(s.Name) && (s.Binary || len(s.Head) == 0) || s.Binary && looksLikeChampSim(s.Head)
		},
		Open: openChampSim,
		NewWriter: func(w io.Writer, _ WriteOptions) (TraceWriter, error) {
			return NewChampSimWriter(w), nil
		},
	})
}

// openChampSim refuses at once a plain file whose size is not a multiple
// of a record.
func openChampSim(in *Input) (Reader, error) {
	f, err := openRecords(in, ChampSimRecordSize, "ChampSim")
	if err != nil {
		return nil, err
	}
	return newInstrStream(&champsimReader{f}), nil
}

// ChampSim's trace record, input_instr in ChampSim's inc/trace_instruction.h
// (and trace_instr_format_t in tracer/pin/champsim_tracer.cpp): 64 bytes,
// little-endian, no padding.
//
//	offset size field
//	0      8    ip
//	8      1    is_branch
//	9      1    branch_taken
//	10     2    destination_registers[2]
//	12     4    source_registers[4]
//	16     16   destination_memory[2]  (uint64 each)
//	32     32   source_memory[4]       (uint64 each)
//
// Zero means "no operand" in the register and memory arrays.
const ChampSimRecordSize = 64

const (
	csIP      = 0
	csBranch  = 8
	csTaken   = 9
	csDstRegs = 10
	csSrcRegs = 12
	csDstMem  = 16
	csSrcMem  = 32
	csNDstMem = 2
	csNSrcMem = 4
	csBatch   = 1024 // records read at a time
)

// ChampSim records no access sizes; the reader gives a fetch 4 bytes and a
// load or store 8, cut short at the end of the 64-byte line so that, as in
// ChampSim, each operand touches exactly one line.
const (
	ChampSimFetchSize = 4
	ChampSimDataSize  = 8
)

func champsimSize(addr uint64, size uint32) uint32 {
	if room := 64 - addr&63; uint64(size) > room {
		return uint32(room)
	}
	return size
}

// DecodeChampSim decodes one 64-byte input_instr (b must hold at least 64
// bytes) into an instruction: its fetch, its source memory operands as
// loads, then its destination memory operands as stores, skipping zeros.
func DecodeChampSim(b []byte, in *Instr) {
	_ = b[63]
	ip := binary.LittleEndian.Uint64(b[csIP:])
	*in = Instr{
		IP:      ip,
		Size:    champsimSize(ip, ChampSimFetchSize),
		Branch:  b[csBranch] != 0,
		Taken:   b[csTaken] != 0,
		HasRegs: true,
		DstRegs: [2]uint8{b[csDstRegs], b[csDstRegs+1]},
		SrcRegs: [4]uint8{b[csSrcRegs], b[csSrcRegs+1], b[csSrcRegs+2], b[csSrcRegs+3]},
	}
	for i := range csNSrcMem {
		if a := binary.LittleEndian.Uint64(b[csSrcMem+8*i:]); a != 0 {
			in.Mem[in.NMem] = MemRef{Addr: a, Size: champsimSize(a, ChampSimDataSize)}
			in.NMem++
		}
	}
	for i := range csNDstMem {
		if a := binary.LittleEndian.Uint64(b[csDstMem+8*i:]); a != 0 {
			in.Mem[in.NMem] = MemRef{Addr: a, Size: champsimSize(a, ChampSimDataSize), Store: true}
			in.NMem++
		}
	}
}

// EncodeChampSim encodes an instruction as a 64-byte input_instr into b:
// loads go to source_memory and stores to destination_memory, in order.
// Sizes are dropped. It fails if the instruction has more than 4 loads or 2
// stores, or a data address 0, which ChampSim reads as "no operand".
func EncodeChampSim(b []byte, in *Instr) error {
	_ = b[63]
	clear(b[:ChampSimRecordSize])
	binary.LittleEndian.PutUint64(b[csIP:], in.IP)
	if in.Branch {
		b[csBranch] = 1
	}
	if in.Taken {
		b[csTaken] = 1
	}
	copy(b[csDstRegs:], in.DstRegs[:])
	copy(b[csSrcRegs:], in.SrcRegs[:])
	loads, stores := 0, 0
	for _, m := range in.Refs() {
		if m.Addr == 0 {
			return fmt.Errorf("address 0 cannot be written to a ChampSim trace (0 means no operand)")
		}
		if m.Store {
			if stores == csNDstMem {
				return fmt.Errorf("instruction at %#x has more than %d stores, the most a ChampSim record holds", in.IP, csNDstMem)
			}
			binary.LittleEndian.PutUint64(b[csDstMem+8*stores:], m.Addr)
			stores++
		} else {
			if loads == csNSrcMem {
				return fmt.Errorf("instruction at %#x has more than %d loads, the most a ChampSim record holds", in.IP, csNSrcMem)
			}
			binary.LittleEndian.PutUint64(b[csSrcMem+8*loads:], m.Addr)
			loads++
		}
	}
	return nil
}

// champsimHint says whether a file's name marks it as a ChampSim trace:
// ".champsim" or ".champsimtrace", before any compression suffix
// ("600.perlbench_s-210B.champsimtrace.xz").
func champsimHint(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	for _, z := range []string{".gz", ".xz", ".zst"} {
		base = strings.TrimSuffix(base, z)
	}
	return strings.HasSuffix(base, ".champsim") || strings.HasSuffix(base, ".champsimtrace")
}

// looksLikeChampSim says whether head, the start of a binary stream, is
// made of plausible ChampSim records: at least one whole record, each
// plausible (plausibleRecords) with its ip and memory addresses canonical.
func looksLikeChampSim(head []byte) bool {
	return len(head) >= ChampSimRecordSize &&
		plausibleRecords(head, ChampSimRecordSize, []int{csIP, 16, 24, 32, 40, 48, 56})
}

// plausibleRecords says whether every whole record of size bytes in head
// could be one of ChampSim's formats: is_branch and branch_taken (at
// csBranch, csTaken) 0 or 1, taken only on a branch, and the addresses at
// addrs canonical (bits 56-63 all 0 or all 1, which allows 5-level
// paging). A partial record at the end is not looked at.
func plausibleRecords(head []byte, size int, addrs []int) bool {
	for off := 0; off+size <= len(head); off += size {
		b := head[off : off+size]
		if b[csBranch] > 1 || b[csTaken] > 1 || b[csTaken] > b[csBranch] {
			return false
		}
		for _, a := range addrs {
			if top := binary.LittleEndian.Uint64(b[a:]) >> 56; top != 0 && top != 0xff {
				return false
			}
		}
	}
	return true
}

// champsimReader reads 64-byte records; it is served by an instrStream.
type champsimReader struct{ *recordFile }

func (c *champsimReader) format() string   { return "champsim" }
func (c *champsimReader) carries() Carries { return CarriesRegs }

func (c *champsimReader) fill(ins []Instr) (int, error) {
	b := c.next(len(ins))
	n := len(b) / ChampSimRecordSize
	for i := range n {
		DecodeChampSim(b[i*ChampSimRecordSize:], &ins[i])
	}
	if n > 0 {
		return n, nil
	}
	return 0, c.err
}

// recordFile reads a stream of records of one size (ChampSim's 64 bytes,
// CloudSuite's 96) a batch at a time, and says where it went wrong: a
// record cut short at the end, by its offset; the decompressor's errors.
type recordFile struct {
	name, zkind string
	title       string // the format, for errors
	size        int    // bytes a record
	src         io.Reader
	closeFn     func() error
	raw         []byte
	off         int64 // bytes handed out so far
	err         error
}

// openRecords refuses at once a plain file whose size is not a multiple
// of size, and makes its recordFile.
func openRecords(in *Input, size int, title string) (*recordFile, error) {
	if in.Size >= 0 && in.Size%int64(size) != 0 {
		return nil, partialRecordError(in.Name, in.Size-in.Size%int64(size), int(in.Size%int64(size)), size, title)
	}
	return &recordFile{name: in.Name, zkind: in.Compression, title: title, size: size, src: in.R, closeFn: in.Close,
		raw: make([]byte, csBatch*size)}, nil
}

func (f *recordFile) close() error {
	if f.closeFn != nil {
		return f.closeFn()
	}
	return nil
}

// next reads up to n records (at most csBatch) and returns their bytes;
// none at the end, or after an error (f.err).
func (f *recordFile) next(n int) []byte {
	if f.err != nil {
		return nil
	}
	got, err := readFull(f.src, f.raw[:min(n, csBatch)*f.size])
	whole := got - got%f.size
	f.off += int64(whole)
	switch {
	case err == io.EOF && got%f.size != 0:
		f.err = partialRecordError(f.name, f.off, got%f.size, f.size, f.title)
	case err == io.EOF:
		f.err = io.EOF
	case err != nil:
		f.err = streamError(f.name, f.zkind, err)
	}
	return f.raw[:whole]
}

func partialRecordError(name string, off int64, n, size int, title string) error {
	return offsetError(name, off, "partial record: %d of %d bytes (a %s trace's size is a multiple of %d)",
		n, size, title, size)
}

// ChampSimWriter writes ChampSim traces. It buffers; Close writes out the
// rest (it does not close the underlying writer).
type ChampSimWriter struct {
	w   io.Writer
	buf []byte
	err error
	// WriteRefs gathers refs into an instruction.
	cur     Instr
	have    bool
	fetched bool // cur began with a fetch: data joins it until the next
	ip      uint64
}

// NewChampSimWriter returns a writer with a 64 KiB buffer in front of w.
func NewChampSimWriter(w io.Writer) *ChampSimWriter {
	return &ChampSimWriter{w: w, buf: make([]byte, 0, 1024*ChampSimRecordSize)}
}

// WriteInstrs appends one record per instruction (see EncodeChampSim).
func (w *ChampSimWriter) WriteInstrs(ins []Instr) error {
	for i := range ins {
		w.put(&ins[i])
	}
	return w.err
}

func (w *ChampSimWriter) put(in *Instr) {
	if w.err != nil {
		return
	}
	if len(w.buf)+ChampSimRecordSize > cap(w.buf) {
		w.flush()
	}
	n := len(w.buf)
	w.buf = w.buf[:n+ChampSimRecordSize]
	if err := EncodeChampSim(w.buf[n:], in); err != nil {
		w.buf = w.buf[:n]
		w.err = fmt.Errorf("traces: %v", err)
	}
}

// WriteRefs groups refs into instructions and writes them: a fetch starts
// one (with its registers and branch outcome), loads and stores join it, a
// modify is a load and a store. Loads beyond 4 or stores beyond 2 go to
// another record at the same ip, with no registers; data refs before any
// fetch (Cache Lab) make instructions at ip 0, one per ref.
func (w *ChampSimWriter) WriteRefs(refs []Ref) error {
	for i := range refs {
		r := &refs[i]
		if r.Op == Fetch {
			w.endInstr()
			w.ip = r.Addr
			w.cur = Instr{IP: r.Addr, Size: r.Size, SrcRegs: r.SrcRegs, DstRegs: r.DstRegs,
				Branch: r.Branch, Taken: r.Taken, HasRegs: r.HasRegs}
			w.have, w.fetched = true, true
			continue
		}
		if r.Op > Modify {
			w.err = fmt.Errorf("traces: cannot write a %v record to a ChampSim trace", r.Op)
			return w.err
		}
		if r.Op == Load || r.Op == Modify {
			w.addMem(MemRef{Addr: r.Addr, Size: r.Size})
		}
		if r.Op == Store || r.Op == Modify {
			w.addMem(MemRef{Addr: r.Addr, Size: r.Size, Store: true})
		}
		if !w.fetched {
			w.endInstr() // no fetch: one ref, one instruction
		}
	}
	return w.err
}

func (w *ChampSimWriter) addMem(m MemRef) {
	if !w.have {
		w.cur = Instr{IP: w.ip}
		w.have = true
	}
	loads, stores := 0, 0
	for _, r := range w.cur.Refs() {
		if r.Store {
			stores++
		} else {
			loads++
		}
	}
	if m.Store && stores == csNDstMem || !m.Store && loads == csNSrcMem {
		w.put(&w.cur) // full: the rest goes to another record at the same ip
		w.cur = Instr{IP: w.ip}
	}
	w.cur.Mem[w.cur.NMem] = m
	w.cur.NMem++
}

func (w *ChampSimWriter) endInstr() {
	if w.have {
		w.put(&w.cur)
		w.have, w.fetched = false, false
	}
}

func (w *ChampSimWriter) flush() {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
}

// Close writes out the last instruction and the buffer.
func (w *ChampSimWriter) Close() error {
	w.endInstr()
	w.flush()
	return w.err
}
