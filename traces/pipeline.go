package traces

import "io"

// DefaultBatch is the batch size Pipelined uses when given batch <= 0:
// 8192 records are 128 KiB, big enough that the channel hand-over costs
// nothing per record, small enough to stay in L2.
const DefaultBatch = 8192

// pipeDepth is how many batches may wait decoded ahead of the consumer.
const pipeDepth = 4

type chunk struct {
	recs []Record
	err  error // after recs: io.EOF or the reader's error
}

type pipe struct {
	r      Reader
	format string
	full   chan chunk    // decoded batches, in trace order
	free   chan []Record // emptied batches going back to the decoder
	stop   chan struct{} // closed by Close
	done   chan struct{} // closed when the decoder goroutine has returned

	cur    []Record // batch being handed out
	off    int
	err    error
	closed bool
}

// Pipelined reads r in a goroutine of its own, batch records at a time, so
// that decompression and parsing run on another core while the caller
// simulates. Records come out in exactly the order r gives them, then r's
// error (or io.EOF). The batches are recycled: nothing is allocated after
// the start. Read fills recs completely unless the trace ends, so the
// sequence of Read results is the same on every run.
//
// Close stops the goroutine (waiting for any r.Read in progress to return)
// and closes r. The returned Reader, like r, is for one goroutine at a time.
func Pipelined(r Reader, batch int) Reader {
	if batch <= 0 {
		batch = DefaultBatch
	}
	p := &pipe{
		r:      r,
		format: r.Format(),
		full:   make(chan chunk, pipeDepth),
		free:   make(chan []Record, pipeDepth),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	for range pipeDepth {
		p.free <- make([]Record, batch)
	}
	go p.decode()
	return p
}

func (p *pipe) decode() {
	defer close(p.done)
	for {
		var buf []Record
		select {
		case buf = <-p.free:
		case <-p.stop:
			return
		}
		n, err := readBatch(p.r, buf[:cap(buf)])
		select {
		case p.full <- chunk{buf[:n], err}:
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
func readBatch(r Reader, buf []Record) (int, error) {
	n, idle := 0, 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
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

func (p *pipe) Read(recs []Record) (int, error) {
	n := 0
	for n < len(recs) {
		if p.off < len(p.cur) {
			k := copy(recs[n:], p.cur[p.off:])
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
		p.cur, p.off, p.err = c.recs, 0, c.err
	}
	if n > 0 {
		return n, nil
	}
	return 0, p.err
}

func (p *pipe) Format() string { return p.format }

func (p *pipe) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	close(p.stop)
	<-p.done
	p.cur, p.err = nil, errClosed
	return p.r.Close()
}
