package cpu

import (
	"fmt"
	"io"

	"github.com/vmemu/vmemu/traces"
)

// feed hands out the instructions of one or more traces, one process per
// trace, round-robin by a quantum of instructions. It counts instructions,
// not entries: a continuation (traces.Instr.Cont) belongs to the
// instruction before it, so a turn or the run ends only after the last
// instruction's continuations. It never reads an instruction past the end
// of a turn or past Max into the core: the entry that starts the next
// instruction is read ahead and kept for the process's next turn (and
// dropped at Max), so a switch leaves nothing of the old process buffered
// in the core.
type feed struct {
	rs      []traces.InstrReader
	cur     int
	quantum uint64 // instructions per turn; 0: each trace to its end
	turn    uint64 // instructions started in the current turn
	live    []bool
	nlive   int
	max     uint64 // 0: no limit
	count   uint64 // instructions started
	// ahead holds, per process, the entry read ahead that starts its
	// next instruction (valid where hasAhead).
	ahead    []traces.Instr
	hasAhead []bool
	ended    []bool // the reader returned io.EOF with the entry read ahead
	// open says the current process's last instruction handed out may
	// still have continuations to come.
	open bool
}

func newFeed(rs []traces.InstrReader, quantum, max uint64) *feed {
	f := &feed{rs: rs, quantum: quantum, live: make([]bool, len(rs)), nlive: len(rs), max: max,
		ahead: make([]traces.Instr, len(rs)), hasAhead: make([]bool, len(rs)), ended: make([]bool, len(rs))}
	for i := range f.live {
		f.live[i] = true
	}
	return f
}

// done reports that no instruction is left to run.
func (f *feed) done() bool { return f.nlive == 0 || (f.max > 0 && f.count >= f.max && !f.open) }

// next is the process whose turn comes after the current one's.
func (f *feed) next() int {
	for i := 1; i <= len(f.rs); i++ {
		if p := (f.cur + i) % len(f.rs); f.live[p] {
			return p
		}
	}
	return f.cur
}

// start gives process p its turn.
func (f *feed) start(p int) { f.cur, f.turn, f.open = p, 0, false }

// maxEmptyReads is how many times in a row a reader may return nothing and
// no error before the run gives up on it (rather than spin forever).
const maxEmptyReads = 1000

// read fills buf from the current process. It returns 0 and no error when
// the run is over (done) or the turn is over and another process should run
// (next).
func (f *feed) read(buf []traces.Instr) (int, error) {
	for empty := 0; ; {
		if f.nlive == 0 || !f.live[f.cur] {
			return 0, nil
		}
		budget, over := f.budget()
		if budget == 0 && !f.open {
			if over {
				return 0, nil
			}
			f.turn = 0 // the only process left runs on
			continue
		}
		// With no instruction left to start, only the last one's
		// continuations may come: look at one entry at a time.
		tail := budget == 0
		n, err := f.take(buf[:min(uint64(len(buf)), max(budget, 1))])
		if tail && n == 1 && !buf[0].Cont {
			f.ahead[f.cur], f.hasAhead[f.cur], f.open = buf[0], true, false
			f.ended[f.cur] = err == io.EOF
			if err == nil || err == io.EOF {
				continue
			}
		}
		f.counted(buf[:n])
		switch {
		case err == io.EOF:
			f.live[f.cur], f.open = false, false
			f.nlive--
			if n > 0 {
				return n, nil
			}
		case err != nil:
			return 0, err
		case n > 0:
			return n, nil
		default:
			if empty++; empty >= maxEmptyReads {
				return 0, fmt.Errorf("cpu: the %s trace of process %d returns no instructions and no error",
					f.rs[f.cur].Format(), f.cur)
			}
		}
	}
}

// budget is how many more instructions the current process may start now,
// and over whether none may because the run is over or another process's
// turn has come (not because the only process left ends a turn).
func (f *feed) budget() (n uint64, over bool) {
	n = ^uint64(0)
	if f.max > 0 {
		if f.count >= f.max {
			return 0, true
		}
		n = f.max - f.count
	}
	if f.quantum > 0 {
		if f.turn >= f.quantum {
			return 0, f.next() != f.cur
		}
		n = min(n, f.quantum-f.turn)
	}
	return n, false
}

// take reads up to len(buf) entries of the current process, the one read
// ahead first.
func (f *feed) take(buf []traces.Instr) (int, error) {
	p, n := f.cur, 0
	if f.hasAhead[p] {
		buf[0], f.hasAhead[p], n = f.ahead[p], false, 1
	}
	if f.ended[p] {
		return n, io.EOF // the reader said so when the entry was read ahead
	}
	if n == len(buf) {
		return n, nil
	}
	m, err := f.rs[p].ReadInstrs(buf[n:])
	return n + min(max(m, 0), len(buf)-n), err
}

// counted counts the instructions that start in ins. Only limits need the
// count (a turn's only with another process to turn to), and a run
// without them reads no entry twice.
func (f *feed) counted(ins []traces.Instr) {
	if len(ins) == 0 || f.max == 0 && (f.quantum == 0 || f.nlive < 2) {
		return
	}
	n := uint64(0)
	for i := range ins {
		if !ins[i].Cont {
			n++
		}
	}
	f.count += n
	f.turn += n
	f.open = true
}
