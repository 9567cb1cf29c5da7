package traces

import "encoding/binary"

// ChampSim's CloudSuite traces: the server workloads traced on SPARC
// machines, read by ChampSim with its -c option. Read only.

func init() {
	Register(&Format{
		Name:   "cloudsuite",
		Title:  "ChampSim CloudSuite",
		Order:  15, // before ChampSim's 64-byte records, which it is told apart from
		Binary: true,
		Holds:  HoldsRegs | HoldsPIDs,
		Detect: func(s *Sniff) bool { return s.Binary && looksLikeCloudSuite(s.Head) },
		Open:   openCloudSuite,
	})
}

// A CloudSuite record is ChampSim's cloudsuite_instr (inc/trace_instruction.h),
// as its reader takes it from the file: the C struct with its alignment
// padding, 96 bytes, little-endian.
//
//	offset size field
//	0      8    ip
//	8      1    is_branch
//	9      1    branch_taken
//	10     4    destination_registers[4]
//	14     4    source_registers[4]
//	18     6    (padding)
//	24     32   destination_memory[4]  (uint64 each)
//	56     32   source_memory[4]       (uint64 each)
//	88     2    asid[2]
//	90     6    (padding)
const CloudSuiteRecordSize = 96

const (
	cloudDstRegs = 10
	cloudSrcRegs = 14
	cloudDstMem  = 24
	cloudSrcMem  = 56
	cloudASID    = 88
	cloudNMem    = 4
)

// openCloudSuite refuses at once a plain file whose size is not a
// multiple of a record.
func openCloudSuite(in *Input) (Reader, error) {
	f, err := openRecords(in, CloudSuiteRecordSize, "ChampSim CloudSuite")
	if err != nil {
		return nil, err
	}
	return newInstrStream(&cloudsuiteReader{f}), nil
}

// DecodeCloudSuite decodes one 96-byte cloudsuite_instr (b must hold at
// least 96 bytes) into ins, which must have room for two, and returns how
// many it made: the instruction (its fetch, its source memory operands as
// loads, then its destination memory operands as stores, skipping zeros),
// and a continuation (Instr.Cont) for the stores beyond MaxMem. The
// instruction belongs to process asid[0] (ChampSim tags an instruction's
// fetch with it; asid[1], its data's, is not kept). Its first two nonzero
// destination registers are kept: an Instr has room for two.
func DecodeCloudSuite(b []byte, ins []Instr) int {
	_ = b[CloudSuiteRecordSize-1]
	ip := binary.LittleEndian.Uint64(b[csIP:])
	in := &ins[0]
	*in = Instr{IP: ip, Size: champsimSize(ip, ChampSimFetchSize), Branch: b[csBranch] != 0, Taken: b[csTaken] != 0,
		HasRegs: true, PID: uint16(b[cloudASID]),
		SrcRegs: [4]uint8{b[cloudSrcRegs], b[cloudSrcRegs+1], b[cloudSrcRegs+2], b[cloudSrcRegs+3]}}
	d := 0
	for _, r := range b[cloudDstRegs : cloudDstRegs+4] {
		if r != 0 && d < len(in.DstRegs) {
			in.DstRegs[d] = r
			d++
		}
	}
	n := 1
	add := func(a uint64, store bool) {
		if a == 0 {
			return
		}
		if in.NMem == MaxMem {
			ins[1] = Instr{IP: ip, Cont: true, PID: in.PID}
			in = &ins[1]
			n = 2
		}
		in.Mem[in.NMem] = MemRef{Addr: a, Size: champsimSize(a, ChampSimDataSize), Store: store}
		in.NMem++
	}
	for i := range cloudNMem {
		add(binary.LittleEndian.Uint64(b[cloudSrcMem+8*i:]), false)
	}
	for i := range cloudNMem {
		add(binary.LittleEndian.Uint64(b[cloudDstMem+8*i:]), true)
	}
	return n
}

// looksLikeCloudSuite says whether head, the start of a binary stream, is
// made of CloudSuite records rather than ChampSim's 64-byte ones: at least
// two whole records, each plausible (plausibleRecords) with its ip and
// memory addresses canonical and its ip nonzero; and more of its
// consecutive ips step on by 1 to 16 bytes (the next instruction) than do
// those of the same bytes read as 64-byte records. Read with the wrong
// record size, the "ips" are mostly memory operands, which rarely step so.
func looksLikeCloudSuite(head []byte) bool {
	if len(head) < 2*CloudSuiteRecordSize ||
		!plausibleRecords(head, CloudSuiteRecordSize, cloudAddrs) {
		return false
	}
	for off := 0; off+CloudSuiteRecordSize <= len(head); off += CloudSuiteRecordSize {
		if binary.LittleEndian.Uint64(head[off+csIP:]) == 0 {
			return false
		}
	}
	return sequentialIPs(head, CloudSuiteRecordSize) > sequentialIPs(head, ChampSimRecordSize)
}

// cloudAddrs are the offsets of a CloudSuite record's addresses: its ip
// and its eight memory operands.
var cloudAddrs = []int{csIP, 24, 32, 40, 48, 56, 64, 72, 80}

// sequentialIPs counts the whole records of size bytes in head whose ip
// is 1 to 16 bytes past the one before.
func sequentialIPs(head []byte, size int) int {
	seq := 0
	for off := size; off+size <= len(head); off += size {
		if d := binary.LittleEndian.Uint64(head[off:]) - binary.LittleEndian.Uint64(head[off-size:]); d >= 1 && d <= 16 {
			seq++
		}
	}
	return seq
}

// cloudsuiteReader reads 96-byte records; it is served by an instrStream.
type cloudsuiteReader struct{ *recordFile }

func (c *cloudsuiteReader) format() string   { return "cloudsuite" }
func (c *cloudsuiteReader) carries() Carries { return CarriesRegs | CarriesPIDs }

// fill decodes as many records as ins has room for, two entries each (an
// instruction may need a continuation).
func (c *cloudsuiteReader) fill(ins []Instr) (int, error) {
	b := c.next(len(ins) / 2)
	n := 0
	for off := 0; off < len(b); off += CloudSuiteRecordSize {
		n += DecodeCloudSuite(b[off:], ins[n:])
	}
	if n > 0 {
		return n, nil
	}
	return 0, c.err
}
