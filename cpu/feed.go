package cpu

import (
	"fmt"
	"io"

	"github.com/vmemu/vmemu/traces"
)

// feed hands out the instructions of one or more traces, one process per
// trace, round-robin by a quantum of instructions. It never reads past the
// end of a turn or past Max, so a switch leaves nothing of the old process
// buffered in the core.
type feed struct {
	rs      []traces.InstrReader
	cur     int
	quantum uint64 // instructions per turn; 0: each trace to its end
	turn    uint64 // instructions read in the current turn
	live    []bool
	nlive   int
	max     uint64 // 0: no limit
	count   uint64 // instructions read
}

func newFeed(rs []traces.InstrReader, quantum, max uint64) *feed {
	f := &feed{rs: rs, quantum: quantum, live: make([]bool, len(rs)), nlive: len(rs), max: max}
	for i := range f.live {
		f.live[i] = true
	}
	return f
}

// done reports that no instruction is left to run.
func (f *feed) done() bool { return f.nlive == 0 || (f.max > 0 && f.count >= f.max) }

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
func (f *feed) start(p int) { f.cur, f.turn = p, 0 }

// maxEmptyReads is how many times in a row a reader may return nothing and
// no error before the run gives up on it (rather than spin forever).
const maxEmptyReads = 1000

// read fills buf from the current process. It returns 0 and no error when
// the run is over (done) or the turn is over and another process should run
// (next).
func (f *feed) read(buf []traces.Instr) (int, error) {
	for empty := 0; ; {
		if f.done() || !f.live[f.cur] {
			return 0, nil
		}
		lim := uint64(len(buf))
		if f.max > 0 {
			lim = min(lim, f.max-f.count)
		}
		if f.quantum > 0 {
			if f.turn >= f.quantum {
				if f.next() != f.cur {
					return 0, nil
				}
				f.turn = 0 // the only process left runs on
			}
			lim = min(lim, f.quantum-f.turn)
		}
		n, err := f.rs[f.cur].ReadInstrs(buf[:lim])
		n = min(max(n, 0), int(lim))
		f.count += uint64(n)
		f.turn += uint64(n)
		switch {
		case err == io.EOF:
			f.live[f.cur] = false
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
