package disk

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/vmemu/vmemu/sim"
)

// Swap errors, wrapped with details: test them with errors.Is.
var (
	ErrSwapFull = errors.New("swap area full")
	ErrBadSlot  = errors.New("bad swap slot")
)

// Swap is a swap area: a range of device blocks divided into slots of one
// page each.
//
// A slot is a whole number of blocks: ceil(pageSize / blockSize). A page
// larger than a block (a 4 KiB page on 512-byte blocks) spans consecutive
// blocks and moves in one request; a page smaller than a block (the 64-byte
// pages of the CS:APP small system on 4 KiB blocks) takes a block of its own,
// the rest padded with zeros, and every swap-in reads the whole block. Slots
// never share a block, so writing one page never needs a read of another.
//
// Alloc hands out the lowest free slot, so the slots of pages swapped out
// together are adjacent on the disk.
type Swap struct {
	dev           Device
	first         uint64 // first device block
	blocksPerSlot uint64
	pageSize      int
	slots         int
	used          []uint64 // bitmap
	nUsed         int
	hint          int // no free slot below this one
	buf           []byte
	c             SwapCounters
}

// SwapCounters are the swap area's statistics.
type SwapCounters struct {
	PagesOut, PagesIn uint64 // WritePage and ReadPage calls served
	Allocs, Frees     uint64
	Full              uint64 // Alloc calls refused because every slot was taken
	MaxUsed           uint64 // high-water mark of slots in use
}

// NewSwap makes a swap area of pageSize-byte slots on blocks
// [first, first+blocks) of dev.
func NewSwap(dev Device, first, blocks uint64, pageSize int) (*Swap, error) {
	if pageSize <= 0 {
		return nil, fmt.Errorf("disk: swap page size %d must be positive", pageSize)
	}
	if blocks == 0 || first >= dev.Blocks() || blocks > dev.Blocks()-first {
		return nil, fmt.Errorf("disk: swap on blocks %d..%d+%d: %w (device has %d blocks)",
			first, first, blocks, ErrOutOfRange, dev.Blocks())
	}
	bs := uint64(dev.BlockSize())
	bps := (uint64(pageSize) + bs - 1) / bs
	slots := blocks / bps
	if slots == 0 {
		return nil, fmt.Errorf("disk: swap of %d blocks of %d bytes holds no %d-byte page", blocks, bs, pageSize)
	}
	if slots > 1<<40 {
		return nil, fmt.Errorf("disk: swap of %d slots is too large", slots)
	}
	return &Swap{
		dev: dev, first: first, blocksPerSlot: bps, pageSize: pageSize,
		slots: int(slots), used: make([]uint64, (slots+63)/64),
		buf: make([]byte, bps*bs),
	}, nil
}

// Slots is the number of page slots; Used how many are allocated.
func (s *Swap) Slots() int { return s.slots }

// Used is the number of allocated slots.
func (s *Swap) Used() int { return s.nUsed }

// PageSize is the size of a page in bytes.
func (s *Swap) PageSize() int { return s.pageSize }

// Block returns the first device block of slot (for reports and tests).
func (s *Swap) Block(slot int) uint64 { return s.first + uint64(slot)*s.blocksPerSlot }

// Counters returns a copy of the swap area's statistics.
func (s *Swap) Counters() SwapCounters { return s.c }

// RegisterStats registers the counters under prefix ("swap" gives
// "swap.pages_out", ...).
func (s *Swap) RegisterStats(st *sim.Stats, prefix string) {
	st.RegisterTable(prefix, []sim.Counter{
		{Name: "pages_out", P: &s.c.PagesOut, Doc: "pages written to swap"},
		{Name: "pages_in", P: &s.c.PagesIn, Doc: "pages read from swap"},
		{Name: "allocs", P: &s.c.Allocs, Doc: "slots taken"},
		{Name: "frees", P: &s.c.Frees, Doc: "slots given back"},
		{Name: "full", P: &s.c.Full, Doc: "slots asked for when every one was taken"},
		{Name: "max_used", P: &s.c.MaxUsed, Unit: "slots", Doc: "the most slots in use at once"},
	})
}

// Alloc takes the lowest free slot.
func (s *Swap) Alloc() (int, error) {
	for w := s.hint / 64; w < len(s.used); w++ {
		if s.used[w] == ^uint64(0) {
			continue
		}
		slot := w*64 + bits.TrailingZeros64(^s.used[w])
		if slot >= s.slots {
			break
		}
		s.used[w] |= 1 << (slot % 64)
		s.nUsed++
		s.hint = slot + 1
		s.c.Allocs++
		s.c.MaxUsed = max(s.c.MaxUsed, uint64(s.nUsed))
		return slot, nil
	}
	s.hint = s.slots
	s.c.Full++
	return -1, fmt.Errorf("disk: %w: all %d slots in use", ErrSwapFull, s.slots)
}

// Free releases slot. Freeing a slot that is not allocated is an error.
func (s *Swap) Free(slot int) error {
	if err := s.checkUsed(slot); err != nil {
		return fmt.Errorf("disk: swap free: %w", err)
	}
	s.used[slot/64] &^= 1 << (slot % 64)
	s.nUsed--
	s.hint = min(s.hint, slot)
	s.c.Frees++
	return nil
}

// InUse reports whether slot is allocated.
func (s *Swap) InUse(slot int) bool {
	return slot >= 0 && slot < s.slots && s.used[slot/64]&(1<<(slot%64)) != 0
}

func (s *Swap) checkUsed(slot int) error {
	if slot < 0 || slot >= s.slots {
		return fmt.Errorf("%w: %d not in 0..%d", ErrBadSlot, slot, s.slots-1)
	}
	if !s.InUse(slot) {
		return fmt.Errorf("%w: %d is not allocated", ErrBadSlot, slot)
	}
	return nil
}

// WritePage writes a page (len(data) == PageSize()) to an allocated slot,
// submitted at now; done is when it is on the disk.
func (s *Swap) WritePage(now sim.Cycle, slot int, data []byte) (sim.Cycle, error) {
	if err := s.checkUsed(slot); err != nil {
		return now, fmt.Errorf("disk: swap write: %w", err)
	}
	if len(data) != s.pageSize {
		return now, fmt.Errorf("disk: swap write: %d bytes, page size is %d", len(data), s.pageSize)
	}
	copy(s.buf, data)
	clear(s.buf[len(data):])
	done, err := s.dev.Write(now, s.Block(slot), s.buf)
	if err == nil {
		s.c.PagesOut++
	}
	return done, err
}

// ReadPage reads an allocated slot into buf (len(buf) == PageSize()),
// submitted at now; done is when the page is in memory. It returns what was
// last written to the slot's blocks (zeros if they were never written).
func (s *Swap) ReadPage(now sim.Cycle, slot int, buf []byte) (sim.Cycle, error) {
	if err := s.checkUsed(slot); err != nil {
		return now, fmt.Errorf("disk: swap read: %w", err)
	}
	if len(buf) != s.pageSize {
		return now, fmt.Errorf("disk: swap read: %d bytes, page size is %d", len(buf), s.pageSize)
	}
	done, err := s.dev.Read(now, s.Block(slot), s.buf)
	if err != nil {
		return now, err
	}
	copy(buf, s.buf)
	s.c.PagesIn++
	return done, nil
}
