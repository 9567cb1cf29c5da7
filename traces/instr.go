package traces

import "io"

// MemRef is one data access of an instruction.
type MemRef struct {
	Addr  uint64
	Size  uint32
	Store bool
}

// MaxMem is the most data accesses one instruction carries (ChampSim's
// 4 source and 2 destination memory operands).
const MaxMem = 6

// Instr is one instruction as a core sees it: where it was fetched from, the
// data it reads and writes, and, when the trace records them, its registers
// and branch outcome. Register 0 means "none".
type Instr struct {
	IP   uint64
	Size uint32 // bytes fetched; 0 when the trace has no fetch (Cache Lab)
	// PID and Thread are the process and thread the instruction belongs
	// to (Record's); they fill what was padding.
	Thread  uint8
	PID     uint16
	Mem     [MaxMem]MemRef
	NMem    uint8
	SrcRegs [4]uint8
	DstRegs [2]uint8
	Branch  bool
	Taken   bool
	HasRegs bool // the trace records registers (dependencies are known)
	// Cont marks the continuation of the instruction before: the data
	// accesses beyond MaxMem of one instruction (a string or XSAVE
	// instruction), carried on as many entries as it takes. A core times
	// it as an instruction but does not count it as one.
	Cont bool
}

// Loads and stores, in the order the trace gave them.
func (in *Instr) Refs() []MemRef { return in.Mem[:in.NMem] }

// InstrReader streams instructions. ReadInstrs fills ins from the start and
// returns how many; at the end it returns 0, io.EOF.
type InstrReader interface {
	ReadInstrs(ins []Instr) (int, error)
	Format() string
	Close() error
}

// Instructions groups a reference trace into instructions: a fetch record
// starts one, and the data records after it belong to it (lackey writes an
// instruction's I line before its data lines). A data record with no fetch
// before it (Cache Lab), or that does not fit its instruction (MaxMem data
// references), is an instruction of its own, with no fetch (Size 0), at the
// address of the last fetch. A modify is a load and a store of the same
// bytes; with modifyAsLoad it is a load only (cachegrind's count).
//
// Readers that know more than their records (ChampSim, native traces with
// registers, the generators, and Pipelined over any of them) make the
// instructions themselves, with registers and branch outcomes
// (Instr.HasRegs); call Instructions before the first Read.
func Instructions(r Reader, modifyAsLoad bool) InstrReader {
	if s, ok := r.(instructioner); ok {
		return s.instructions(modifyAsLoad)
	}
	return &grouper{r: r, buf: make([]Record, 4096), modifyAsLoad: modifyAsLoad}
}

type grouper struct {
	r            Reader
	buf          []Record
	n, off       int
	err          error
	modifyAsLoad bool
	cur          Instr
	have         bool
	ip           uint64 // of the last fetch
	overflow     bool   // the next instruction continues the one before
}

func (g *grouper) Format() string { return g.r.Format() }
func (g *grouper) Close() error   { return g.r.Close() }

// next returns the next record, reading a batch when needed.
func (g *grouper) next() (*Record, bool) {
	for g.off == g.n {
		if g.err != nil {
			return nil, false
		}
		// A reader may hand over nothing without an error (a batch
		// boundary); only an error ends the records.
		g.n, g.err = g.r.Read(g.buf)
		g.off = 0
	}
	g.off++
	return &g.buf[g.off-1], true
}

func (g *grouper) ReadInstrs(ins []Instr) (int, error) {
	k := 0
	for k < len(ins) {
		rec, ok := g.next()
		if !ok {
			break
		}
		if rec.Op == Fetch {
			if g.have {
				ins[k] = g.cur
				k++
			}
			g.ip = rec.Addr
			g.cur = Instr{IP: rec.Addr, Size: rec.Size, PID: rec.PID, Thread: rec.Thread}
			g.have = true
			continue
		}
		need := uint8(1)
		if rec.Op == Modify && !g.modifyAsLoad {
			need = 2
		}
		if other := g.have && (g.cur.PID != rec.PID || g.cur.Thread != rec.Thread); !g.have || other || g.cur.NMem+need > MaxMem {
			// A data record with no instruction to join (none, or one of
			// another thread) is one of its own, at the address of the
			// last fetch; one that does not fit its instruction
			// continues it (Cont).
			if g.have {
				g.overflow = !other
				ins[k] = g.cur
				k++
				g.have = false
				if k == len(ins) {
					g.off-- // no room left: the record waits for the next call
					break
				}
			}
			g.cur = Instr{IP: g.ip, Cont: g.overflow, PID: rec.PID, Thread: rec.Thread}
			g.overflow = false
			g.have = true
		}
		g.add(rec)
		if g.cur.Size == 0 && !g.cur.Cont { // no fetch: one record, one instruction
			ins[k] = g.cur
			k++
			g.have = false
		}
	}
	if k < len(ins) && g.have { // the records ran out: the last instruction is whole
		ins[k] = g.cur
		k++
		g.have = false
	}
	if k > 0 {
		return k, nil
	}
	if g.err == nil || g.err == io.EOF {
		return 0, io.EOF
	}
	return 0, g.err
}

func (g *grouper) add(rec *Record) {
	in := &g.cur
	switch rec.Op {
	case Load:
		in.Mem[in.NMem] = MemRef{rec.Addr, rec.Size, false}
		in.NMem++
	case Store:
		in.Mem[in.NMem] = MemRef{rec.Addr, rec.Size, true}
		in.NMem++
	case Modify:
		in.Mem[in.NMem] = MemRef{rec.Addr, rec.Size, false}
		in.NMem++
		if !g.modifyAsLoad {
			in.Mem[in.NMem] = MemRef{rec.Addr, rec.Size, true}
			in.NMem++
		}
	}
}
