package machine

import (
	"io"

	"github.com/vmemu/vmemu/traces"
)

// replaying reads a trace again from its start each time it ends, as
// ChampSim's cores do on a machine of several: a core whose trace ends
// before the others are done goes on, so they still see its contention.
// It counts the instructions it hands out (not their continuations, as
// the core counts them) and tells passEnd the count at each end of the
// trace. Without reopen it ends with the trace; reopen is told the
// instructions of the pass that ended (the trace holds at least those).
type replaying struct {
	r      traces.InstrReader
	reopen func(pass uint64) (traces.InstrReader, error)
	opened traces.InstrReader // the last one reopen gave, closed at the end (the first is the caller's)
	read   uint64             // instructions handed out, every pass
	start  uint64             // read when the current pass began
	// passEnd is told the instructions handed out when a pass ends.
	passEnd func(read uint64)
}

func (p *replaying) ReadInstrs(buf []traces.Instr) (int, error) {
	for {
		n, err := p.r.ReadInstrs(buf)
		for i := range buf[:max(n, 0)] {
			if !buf[i].Cont { // by index: an Instr is some 130 bytes to copy
				p.read++
			}
		}
		if err != io.EOF {
			return n, err
		}
		p.passEnd(p.read)
		if p.reopen == nil || p.read == p.start { // an empty trace would never end
			return n, io.EOF
		}
		pass := p.read - p.start
		p.start = p.read
		next, err := p.reopen(pass)
		if err != nil {
			return 0, err
		}
		if next == nil { // this one cannot be read again (standard input)
			p.reopen = nil
			return n, io.EOF
		}
		p.Close()
		p.r, p.opened = next, next
		if n > 0 {
			return n, nil
		}
	}
}

func (p *replaying) Format() string { return p.r.Format() }

// Close closes what replaying opened itself.
func (p *replaying) Close() error {
	if p.opened == nil {
		return nil
	}
	err := p.opened.Close()
	p.opened = nil
	return err
}

// A core beside a much longer trace replays its own tens of thousands of
// times (100 instructions beside 20,000 DRAM-bound ones: some 600,000
// passes), and opening a trace again (a file, a decompressor, a goroutine
// and their buffers: some 250 µs) costs what a thousand instructions do.
// So a trace small enough is kept in memory after a pass of it, and
// replayed from there: each reader reopen gives for a trace records what
// it hands out until one of them has been read to its end; later passes
// read that record. A trace of more than keptMax entries (8 MiB of
// traces.Instr) is opened again each pass, which its own length makes
// cheap beside it; so is one that would take the run's records past
// keptBudget entries (32 MiB) at the time. A pass of more than keptMax
// instructions tells the trace is too big before any is recorded (the
// recording of four cores' first replays, each dropped at keptMax, was a
// fortieth of a run of four cores on random loads).
var keptMax, keptBudget = 1 << 16, 1 << 18

// keepSmall is reopen keeping small traces in memory (nil without one).
func keepSmall(reopen func(int) (traces.InstrReader, error)) func(i int, atLeast uint64) (traces.InstrReader, error) {
	if reopen == nil {
		return nil
	}
	left := keptBudget
	kept := map[int]*keptTrace{}
	return func(i int, atLeast uint64) (traces.InstrReader, error) {
		k := kept[i]
		if k == nil {
			k = &keptTrace{}
			kept[i] = k
		}
		if atLeast > uint64(keptMax) {
			k.tooBig = true // a pass handed out more instructions than the entries kept
		}
		if k.whole {
			return &keptReader{k: k}, nil
		}
		r, err := reopen(i)
		if r == nil || err != nil || k.tooBig {
			return r, err
		}
		return &recording{r: r, k: k, left: &left}, nil
	}
}

// keptTrace is a trace's instructions, as a pass of it read whole handed
// them out.
type keptTrace struct {
	ins    []traces.Instr
	format string
	whole  bool // ins is the trace
	tooBig bool // over keptMax: not recorded again
}

// recording is a reader of a trace recording what it hands out.
type recording struct {
	r     traces.InstrReader
	k     *keptTrace
	ins   []traces.Instr
	left  *int // the run's budget
	off   bool // not recording
	short bool // the last read filled less than its buffer: the end must follow
}

// ReadInstrs reads and records. A keptReader fills each buffer as far as
// the trace goes and ends with 0, io.EOF, as the traces package's
// readers of instructions do; a pass read otherwise (or that fails) is
// not kept, so that a replay never reads differently.
func (c *recording) ReadInstrs(buf []traces.Instr) (int, error) {
	n, err := c.r.ReadInstrs(buf)
	if c.off || c.k.whole {
		c.drop()
		return n, err
	}
	full := n == len(buf) && n > 0 && err == nil && !c.short
	last := n > 0 && n < len(buf) && err == nil && !c.short
	switch {
	case n == 0 && err == io.EOF && len(buf) > 0:
		c.k.ins, c.k.format, c.k.whole = c.ins, c.r.Format(), true
		c.ins, c.off = nil, true
	case len(c.ins)+n > keptMax:
		c.k.tooBig = true
		c.drop()
	case !full && !last, n > *c.left:
		c.drop()
	default:
		c.ins = append(c.ins, buf[:n]...)
		*c.left -= n
		c.short = last
	}
	return n, err
}

// drop stops recording and gives back what it held.
func (c *recording) drop() {
	*c.left += len(c.ins)
	c.ins, c.off = nil, true
}

func (c *recording) Format() string { return c.r.Format() }

func (c *recording) Close() error {
	c.drop()
	return c.r.Close()
}

// keptReader reads a kept trace from its start.
type keptReader struct {
	k   *keptTrace
	off int
}

func (r *keptReader) ReadInstrs(buf []traces.Instr) (int, error) {
	n := copy(buf, r.k.ins[r.off:])
	r.off += n
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (r *keptReader) Format() string { return r.k.format }
func (r *keptReader) Close() error   { return nil }
