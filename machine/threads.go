package machine

import (
	"errors"
	"fmt"

	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// On a machine of several cores, traces become instruction streams, and
// streams become threads of processes:
//
//   - a trace whose records carry threads (traces.CarriesThreads: a
//     native trace of version 2 that says so in its header) is read
//     once to list its threads, in the order they first appear, then
//     once more per thread, each reading keeping that thread's
//     instructions (traces.OnlyThread): a stream per thread, in constant
//     memory for N+1 reads of the file (standard input, which cannot be
//     read again, is refused);
//   - any other trace is one stream, as it is;
//   - stream j runs on core j mod cores, so that a trace of 4 threads on
//     4 cores runs thread i on core i; a core given several streams
//     runs them in turns of RunOptions.Quantum instructions, each turn
//     a switch to its thread (kernel.SwitchTo: cheap between threads of
//     one process, a CR3 write between processes);
//   - streams whose records carry processes (traces.CarriesPIDs: native
//     traces that say so, ChampSim's CloudSuite traces, whose ASID is
//     the process) run as threads of the one process of that id (its
//     first stream the process's main thread, the others clones of it):
//     they share its page tables, so a page one of them touched is not
//     faulted again by the others. A stream's process is the one its
//     first instruction carries, and a split one's the one it was split
//     by. Streams of traces that carry no processes (lackey, Cache Lab,
//     ChampSim, native traces that do not say so) are each their own
//     process, as a trace always was, or, split by thread, one process
//     per trace.
//
// A stream whose process changes within it (a CloudSuite core file that
// runs several ASIDs in turn) runs all in the process of its first
// instruction: switching within a stream is not modelled.

// maxThreads is the most threads a trace may hold: the kernel's most
// cores, the bound of its masks, so every thread could have one.
const maxThreads = sim.MaxCores

// stream is one instruction stream a core runs: a trace whole, or one
// thread of a trace of several.
type stream struct {
	r      traces.InstrReader
	reopen func(pass uint64) (traces.InstrReader, error) // nil: it is read once (replaying.reopen)
	owned  bool                                          // r was opened here (the caller's otherwise), and is closed here
	proc   procKey
	label  string         // what the report calls it
	thread *kernel.Thread // the thread that runs it (nil without a kernel)
}

// procKey says which streams share a process: those of one process id,
// when their traces carry ids (trace -1), else those of one trace.
type procKey struct {
	trace int
	pid   uint16
}

// streamsOf makes the streams of traces irs (carries[i] says what the
// records of trace i hold, names[i] what it is called; either may be
// short); open opens trace i again, each stream from memory once it is read whole
// if it is small (keepSmall).
func streamsOf(irs []traces.InstrReader, open func(int) (traces.InstrReader, error), carries []traces.Carries, names []string) ([]*stream, error) {
	reopen := keepSmall(open)
	var out []*stream
	for i, r := range irs {
		var c traces.Carries
		if i < len(carries) {
			c = carries[i]
		}
		name := fmt.Sprintf("trace %d", i)
		if i < len(names) {
			name = names[i]
		}
		if c&traces.CarriesThreads != 0 {
			ss, err := threadStreams(i, r, reopen, c, name)
			if err != nil {
				return nil, err
			}
			out = append(out, ss...)
			continue
		}
		s := &stream{r: r, proc: procKey{trace: i}, label: name}
		if reopen != nil {
			s.reopen = func(pass uint64) (traces.InstrReader, error) { return reopen(i, pass) }
		}
		if c&traces.CarriesPIDs != 0 {
			p := &peeked{r: r}
			s.r, s.proc = p, procKey{trace: -1, pid: p.first().PID}
		}
		out = append(out, s)
	}
	return out, nil
}

// threadStreams lists the threads of trace i (reading r to its end) and
// makes a stream of each, reading the trace again.
func threadStreams(i int, r traces.InstrReader, reopen func(int, uint64) (traces.InstrReader, error), c traces.Carries, name string) ([]*stream, error) {
	cannot := fmt.Errorf("%s: its records carry threads, and a machine of several cores reads such a trace once per thread; it cannot be read again (give a file, not standard input)", name)
	if reopen == nil {
		return nil, cannot
	}
	ids, err := traces.ThreadsOf(r, maxThreads)
	if err != nil {
		if tm := (*traces.TooManyThreadsError)(nil); errors.As(err, &tm) {
			return nil, fmt.Errorf("%s: %w: a machine of several cores runs at most %d threads of a trace", name, err, maxThreads)
		}
		return nil, err
	}
	if len(ids) == 0 { // an empty trace: a stream that ends at once
		return []*stream{{r: r, proc: procKey{trace: i}, label: name}}, nil
	}
	var out []*stream
	for _, id := range ids {
		again := func(pass uint64) (traces.InstrReader, error) {
			r, err := reopen(i, pass)
			if r == nil || err != nil {
				return r, err
			}
			return traces.OnlyThread(r, id), nil
		}
		r, err := again(0)
		if err == nil && r == nil {
			err = cannot
		}
		if err != nil {
			closeStreams(out)
			return nil, err
		}
		s := &stream{r: r, reopen: again, owned: true, proc: procKey{trace: i, pid: id.PID},
			label: fmt.Sprintf("%s (thread %d)", name, id.Thread)}
		if c&traces.CarriesPIDs != 0 {
			s.proc.trace = -1
			s.label = fmt.Sprintf("%s (process %d thread %d)", name, id.PID, id.Thread)
		}
		out = append(out, s)
	}
	return out, nil
}

// closeStreams closes the readers opened for streams.
func closeStreams(ss []*stream) {
	for _, s := range ss {
		if s.owned {
			s.r.Close()
		}
	}
}

// giveThreads makes the thread of each stream: the first stream of a
// process runs its main thread (stream 0's process is the machine's, the
// others new), each other one a clone of it.
func (m *Machine) giveThreads(ss []*stream) error {
	k := m.Kernel
	if k == nil {
		return nil
	}
	procs := map[procKey]*kernel.Process{}
	for j, s := range ss {
		p, ok := procs[s.proc]
		if ok {
			tid, errno, _ := k.Clone(0, p)
			if errno != kernel.OK {
				return fmt.Errorf("%s: clone: %v", s.label, errno)
			}
			s.thread = k.Thread(int(tid))
			continue
		}
		if p = m.Process; j > 0 {
			var err error
			if p, err = k.NewProcess(); err != nil {
				return err
			}
			k.MapEverything(p)
		}
		procs[s.proc] = p
		s.thread = p.Main()
	}
	return nil
}

// peeked is a reader whose first instructions were read ahead, to learn
// the process of the first.
type peeked struct {
	r    traces.InstrReader
	buf  []traces.Instr
	off  int
	err  error
	read bool
}

// first is the first instruction (a zero one in an empty trace).
func (p *peeked) first() traces.Instr {
	if !p.read {
		p.read = true
		p.buf = make([]traces.Instr, 64)
		n, err := p.r.ReadInstrs(p.buf)
		p.buf, p.err = p.buf[:max(n, 0)], err
	}
	if len(p.buf) == 0 {
		return traces.Instr{}
	}
	return p.buf[0]
}

func (p *peeked) ReadInstrs(ins []traces.Instr) (int, error) {
	if p.off < len(p.buf) {
		n := copy(ins, p.buf[p.off:])
		p.off += n
		return n, nil
	}
	if p.err != nil {
		return 0, p.err // the reader's end or error, met reading ahead
	}
	return p.r.ReadInstrs(ins)
}

func (p *peeked) Format() string { return p.r.Format() }
func (p *peeked) Close() error   { return p.r.Close() }
