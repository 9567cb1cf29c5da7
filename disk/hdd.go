package disk

import (
	"fmt"
	"math"
	"time"

	"github.com/vmemu/vmemu/sim"
)

// HDDConfig describes a hard disk. Times are time.Duration (nanoseconds);
// rates are MB/s of 10^6 bytes, as datasheets give them.
type HDDConfig struct {
	Name      string
	Blocks    uint64 // capacity of the emulated device, in blocks
	BlockSize int    // bytes; 0 means DefaultBlockSize

	RPM   uint64 // spindle speed
	Heads int    // recording surfaces: tracks per cylinder
	// BlocksPerTrack fixes the geometry; 0 derives it from MediaMBps: the
	// blocks that pass under the head in one revolution at that rate.
	BlocksPerTrack int
	MediaMBps      float64 // sustained media rate (used when BlocksPerTrack is 0)
	InterfaceMBps  float64 // host link (SATA): the rate of a read-ahead hit

	// The seek curve (Ruemmler and Wilkes 1994): seek(d) = a + b*sqrt(d)
	// for distances up to SeekBoundary of the full stroke, linear beyond.
	// It passes through TrackToTrackSeek at one cylinder and FullStrokeSeek
	// at the last, and its knee is placed so the weighted average over all
	// seek distances (the datasheet's definition) is AverageSeek.
	TrackToTrackSeek time.Duration
	AverageSeek      time.Duration
	FullStrokeSeek   time.Duration
	SeekBoundary     float64 // fraction of the full stroke, in (0, 1); 0 means 0.2

	// HeadSwitch is the time to read from another surface of the same
	// cylinder. Tracks are skewed by the larger of HeadSwitch and
	// TrackToTrackSeek, so a sequential transfer crossing a track loses only
	// the skew, not a revolution.
	HeadSwitch time.Duration

	// CommandOverhead is the controller's time from a command's arrival to
	// the start of the seek; it overlaps with earlier requests still in
	// service. CacheHitOverhead is the same for a read answered from the
	// read-ahead buffer.
	CommandOverhead  time.Duration
	CacheHitOverhead time.Duration

	// ReadAheadBlocks is how far the drive keeps reading past the last block
	// a read asked for (0 disables read-ahead). A later read of blocks
	// inside that window is answered from the buffer as soon as the medium
	// has passed them.
	ReadAheadBlocks int
}

// HDD is a hard disk: one arm, one spindle, a FIFO queue and a read-ahead
// buffer of one segment.
type HDD struct {
	accounting
	cfg HDDConfig

	bpt, heads, cylinders uint64
	slotsPerMinute        uint64 // RPM * blocks per track: slot boundaries per minute
	skew                  uint64 // angular offset of each track relative to the one before, in slots
	seek                  seekCurve
	headSwitch            uint64 // ns
	overhead, hitOverhead uint64 // ns
	ifaceBps              uint64

	busyUntil uint64 // ns: the mechanism is free from then on
	headTrack uint64 // track under the head after the last request

	// The read-ahead segment: blocks [raFirst, raLast] were asked for and
	// are in the buffer; the drive keeps streaming raLast+1 ... up to
	// raLast+ReadAheadBlocks. raLastEnd is when raLast came off the medium.
	raValid         bool
	raFirst, raLast uint64
	raLastEnd       uint64
}

const nsPerMinute = 60_000_000_000

// NewHDD builds a hard disk for cfg; coreHz is the core clock, used to turn
// the disk's nanoseconds into cycles.
func NewHDD(cfg HDDConfig, coreHz uint64) (*HDD, error) {
	if cfg.BlockSize == 0 {
		cfg.BlockSize = DefaultBlockSize
	}
	if cfg.SeekBoundary == 0 {
		cfg.SeekBoundary = 0.2
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	clk, err := newClock(coreHz)
	if err != nil {
		return nil, err
	}
	h := &HDD{
		accounting: accounting{store: newStore(cfg.Blocks, cfg.BlockSize), clock: clk},
		cfg:        cfg,
		heads:      uint64(cfg.Heads),
	}
	h.bpt = uint64(cfg.BlocksPerTrack)
	if h.bpt == 0 {
		// bytes per revolution at the media rate, in whole blocks
		perRev := cfg.MediaMBps * 1e6 * 60 / float64(cfg.RPM)
		h.bpt = uint64(perRev / float64(cfg.BlockSize))
		if h.bpt == 0 {
			return nil, fmt.Errorf("disk: hdd %q: media rate %.3g MB/s at %d RPM gives less than one %d-byte block per track",
				cfg.Name, cfg.MediaMBps, cfg.RPM, cfg.BlockSize)
		}
	}
	tracks := (cfg.Blocks + h.bpt - 1) / h.bpt
	h.cylinders = (tracks + h.heads - 1) / h.heads
	h.slotsPerMinute = cfg.RPM * h.bpt
	h.seek = newSeekCurve(h.cylinders, cfg.TrackToTrackSeek, cfg.AverageSeek, cfg.FullStrokeSeek, cfg.SeekBoundary)
	h.headSwitch = uint64(cfg.HeadSwitch)
	sw := max(h.headSwitch, uint64(cfg.TrackToTrackSeek))
	// skew slots last at least sw + 1 ns (the +1 covers rounding boundaries up)
	h.skew = mulDiv(sw+1, h.slotsPerMinute, nsPerMinute, true)
	h.overhead = uint64(cfg.CommandOverhead)
	h.hitOverhead = uint64(cfg.CacheHitOverhead)
	h.ifaceBps = mbps(cfg.InterfaceMBps)
	return h, nil
}

func (c *HDDConfig) validate() error {
	bad := func(field, why string) error {
		return fmt.Errorf("disk: hdd %q: %s %s", c.Name, field, why)
	}
	switch {
	case c.Blocks == 0:
		return bad("Blocks", "must be at least 1")
	case c.BlockSize < 0:
		return bad("BlockSize", "must be positive")
	case c.RPM == 0 || c.RPM > 100_000:
		return bad("RPM", "must be in 1..100000")
	case c.Heads <= 0:
		return bad("Heads", "must be at least 1")
	case c.BlocksPerTrack < 0:
		return bad("BlocksPerTrack", "must not be negative")
	case c.BlocksPerTrack == 0 && !(c.MediaMBps > 0):
		return bad("MediaMBps", "must be positive when BlocksPerTrack is 0")
	case !(c.InterfaceMBps > 0):
		return bad("InterfaceMBps", "must be positive")
	case c.TrackToTrackSeek < 0 || c.AverageSeek < c.TrackToTrackSeek || c.FullStrokeSeek < c.AverageSeek:
		return bad("seek times", fmt.Sprintf("must satisfy 0 <= TrackToTrackSeek (%v) <= AverageSeek (%v) <= FullStrokeSeek (%v)",
			c.TrackToTrackSeek, c.AverageSeek, c.FullStrokeSeek))
	case !(c.SeekBoundary > 0 && c.SeekBoundary < 1):
		return bad("SeekBoundary", "must be in (0, 1)")
	case c.HeadSwitch < 0, c.CommandOverhead < 0, c.CacheHitOverhead < 0:
		return bad("HeadSwitch, CommandOverhead and CacheHitOverhead", "must not be negative")
	case c.ReadAheadBlocks < 0:
		return bad("ReadAheadBlocks", "must not be negative")
	}
	return nil
}

// Config returns the configuration the disk was built with (defaults filled in).
func (h *HDD) Config() HDDConfig { return h.cfg }

// Geometry returns the cylinders, heads and blocks per track.
func (h *HDD) Geometry() (cylinders, heads, blocksPerTrack uint64) {
	return h.cylinders, h.heads, h.bpt
}

// Rotation is the time of one revolution (rounded to the nanosecond).
func (h *HDD) Rotation() time.Duration {
	return time.Duration(mulDiv(nsPerMinute, 1, h.cfg.RPM, false))
}

// BlockTransfer is the media time of one block: the time its sectors take to
// pass under the head.
func (h *HDD) BlockTransfer() time.Duration {
	return time.Duration(mulDiv(nsPerMinute, 1, h.slotsPerMinute, false))
}

// SeekTime is the time to move the arm over distance cylinders.
func (h *HDD) SeekTime(distance uint64) time.Duration {
	return time.Duration(h.seek.ns(distance))
}

// Cylinder returns the cylinder that holds block.
func (h *HDD) Cylinder(block uint64) uint64 { return h.track(block) / h.heads }

func (h *HDD) track(block uint64) uint64 { return block / h.bpt }

// slot is the angular position of block on its track, in blocks from the
// index: tracks are skewed so the next track's first block comes under the
// head just after a track switch.
func (h *HDD) slot(block uint64) uint64 {
	t := h.track(block)
	return (block%h.bpt + (t%h.bpt)*(h.skew%h.bpt)) % h.bpt
}

// The platter turns from angle 0 at time 0. Slot boundary m (counting from
// time 0, one per block-width of rotation) passes the head at
// ceil(m * 60e9 / (RPM * bpt)) ns: exact rational arithmetic, so nothing
// drifts however long the run.
func (h *HDD) boundaryTime(m uint64) uint64 {
	return mulDiv(m, nsPerMinute, h.slotsPerMinute, true)
}

// slotStart returns the first time at or after t when the start of slot k
// passes under the head, and the boundary index.
func (h *HDD) slotStart(t, k uint64) (m, at uint64) {
	if t > 0 {
		// the first boundary not yet passed at t: m*U/D > t-1
		m = mulDiv(t-1, h.slotsPerMinute, nsPerMinute, false) + 1
	}
	m += (k + h.bpt - m%h.bpt) % h.bpt
	return m, h.boundaryTime(m)
}

// position moves the head from track from to block's track at time t and
// waits for block's start: it returns when the block's transfer starts and
// ends.
func (h *HDD) position(t, from, block uint64) (start, end uint64) {
	to := h.track(block)
	if to != from {
		fc, tc := from/h.heads, to/h.heads
		if fc == tc {
			t += h.headSwitch
		} else {
			t += h.seek.ns(absDiff(fc, tc))
		}
	}
	m, start := h.slotStart(t, h.slot(block))
	return start, h.boundaryTime(m + 1)
}

// transfer reads or writes blocks [first, last] starting at time t with the
// head on track from; it returns when the first block starts and the last ends.
func (h *HDD) transfer(t, from, first, last uint64) (start, end uint64) {
	start, end = h.position(t, from, first)
	for b := first + 1; b <= last; b++ {
		_, end = h.position(end, h.track(b-1), b)
	}
	return start, end
}

// Read serves a read of len(buf) bytes at block.
func (h *HDD) Read(now sim.Cycle, block uint64, buf []byte) (sim.Cycle, error) {
	n, err := h.check(block, len(buf))
	if err != nil {
		h.c.Errors++
		return now, err
	}
	arrive := h.ns(now)
	last := block + n - 1
	start := max(arrive, h.busyUntil)
	var end uint64
	if h.readAheadHit(block, last) {
		ready := max(arrive+h.hitOverhead, h.busyUntil)
		media := h.raLastEnd
		if last > h.raLast {
			// the drive has been streaming since raLast: the blocks come off
			// the medium one after another (skews at track boundaries)
			_, media = h.transfer(h.raLastEnd, h.track(h.raLast), h.raLast+1, last)
			h.raLast, h.raLastEnd = last, media
			if ra := uint64(h.cfg.ReadAheadBlocks); h.raLast-h.raFirst >= ra {
				h.raFirst = h.raLast - ra + 1
			}
		}
		end = max(ready+transferNs(uint64(len(buf)), h.ifaceBps), media)
		h.headTrack = h.track(h.raLast)
		h.c.ReadAheadHits++
	} else {
		end = h.mechanical(arrive, block, last)
		h.raValid = h.cfg.ReadAheadBlocks > 0
		h.raFirst, h.raLast, h.raLastEnd = block, last, end
	}
	h.busyUntil = end
	h.load(block, buf)
	return h.finish(now, arrive, start, end, false, len(buf)), nil
}

// Write serves a write of data at block. There is no write cache: the
// request completes when the last block is on the platter.
func (h *HDD) Write(now sim.Cycle, block uint64, data []byte) (sim.Cycle, error) {
	n, err := h.check(block, len(data))
	if err != nil {
		h.c.Errors++
		return now, err
	}
	arrive := h.ns(now)
	start := max(arrive, h.busyUntil)
	end := h.mechanical(arrive, block, block+n-1)
	h.raValid = false
	h.busyUntil = end
	h.save(block, data)
	return h.finish(now, arrive, start, end, true, len(data)), nil
}

// mechanical serves blocks [first, last] from the medium: command overhead
// (overlapping the previous request), seek, rotational wait, transfer.
func (h *HDD) mechanical(arrive, first, last uint64) uint64 {
	ready := max(arrive+h.overhead, h.busyUntil)
	if h.Cylinder(first) != h.headTrack/h.heads {
		h.c.Seeks++
	}
	_, end := h.transfer(ready, h.headTrack, first, last)
	h.headTrack = h.track(last)
	return end
}

func (h *HDD) readAheadHit(first, last uint64) bool {
	return h.raValid && first >= h.raFirst && last <= h.raLast+uint64(h.cfg.ReadAheadBlocks)
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

// seekCurve is the seek time as a function of distance in cylinders
// (Ruemmler and Wilkes 1994, section "Seek time"): a + b*sqrt(d) for short
// seeks, where the arm accelerates and decelerates without coasting, and
// linear for long ones, where it coasts at top speed.
type seekCurve struct {
	cylinders      uint64
	t2t, knee, top float64 // ns at 1 cylinder, at the knee, at the full stroke
	kneeDist       float64 // cylinders
	linear         bool    // too few cylinders for a knee: one straight line
}

func newSeekCurve(cylinders uint64, t2t, avg, full time.Duration, boundary float64) seekCurve {
	s := seekCurve{cylinders: cylinders, t2t: float64(t2t), top: float64(full)}
	if cylinders < 3 {
		s.linear = true
		return s
	}
	maxd := float64(cylinders - 1)
	s.kneeDist = math.Round(boundary * maxd)
	if s.kneeDist <= 1 || s.kneeDist >= maxd {
		s.linear = true
		return s
	}
	// The weighted average of the datasheets (all seek lengths n = 1..max,
	// weighted by max+1-n: the share of random pairs that far apart) is
	// linear in the knee time, so the knee that matches AverageSeek is found
	// exactly from two evaluations.
	meanAt := func(knee float64) float64 {
		s.knee = knee
		var sum, w float64
		for d := uint64(1); d < cylinders; d++ {
			wd := float64(cylinders - d)
			sum += wd * s.at(d)
			w += wd
		}
		return sum / w
	}
	m0, m1 := meanAt(0), meanAt(1)
	knee := float64(avg)
	if m1 != m0 {
		knee = (float64(avg) - m0) / (m1 - m0)
	}
	s.knee = min(max(knee, s.t2t), s.top)
	return s
}

func (s *seekCurve) at(d uint64) float64 {
	switch {
	case d == 0:
		return 0
	case s.cylinders < 3:
		return s.t2t
	case s.linear:
		return s.t2t + (s.top-s.t2t)*float64(d-1)/float64(s.cylinders-2)
	}
	x := float64(d)
	if x <= s.kneeDist {
		return s.t2t + (s.knee-s.t2t)*(math.Sqrt(x)-1)/(math.Sqrt(s.kneeDist)-1)
	}
	return s.knee + (s.top-s.knee)*(x-s.kneeDist)/(float64(s.cylinders-1)-s.kneeDist)
}

func (s *seekCurve) ns(d uint64) uint64 { return uint64(math.Round(s.at(d))) }
