package disk

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/vmemu/vmemu/sim"
)

// DefaultBlockSize is the block size of the presets, in bytes.
const DefaultBlockSize = 4096

// Device is a block device that holds bytes and knows how long a request
// takes. Requests are whole blocks. The completion time is computed when the
// request is submitted: the device serves requests in the order they arrive,
// so a request submitted while it is busy waits for those before it, and the
// time it completes is known at once, deterministically.
type Device interface {
	// Read copies len(buf)/BlockSize() blocks starting at block into buf.
	// now is the submission time; done is when the data is in memory.
	Read(now sim.Cycle, block uint64, buf []byte) (done sim.Cycle, err error)
	// Write stores data (whole blocks) starting at block; done is when the
	// device reports completion (there is no write cache: the data is on
	// the medium).
	Write(now sim.Cycle, block uint64, data []byte) (done sim.Cycle, err error)
	// ReadUntimed and WriteUntimed move bytes without taking time or counting
	// statistics: placing host files on the disk before a run, checking its
	// contents after one.
	ReadUntimed(block uint64, buf []byte) error
	WriteUntimed(block uint64, data []byte) error
	// Blocks is the capacity in blocks; BlockSize the block size in bytes.
	Blocks() uint64
	BlockSize() int
	// Counters returns a copy of the device's statistics.
	Counters() Counters
	// RegisterStats registers the counters under prefix ("disk" gives
	// "disk.reads", "disk.bytes_read", ...).
	RegisterStats(s *sim.Stats, prefix string)
}

var (
	_ Device = (*HDD)(nil)
	_ Device = (*SSD)(nil)
)

// Errors a request can return. They are wrapped with the details, so test
// them with errors.Is.
var (
	ErrOutOfRange   = errors.New("block out of range")
	ErrPartialBlock = errors.New("request is not a whole number of blocks")
)

// Counters are a device's statistics. Times are core cycles.
type Counters struct {
	Reads, Writes           uint64 // requests served
	BytesRead, BytesWritten uint64
	BusyCycles              uint64 // time the device had work (union of request intervals)
	QueueWaitCycles         uint64 // time requests waited behind earlier ones
	Seeks                   uint64 // HDD: requests that moved the arm to another cylinder
	ReadAheadHits           uint64 // HDD: reads answered from the read-ahead buffer
	LatencySumCycles        uint64 // submission to completion, summed over requests
	LatencyMaxCycles        uint64
	Errors                  uint64 // requests rejected (out of range, partial block)
}

// Requests is the number of requests served.
func (c Counters) Requests() uint64 { return c.Reads + c.Writes }

// AvgLatencyCycles is the mean request latency in cycles (0 with no requests).
func (c Counters) AvgLatencyCycles() float64 {
	if c.Requests() == 0 {
		return 0
	}
	return float64(c.LatencySumCycles) / float64(c.Requests())
}

func (c *Counters) register(s *sim.Stats, prefix string) {
	s.RegisterTable(prefix, []sim.Counter{
		{Name: "reads", P: &c.Reads, Doc: "read requests served"},
		{Name: "writes", P: &c.Writes, Doc: "write requests served"},
		{Name: "bytes_read", P: &c.BytesRead, Unit: "bytes", Doc: "bytes read"},
		{Name: "bytes_written", P: &c.BytesWritten, Unit: "bytes", Doc: "bytes written"},
		{Name: "busy_cycles", P: &c.BusyCycles, Unit: "cycles", Doc: "time the device had work (the union of requests' times)"},
		{Name: "queue_wait_cycles", P: &c.QueueWaitCycles, Unit: "cycles", Doc: "time requests waited behind earlier ones, summed"},
		{Name: "seeks", P: &c.Seeks, Doc: "requests that moved the arm to another cylinder (HDD)"},
		{Name: "readahead_hits", P: &c.ReadAheadHits, Doc: "reads answered from the read-ahead buffer (HDD)"},
		{Name: "latency_sum_cycles", P: &c.LatencySumCycles, Unit: "cycles", Doc: "request latencies, submission to completion, summed"},
		{Name: "latency_max_cycles", P: &c.LatencyMaxCycles, Unit: "cycles", Doc: "the longest request latency"},
		{Name: "errors", P: &c.Errors, Doc: "requests rejected (out of range, not whole blocks)"},
	})
}

// store holds a device's bytes sparsely: a block never written (or written
// with zeros) takes no memory and reads as zeros.
type store struct {
	blocks uint64
	bs     int
	data   map[uint64][]byte
}

func newStore(blocks uint64, bs int) store {
	return store{blocks: blocks, bs: bs, data: map[uint64][]byte{}}
}

// check validates a request of len n bytes at block and returns its length
// in blocks.
func (s *store) check(block uint64, n int) (uint64, error) {
	if n <= 0 || n%s.bs != 0 {
		return 0, fmt.Errorf("disk: %d bytes at block %d: %w (block size %d)", n, block, ErrPartialBlock, s.bs)
	}
	count := uint64(n / s.bs)
	if block >= s.blocks || count > s.blocks-block {
		return 0, fmt.Errorf("disk: blocks %d..%d: %w (device has %d blocks)", block, block+count-1, ErrOutOfRange, s.blocks)
	}
	return count, nil
}

func (s *store) load(block uint64, buf []byte) {
	for i := 0; i < len(buf); i += s.bs {
		dst := buf[i : i+s.bs]
		if src, ok := s.data[block+uint64(i/s.bs)]; ok {
			copy(dst, src)
		} else {
			clear(dst)
		}
	}
}

func (s *store) save(block uint64, data []byte) {
	for i := 0; i < len(data); i += s.bs {
		src := data[i : i+s.bs]
		b := block + uint64(i/s.bs)
		if allZero(src) {
			delete(s.data, b)
			continue
		}
		dst, ok := s.data[b]
		if !ok {
			dst = make([]byte, s.bs)
			s.data[b] = dst
		}
		copy(dst, src)
	}
}

func allZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// clock converts between core cycles and the device's nanoseconds, exactly.
type clock struct {
	nsToCycles, cyclesToNs sim.Ratio
}

func newClock(coreHz uint64) (clock, error) {
	if coreHz == 0 {
		return clock{}, errors.New("disk: core frequency is 0 Hz")
	}
	return clock{nsToCycles: sim.NewRatio(1e9, coreHz), cyclesToNs: sim.NewRatio(coreHz, 1e9)}, nil
}

// ns is the first nanosecond at or after cycle c (rounded up: a request is
// never seen by the device before it was made).
func (k clock) ns(c sim.Cycle) uint64 { return k.cyclesToNs.Convert(uint64(c)) }

// cycles is the first cycle at or after nanosecond t.
func (k clock) cycles(t uint64) sim.Cycle { return sim.Cycle(k.nsToCycles.Convert(t)) }

// accounting is what both models share: bytes, clock, counters.
type accounting struct {
	store
	clock
	c       Counters
	busyNs  uint64 // union of busy intervals, ns
	busyEnd uint64 // end of the last busy interval, ns
}

func (a *accounting) Blocks() uint64                            { return a.blocks }
func (a *accounting) BlockSize() int                            { return a.bs }
func (a *accounting) Counters() Counters                        { return a.c }
func (a *accounting) RegisterStats(s *sim.Stats, prefix string) { a.c.register(s, prefix) }

func (a *accounting) ReadUntimed(block uint64, buf []byte) error {
	if _, err := a.check(block, len(buf)); err != nil {
		return err
	}
	a.load(block, buf)
	return nil
}

func (a *accounting) WriteUntimed(block uint64, data []byte) error {
	if _, err := a.check(block, len(data)); err != nil {
		return err
	}
	a.save(block, data)
	return nil
}

// finish records a served request: it arrived at arrive (ns; now in cycles),
// started service at start and completed at end (ns). It returns the
// completion time in cycles.
func (a *accounting) finish(now sim.Cycle, arrive, start, end uint64, write bool, bytes int) sim.Cycle {
	done := a.cycles(end)
	if write {
		a.c.Writes++
		a.c.BytesWritten += uint64(bytes)
	} else {
		a.c.Reads++
		a.c.BytesRead += uint64(bytes)
	}
	lat := uint64(done - now)
	a.c.LatencySumCycles += lat
	a.c.LatencyMaxCycles = max(a.c.LatencyMaxCycles, lat)
	if start > arrive {
		a.c.QueueWaitCycles += uint64(a.cycles(start) - a.cycles(arrive))
	}
	from := max(arrive, a.busyEnd)
	if end > from {
		a.busyNs += end - from
	}
	a.busyEnd = max(a.busyEnd, end)
	a.c.BusyCycles = uint64(a.cycles(a.busyNs))
	return done
}

// mulDiv returns a*b/c rounded down (up with ceil), computed in 128 bits;
// it saturates at MaxUint64 if the quotient does not fit.
func mulDiv(a, b, c uint64, ceil bool) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return math.MaxUint64
	}
	q, r := bits.Div64(hi, lo, c)
	if ceil && r != 0 {
		q++
	}
	return q
}

// transferNs is the time to move n bytes at rate bytes per second, rounded
// up to whole nanoseconds.
func transferNs(n uint64, bytesPerSec uint64) uint64 {
	return mulDiv(n, 1e9, bytesPerSec, true)
}

// mbps turns a rate in MB/s (10^6 bytes per second, as datasheets count) into
// bytes per second.
func mbps(r float64) uint64 { return uint64(math.Round(r * 1e6)) }
