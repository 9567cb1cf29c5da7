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
// trace. Without reopen it ends with the trace.
type replaying struct {
	r      traces.InstrReader
	reopen func() (traces.InstrReader, error)
	opened traces.InstrReader // the last one reopen gave, closed at the end (the first is the caller's)
	read   uint64             // instructions handed out, every pass
	start  uint64             // read when the current pass began
	// passEnd is told the instructions handed out when a pass ends.
	passEnd func(read uint64)
}

func (p *replaying) ReadInstrs(buf []traces.Instr) (int, error) {
	for {
		n, err := p.r.ReadInstrs(buf)
		for _, in := range buf[:max(n, 0)] {
			if !in.Cont {
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
		p.start = p.read
		next, err := p.reopen()
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
