package traces

import (
	"fmt"
	"io"
)

// Ref is a record with everything a trace can say about it: what Record
// holds, plus the value a native trace may give a load or store, and, on a
// fetch, the instruction's registers and branch outcome (ChampSim, native,
// the generators). Converters read and write Refs so that nothing is lost
// between formats that carry the same things.
type Ref struct {
	Record
	Value    uint64 // the bytes stored or loaded, little-endian; when HasValue
	SrcRegs  [4]uint8
	DstRegs  [2]uint8
	Branch   bool
	Taken    bool
	HasRegs  bool // a fetch with registers and branch fields
	HasValue bool
}

// Carries says what the records of a trace may hold beyond kind, address,
// size: registers and branches on fetches, values, process ids, thread
// ids. The native format's header flags are these bits.
type Carries uint16

const (
	CarriesRegs    Carries = 1 << iota // fetches carry registers and branch outcome
	CarriesValues                      // loads and stores may carry a value
	CarriesPIDs                        // records may belong to processes other than 0
	CarriesThreads                     // records may belong to threads other than 0
	carriesAll     = CarriesRegs | CarriesValues | CarriesPIDs | CarriesThreads
)

func (c Carries) String() string {
	s := ""
	for i, name := range []string{"registers", "values", "processes", "threads"} {
		if c&(1<<i) != 0 {
			if s != "" {
				s += ","
			}
			s += name
		}
	}
	if rest := c &^ carriesAll; rest != 0 {
		if s != "" {
			s += ","
		}
		s += fmt.Sprintf("0x%x", uint16(rest))
	}
	if s == "" {
		return "none"
	}
	return s
}

// CarriesOf says what the records of r may hold: registers for ChampSim and
// generated traces, what the header says for native ones, nothing for
// lackey and Cache Lab.
func CarriesOf(r Reader) Carries {
	if c, ok := r.(interface{ Carries() Carries }); ok {
		return c.Carries()
	}
	return 0
}

// RefReader streams Refs. The readers of ChampSim and native traces, and
// the generators, are RefReaders as well as Readers; use one view per
// reader. ReadRefs fills refs from the start and returns how many; at the
// end it returns 0, io.EOF.
type RefReader interface {
	ReadRefs(refs []Ref) (int, error)
	Format() string
	Close() error
}

// Refs returns r as a RefReader: r itself when it is one, else an adapter
// that wraps each Record in a Ref.
func Refs(r Reader) RefReader {
	if rr, ok := r.(RefReader); ok {
		return rr
	}
	return &recordRefs{r: r}
}

type recordRefs struct {
	r   Reader
	buf []Record
}

func (a *recordRefs) Format() string { return a.r.Format() }
func (a *recordRefs) Close() error   { return a.r.Close() }

func (a *recordRefs) ReadRefs(refs []Ref) (int, error) {
	if len(a.buf) < len(refs) {
		a.buf = make([]Record, max(len(refs), 1024))
	}
	n, err := a.r.Read(a.buf[:len(refs)])
	for i := range n {
		refs[i] = Ref{Record: a.buf[i]}
	}
	return n, err
}

// instructioner is a Reader that makes its own InstrReader, keeping what
// grouping records would lose (registers, branches). Instructions uses it.
type instructioner interface {
	instructions(modifyAsLoad bool) InstrReader
}

// instrSource makes instructions, for instrStream: the ChampSim reader and
// the generators.
type instrSource interface {
	fill(ins []Instr) (int, error)
	format() string
	carries() Carries
	close() error
}

// instrStream serves an instrSource as instructions (directly), refs and
// records (a fetch, then the loads and stores of each instruction, in
// order).
type instrStream struct {
	src    instrSource
	buf    []Instr
	n, off int
	sub    int // refs of buf[off] already handed out
	err    error
	closed bool
}

func newInstrStream(src instrSource) *instrStream {
	return &instrStream{src: src, buf: make([]Instr, 1024)}
}

func (s *instrStream) Format() string   { return s.src.format() }
func (s *instrStream) Carries() Carries { return s.src.carries() }

func (s *instrStream) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.err, s.n, s.off = errClosed, 0, 0
	return s.src.close()
}

func (s *instrStream) instructions(bool) InstrReader { return s }

// more makes sure buf[off] is an instruction; false at the end.
func (s *instrStream) more() bool {
	for s.off == s.n {
		if s.err != nil {
			return false
		}
		s.n, s.err = s.src.fill(s.buf)
		s.off, s.sub = 0, 0
		if s.n == 0 && s.err == nil {
			s.err = io.ErrNoProgress
		}
	}
	return true
}

func (s *instrStream) result(n int) (int, error) {
	if n > 0 {
		return n, nil
	}
	return 0, s.err
}

func (s *instrStream) ReadInstrs(ins []Instr) (int, error) {
	if s.sub > 0 { // the rest of a half-read instruction is lost
		s.off++
		s.sub = 0
	}
	n := 0
	for n < len(ins) && s.more() {
		k := copy(ins[n:], s.buf[s.off:s.n])
		n += k
		s.off += k
	}
	return s.result(n)
}

// step moves one reference on within the instruction at buf[off], which
// more has made sure of: the fetch first (none for a continuation entry),
// then each data access. It returns the reference made, if any, and
// whether it is the fetch.
func (s *instrStream) step(in *Instr) (rec Record, fetch, ok bool) {
	if s.sub == 0 {
		s.sub = 1
		return Record{Addr: in.IP, Size: in.Size, Op: Fetch, PID: in.PID, Thread: in.Thread}, true, in.Size != 0
	}
	if j := s.sub - 1; j < int(in.NMem) {
		s.sub++
		m := &in.Mem[j]
		op := Load
		if m.Store {
			op = Store
		}
		return Record{Addr: m.Addr, Size: m.Size, Op: op, PID: in.PID, Thread: in.Thread}, false, true
	}
	s.off++
	s.sub = 0
	return Record{}, false, false
}

func (s *instrStream) Read(recs []Record) (int, error) {
	n := 0
	for n < len(recs) && s.more() {
		if rec, _, ok := s.step(&s.buf[s.off]); ok {
			recs[n] = rec
			n++
		}
	}
	return s.result(n)
}

func (s *instrStream) ReadRefs(refs []Ref) (int, error) {
	n := 0
	for n < len(refs) && s.more() {
		in := &s.buf[s.off]
		rec, fetch, ok := s.step(in)
		if !ok {
			continue
		}
		r := Ref{Record: rec}
		if fetch { // registers and the branch outcome ride on the fetch
			r.SrcRegs, r.DstRegs, r.HasRegs = in.SrcRegs, in.DstRegs, in.HasRegs
			r.Branch, r.Taken = in.Branch, in.Taken
		}
		refs[n] = r
		n++
	}
	return s.result(n)
}

// refGrouper groups refs into instructions the way Instructions groups
// records (see Instructions: data beyond MaxMem continues the instruction,
// Cont), keeping the registers and branch outcome a fetch carries.
type refGrouper struct {
	r            RefReader
	buf          []Ref
	n, off       int
	err          error
	modifyAsLoad bool
	cur          Instr
	have         bool
	ip           uint64 // of the last fetch
	overflow     bool   // the next instruction continues the one before
}

func groupRefs(r RefReader, modifyAsLoad bool) *refGrouper {
	return &refGrouper{r: r, buf: make([]Ref, 4096), modifyAsLoad: modifyAsLoad}
}

func (g *refGrouper) Format() string { return g.r.Format() }
func (g *refGrouper) Close() error   { return g.r.Close() }

func (g *refGrouper) next() (*Ref, bool) {
	for g.off == g.n {
		if g.err != nil {
			return nil, false
		}
		g.n, g.err = g.r.ReadRefs(g.buf)
		g.off = 0
	}
	g.off++
	return &g.buf[g.off-1], true
}

func (g *refGrouper) ReadInstrs(ins []Instr) (int, error) {
	k := 0
	for k < len(ins) {
		ref, ok := g.next()
		if !ok {
			break
		}
		if ref.Op == Fetch {
			if g.have {
				ins[k] = g.cur
				k++
			}
			g.ip = ref.Addr
			g.cur = Instr{IP: ref.Addr, Size: ref.Size, SrcRegs: ref.SrcRegs, DstRegs: ref.DstRegs,
				Branch: ref.Branch, Taken: ref.Taken, HasRegs: ref.HasRegs, PID: ref.PID, Thread: ref.Thread}
			g.have = true
			continue
		}
		need := uint8(1)
		if ref.Op == Modify && !g.modifyAsLoad {
			need = 2
		}
		if other := g.have && (g.cur.PID != ref.PID || g.cur.Thread != ref.Thread); !g.have || other || g.cur.NMem+need > MaxMem {
			if g.have {
				g.overflow = !other
				ins[k] = g.cur
				k++
				g.have = false
				if k == len(ins) {
					g.off-- // no room left: the ref waits for the next call
					break
				}
			}
			g.cur = Instr{IP: g.ip, Cont: g.overflow, PID: ref.PID, Thread: ref.Thread}
			g.overflow = false
			g.have = true
		}
		in := &g.cur
		switch ref.Op {
		case Load, Modify:
			in.Mem[in.NMem] = MemRef{ref.Addr, ref.Size, false}
			in.NMem++
			if ref.Op == Modify && !g.modifyAsLoad {
				in.Mem[in.NMem] = MemRef{ref.Addr, ref.Size, true}
				in.NMem++
			}
		case Store:
			in.Mem[in.NMem] = MemRef{ref.Addr, ref.Size, true}
			in.NMem++
		}
		if in.Size == 0 && !in.Cont { // no fetch: one record, one instruction
			ins[k] = g.cur
			k++
			g.have = false
		}
	}
	if k < len(ins) && g.have {
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
