package traces

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
)

// DefaultBatch is the batch size Pipelined uses when given batch <= 0:
// 8192 records are 128 KiB, big enough that the channel hand-over costs
// nothing per record, small enough to stay in L2.
const DefaultBatch = 8192

// pipeDepth is how many batches may wait decoded ahead of the consumer.
const pipeDepth = 4

type chunk[T any] struct {
	items    []T
	err      error         // after items: io.EOF or the reader's error
	panicked *DecoderPanic // the decoder goroutine panicked
}

// DecoderPanic is a panic of Pipelined's goroutine, raised again in the
// goroutine that reads, where a recover (emu's report of an internal
// error) can see it; in the decoder's goroutine it would end the process
// before anything could say so.
type DecoderPanic struct {
	Value any
	Stack []byte // the decoder goroutine's
}

func (p *DecoderPanic) Error() string {
	return fmt.Sprintf("in the trace decoder: %v\n\n%s", p.Value, p.Stack)
}

// pipe runs read in a goroutine of its own, batch items at a time.
type pipe[T any] struct {
	read  func([]T) (int, error)
	close func() error
	full  chan chunk[T] // decoded batches, in trace order
	free  chan []T      // emptied batches going back to the decoder
	stop  chan struct{} // closed by Close
	done  chan struct{} // closed when the decoder goroutine has returned

	cur    []T // batch being handed out
	off    int
	err    error
	closed bool
}

func newPipe[T any](read func([]T) (int, error), close func() error, batch int) *pipe[T] {
	p := &pipe[T]{
		read:  read,
		close: close,
		full:  make(chan chunk[T], pipeDepth),
		free:  make(chan []T, pipeDepth),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	for range pipeDepth {
		p.free <- make([]T, batch)
	}
	go p.decode()
	return p
}

// Pipelined reads r in a goroutine of its own, batch records at a time, so
// that decompression and parsing run on another core while the caller
// simulates. Records come out in exactly the order r gives them, then r's
// error (or io.EOF). The batches are recycled: nothing is allocated after
// the start. Read fills recs completely unless the trace ends, so the
// sequence of Read results is the same on every run.
//
// The goroutine starts at the first Read or ReadRefs: it hands over records,
// or refs (with registers, for a reader that has them). Instructions groups
// them on the caller's side. Use one view.
//
// Close stops the goroutine (waiting for any r.Read in progress to return)
// and closes r. The returned Reader, like r, is for one goroutine at a time.
func Pipelined(r Reader, batch int) Reader {
	if batch <= 0 {
		batch = DefaultBatch
	}
	return &lazyPipe{r: r, batch: batch, format: r.Format()}
}

// lazyPipe starts the pipe of the view used first.
type lazyPipe struct {
	r      Reader
	batch  int
	format string
	recs   *pipe[Record]
	refs   *pipe[Ref]
	closed bool
}

var errMixedViews = errors.New("traces: Pipelined reader read both as records and as refs")

func (l *lazyPipe) started() bool { return l.recs != nil || l.refs != nil }

func (l *lazyPipe) Read(recs []Record) (int, error) {
	if l.recs == nil {
		if l.closed {
			return 0, errClosed
		}
		if l.started() {
			return 0, errMixedViews
		}
		l.recs = newPipe(l.r.Read, l.r.Close, l.batch)
	}
	return l.recs.Read(recs)
}

func (l *lazyPipe) ReadRefs(refs []Ref) (int, error) {
	if l.refs == nil {
		if l.closed {
			return 0, errClosed
		}
		if l.started() {
			return 0, errMixedViews
		}
		rr := Refs(l.r)
		l.refs = newPipe(rr.ReadRefs, rr.Close, l.batch)
	}
	return l.refs.Read(refs)
}

// instructions groups on the caller's side what the goroutine reads:
// records, or refs when r has registers to give. Handing over
// records (16 bytes) or refs (40) and grouping them here is faster than
// handing over grouped instructions (128 bytes each).
func (l *lazyPipe) instructions(modifyAsLoad bool) InstrReader {
	if _, ok := l.r.(instructioner); ok && CarriesOf(l.r)&CarriesRegs != 0 {
		return groupRefs(l, modifyAsLoad)
	}
	return &grouper{r: l, buf: make([]Record, 4096), modifyAsLoad: modifyAsLoad}
}

func (l *lazyPipe) Format() string { return l.format }

func (l *lazyPipe) Carries() Carries { return CarriesOf(l.r) }

func (l *lazyPipe) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	switch {
	case l.recs != nil:
		return l.recs.Close()
	case l.refs != nil:
		return l.refs.Close()
	}
	return l.r.Close()
}

func (p *pipe[T]) decode() {
	defer close(p.done)
	defer func() {
		if v := recover(); v != nil {
			select {
			case p.full <- chunk[T]{panicked: &DecoderPanic{Value: v, Stack: debug.Stack()}}:
			case <-p.stop:
			}
		}
	}()
	for {
		var buf []T
		select {
		case buf = <-p.free:
		case <-p.stop:
			return
		}
		n, err := readBatch(p.read, buf[:cap(buf)])
		select {
		case p.full <- chunk[T]{items: buf[:n], err: err}:
		case <-p.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// readBatch fills buf, so that batch boundaries never depend on how r
// chunks its output.
func readBatch[T any](read func([]T) (int, error), buf []T) (int, error) {
	n, idle := 0, 0
	for n < len(buf) {
		m, err := read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m > 0 {
			idle = 0
		} else if idle++; idle > 100 {
			return n, io.ErrNoProgress
		}
	}
	return n, nil
}

func (p *pipe[T]) Read(items []T) (int, error) {
	n := 0
	for n < len(items) {
		if p.off < len(p.cur) {
			k := copy(items[n:], p.cur[p.off:])
			n += k
			p.off += k
			continue
		}
		if p.err != nil {
			break
		}
		if p.cur != nil {
			p.free <- p.cur // never blocks: free holds every batch there is
		}
		c := <-p.full
		if c.panicked != nil {
			p.err = errClosed
			panic(c.panicked)
		}
		p.cur, p.off, p.err = c.items, 0, c.err
	}
	if n > 0 {
		return n, nil
	}
	return 0, p.err
}

func (p *pipe[T]) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	close(p.stop)
	<-p.done
	p.cur, p.err = nil, errClosed
	return p.close()
}
