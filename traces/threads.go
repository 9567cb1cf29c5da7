package traces

import (
	"fmt"
	"io"
)

// ThreadID names one thread of a trace: the process and thread its
// instructions carry (Instr.PID, Instr.Thread).
type ThreadID struct {
	PID    uint16
	Thread uint8
}

func (id ThreadID) String() string {
	return fmt.Sprintf("process %d thread %d", id.PID, id.Thread)
}

// Of is the thread an instruction belongs to.
func Of(in *Instr) ThreadID { return ThreadID{PID: in.PID, Thread: in.Thread} }

// TooManyThreadsError is a trace with more threads than a reader of it
// takes.
type TooManyThreadsError struct {
	Limit int
	Next  ThreadID // the first thread beyond the limit
}

func (e *TooManyThreadsError) Error() string {
	return fmt.Sprintf("more than %d threads (%s is the %dth to appear)", e.Limit, e.Next, e.Limit+1)
}

// ThreadsOf reads r to its end and lists the threads of its instructions
// in the order they first appear. It keeps only the list: a trace of more
// than limit threads is a *TooManyThreadsError, whatever its length.
func ThreadsOf(r InstrReader, limit int) ([]ThreadID, error) {
	var ids []ThreadID
	seen := map[ThreadID]bool{}
	buf := make([]Instr, 4096)
	for {
		n, err := r.ReadInstrs(buf)
		for i := range buf[:max(n, 0)] {
			id := Of(&buf[i])
			if seen[id] {
				continue
			}
			if len(ids) == limit {
				return nil, &TooManyThreadsError{Limit: limit, Next: id}
			}
			seen[id] = true
			ids = append(ids, id)
		}
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// OnlyThread is the instructions of r that belong to thread id, in their
// order, the others skipped as they are read: several readers of one file,
// each keeping one thread, split a trace of threads into a stream each in
// constant memory, for the price of reading the file once per thread. A
// continuation (Instr.Cont) carries its instruction's thread, so an
// instruction is kept or skipped whole.
func OnlyThread(r InstrReader, id ThreadID) InstrReader {
	return &threadFilter{r: r, id: id}
}

type threadFilter struct {
	r   InstrReader
	id  ThreadID
	err error // the reader's end or error, held while kept instructions go out
}

func (f *threadFilter) Format() string { return f.r.Format() }
func (f *threadFilter) Close() error   { return f.r.Close() }

// ReadInstrs reads into ins and keeps what is of the thread, reading again
// while none is (a thread absent for a long stretch would otherwise look
// like a reader that returns nothing).
func (f *threadFilter) ReadInstrs(ins []Instr) (int, error) {
	for f.err == nil {
		n, err := f.r.ReadInstrs(ins)
		k := 0
		for i := range ins[:max(n, 0)] {
			if Of(&ins[i]) == f.id {
				ins[k] = ins[i]
				k++
			}
		}
		f.err = err
		if k > 0 || n <= 0 && err == nil {
			return k, nil
		}
	}
	return 0, f.err
}
