package disk

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/vmemu/vmemu/sim"
)

// SSDConfig describes a flash SSD. Times are time.Duration (nanoseconds);
// rates are MB/s of 10^6 bytes.
type SSDConfig struct {
	Name      string
	Blocks    uint64 // capacity of the emulated device, in blocks
	BlockSize int    // bytes; 0 means DefaultBlockSize

	// PageSize is the flash read/program unit in bytes; one of PageSize and
	// BlockSize must be a multiple of the other. Page p lives on channel
	// p mod Channels (static striping: logical page = physical page).
	PageSize int
	// Channels are the parallel units (a channel and the die on it): each
	// serves its pages in arrival order, independently of the others.
	Channels int

	ReadLatency    time.Duration // tR: array to page register, per page
	ProgramLatency time.Duration // tPROG: page register to array, per page
	ChannelMBps    float64       // flash bus between controller and die, per channel
	InterfaceMBps  float64       // host link (SATA, PCIe), shared by all requests

	// CommandOverhead is the controller's (and protocol's) fixed time per
	// request, before any flash operation starts.
	CommandOverhead time.Duration
}

// SSD is a flash drive: requests are split into pages, the pages striped
// over channels, each channel a FIFO queue; a shared host link carries the
// data.
type SSD struct {
	accounting
	cfg SSDConfig

	pageSize          uint64
	readNs, programNs uint64
	overhead          uint64
	chanBps, hostBps  uint64

	chanFree []uint64 // ns: each channel is free from then on
	link     timeline // the host link's reservations
	ops      []pageOp // scratch
}

type pageOp struct {
	done, bytes uint64
}

// NewSSD builds a flash drive for cfg; coreHz is the core clock.
func NewSSD(cfg SSDConfig, coreHz uint64) (*SSD, error) {
	if cfg.BlockSize == 0 {
		cfg.BlockSize = DefaultBlockSize
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = cfg.BlockSize
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	clk, err := newClock(coreHz)
	if err != nil {
		return nil, err
	}
	return &SSD{
		accounting: accounting{store: newStore(cfg.Blocks, cfg.BlockSize), clock: clk},
		cfg:        cfg,
		pageSize:   uint64(cfg.PageSize),
		readNs:     uint64(cfg.ReadLatency),
		programNs:  uint64(cfg.ProgramLatency),
		overhead:   uint64(cfg.CommandOverhead),
		chanBps:    mbps(cfg.ChannelMBps),
		hostBps:    mbps(cfg.InterfaceMBps),
		chanFree:   make([]uint64, cfg.Channels),
	}, nil
}

func (c *SSDConfig) validate() error {
	bad := func(field, why string) error {
		return fmt.Errorf("disk: ssd %q: %s %s", c.Name, field, why)
	}
	switch {
	case c.Blocks == 0:
		return bad("Blocks", "must be at least 1")
	case c.BlockSize < 0:
		return bad("BlockSize", "must be positive")
	case c.PageSize < 0:
		return bad("PageSize", "must be positive")
	case c.PageSize%c.BlockSize != 0 && c.BlockSize%c.PageSize != 0:
		return bad("PageSize", fmt.Sprintf("(%d) and BlockSize (%d) must divide one another", c.PageSize, c.BlockSize))
	case c.Channels <= 0 || c.Channels > 1024:
		return bad("Channels", "must be in 1..1024")
	case c.ReadLatency < 0, c.ProgramLatency < 0, c.CommandOverhead < 0:
		return bad("ReadLatency, ProgramLatency and CommandOverhead", "must not be negative")
	case !(c.ChannelMBps > 0):
		return bad("ChannelMBps", "must be positive")
	case !(c.InterfaceMBps > 0):
		return bad("InterfaceMBps", "must be positive")
	}
	return nil
}

// Config returns the configuration the drive was built with (defaults filled in).
func (s *SSD) Config() SSDConfig { return s.cfg }

// Read serves a read: every page the request covers is read on its channel
// (tR, then the bytes wanted over the channel), and each page crosses the
// host link as soon as it is out and the link has room (a page of a later
// request may cross before an earlier request's pages still in the flash).
func (s *SSD) Read(now sim.Cycle, block uint64, buf []byte) (sim.Cycle, error) {
	if _, err := s.check(block, len(buf)); err != nil {
		s.c.Errors++
		return now, err
	}
	arrive := s.ns(now)
	ready := arrive + s.overhead
	s.ops = s.ops[:0]
	var wait uint64 // the longest a page waited for its channel
	for p, from, to := s.pages(block, len(buf)); p*s.pageSize < to; p++ {
		ch, bytes := s.page(p, from, to)
		st := max(ready, s.chanFree[ch])
		wait = max(wait, st-ready)
		done := st + s.readNs + transferNs(bytes, s.chanBps)
		s.chanFree[ch] = done
		s.ops = append(s.ops, pageOp{done, bytes})
	}
	slices.SortStableFunc(s.ops, func(a, b pageOp) int { return cmp.Compare(a.done, b.done) })
	s.link.prune(arrive)
	var end uint64
	for _, op := range s.ops {
		end = max(end, s.link.reserve(op.done, transferNs(op.bytes, s.hostBps)))
	}
	s.load(block, buf)
	return s.finish(now, arrive, arrive+wait, end, false, len(buf)), nil
}

// Write serves a write: the data crosses the host link, then every page is
// sent over its channel and programmed (tPROG). A page only partly written
// still costs a whole program: there is no write buffer to merge pages.
func (s *SSD) Write(now sim.Cycle, block uint64, data []byte) (sim.Cycle, error) {
	if _, err := s.check(block, len(data)); err != nil {
		s.c.Errors++
		return now, err
	}
	arrive := s.ns(now)
	ready := arrive + s.overhead
	s.link.prune(arrive)
	xfer := transferNs(uint64(len(data)), s.hostBps)
	in := s.link.reserve(ready, xfer)
	end := in
	wait := in - xfer - ready // behind earlier transfers on the link
	var chanWait uint64
	for p, from, to := s.pages(block, len(data)); p*s.pageSize < to; p++ {
		ch, bytes := s.page(p, from, to)
		st := max(in, s.chanFree[ch])
		chanWait = max(chanWait, st-in)
		done := st + transferNs(bytes, s.chanBps) + s.programNs
		s.chanFree[ch] = done
		end = max(end, done)
	}
	s.save(block, data)
	return s.finish(now, arrive, arrive+wait+chanWait, end, true, len(data)), nil
}

// pages returns the first flash page that bytes [from, to) of a request of
// n bytes at block touch; the pages run from there while p*PageSize < to.
func (s *SSD) pages(block uint64, n int) (first, from, to uint64) {
	from = block * uint64(s.bs)
	to = from + uint64(n)
	return from / s.pageSize, from, to
}

// page returns page p's channel and how many of bytes [from, to) it holds.
func (s *SSD) page(p, from, to uint64) (ch int, bytes uint64) {
	lo := max(from, p*s.pageSize)
	hi := min(to, (p+1)*s.pageSize)
	return int(p % uint64(len(s.chanFree))), hi - lo
}

// timeline is a resource's reservations: sorted, disjoint busy intervals.
// A transfer takes the first gap at or after its ready time that holds it.
type timeline struct {
	busy  []interval
	floor uint64 // nothing is booked before this (the latest prune)
}

type interval struct{ start, end uint64 }

// reserve books dur from the first free time at or after ready and returns
// when it ends.
func (tl *timeline) reserve(ready, dur uint64) uint64 {
	t := max(ready, tl.floor)
	i := sort.Search(len(tl.busy), func(i int) bool { return tl.busy[i].end > t })
	for ; i < len(tl.busy); i++ {
		if t+dur <= tl.busy[i].start {
			break
		}
		t = max(t, tl.busy[i].end)
	}
	if dur == 0 {
		return t
	}
	iv := interval{t, t + dur}
	// merge with the neighbours it touches
	if i > 0 && tl.busy[i-1].end == iv.start {
		i--
		iv.start = tl.busy[i].start
		tl.busy = append(tl.busy[:i], tl.busy[i+1:]...)
	}
	if i < len(tl.busy) && tl.busy[i].start == iv.end {
		iv.end = tl.busy[i].end
		tl.busy = append(tl.busy[:i], tl.busy[i+1:]...)
	}
	tl.busy = append(tl.busy, interval{})
	copy(tl.busy[i+1:], tl.busy[i:])
	tl.busy[i] = iv
	return t + dur
}

// prune forgets the reservations over by t, the arrival of a request: from
// then on nothing is booked before t (a request submitted with an earlier
// time than one before it cannot use the link before that one arrived).
func (tl *timeline) prune(t uint64) {
	tl.floor = max(tl.floor, t)
	i := sort.Search(len(tl.busy), func(i int) bool { return tl.busy[i].end > tl.floor })
	if i > 0 {
		tl.busy = append(tl.busy[:0], tl.busy[i:]...)
	}
}
