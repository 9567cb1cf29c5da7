package disk

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// At 1 GHz a cycle is a nanosecond: the tests read device times directly.
const ghz = 1_000_000_000

func newHDD(t testing.TB, edit func(*HDDConfig)) *HDD {
	t.Helper()
	cfg := DesktopHDD()
	if edit != nil {
		edit(&cfg)
	}
	h, err := NewHDD(cfg, ghz)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSeekCurve(t *testing.T) {
	for _, tc := range []struct {
		name         string
		edit         func(*HDDConfig)
		matchAverage bool
	}{
		{"preset 1 GiB", nil, true},
		{"preset 64 GiB", func(c *HDDConfig) { c.Blocks = 16 << 20 }, true},
		{"knee at half", func(c *HDDConfig) { c.SeekBoundary = 0.5 }, true},
		{"few cylinders", func(c *HDDConfig) { c.Blocks = 317 * 2 * 4 }, false},
		{"one cylinder", func(c *HDDConfig) { c.Blocks = 100 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHDD(t, tc.edit)
			cfg := h.Config()
			cyl, _, _ := h.Geometry()
			if h.SeekTime(0) != 0 {
				t.Errorf("seek(0) = %v, want 0", h.SeekTime(0))
			}
			if cyl < 2 {
				return
			}
			if got := h.SeekTime(1); got != cfg.TrackToTrackSeek {
				t.Errorf("seek(1) = %v, want the track-to-track %v", got, cfg.TrackToTrackSeek)
			}
			if cyl >= 3 {
				if got := h.SeekTime(cyl - 1); got != cfg.FullStrokeSeek {
					t.Errorf("seek(%d) = %v, want the full stroke %v", cyl-1, got, cfg.FullStrokeSeek)
				}
			}
			var sum, w float64
			prev := time.Duration(0)
			for d := uint64(1); d < cyl; d++ {
				s := h.SeekTime(d)
				if s < prev {
					t.Fatalf("seek(%d) = %v < seek(%d) = %v: not monotonic", d, s, d-1, prev)
				}
				prev = s
				sum += float64(cyl-d) * float64(s)
				w += float64(cyl - d)
			}
			avg := time.Duration(sum / w)
			t.Logf("%d cylinders: seek(1) %v, average %v, full %v", cyl, h.SeekTime(1), avg, h.SeekTime(cyl-1))
			if tc.matchAverage && math.Abs(float64(avg-cfg.AverageSeek)) > 0.001*float64(cfg.AverageSeek) {
				t.Errorf("weighted average seek %v, want %v", avg, cfg.AverageSeek)
			}
		})
	}
}

// noOverhead is a disk whose requests cost only mechanics.
func noOverhead(c *HDDConfig) {
	c.CommandOverhead, c.CacheHitOverhead, c.ReadAheadBlocks = 0, 0, 0
}

func TestRotationalLatency(t *testing.T) {
	h0 := newHDD(t, noOverhead)
	rot := uint64(h0.Rotation())
	slot := uint64(h0.BlockTransfer())
	const block = 40 // on track 0: no seek from the initial head position
	angleStart := float64(h0.slot(block)) * float64(nsPerMinute) / float64(h0.slotsPerMinute)
	type result struct{ Wait uint64 }
	for _, frac := range []float64{0, 0.1, 0.25, 0.5, 0.75, 0.99, 3.3} {
		h := newHDD(t, noOverhead)
		now := sim.Cycle(frac * float64(nsPerMinute) / float64(h.cfg.RPM))
		done, err := h.Read(now, block, make([]byte, 4096))
		if err != nil {
			t.Fatal(err)
		}
		wait := uint64(done-now) - slot
		// the block's start passes at angleStart + k*rotation
		rotF := float64(nsPerMinute) / float64(h.cfg.RPM)
		want := math.Mod(angleStart-float64(now), rotF)
		if want < 0 {
			want += rotF
		}
		if wait >= rot+1 || math.Abs(float64(wait)-want) > 2 {
			t.Errorf("arrival at %.2f rev: waited %d ns, want %.0f (within [0, %d))", frac, wait, want, rot)
		}
	}

	// Over many arrival times the wait covers [0, rotation) and averages half.
	rng := sim.NewRNG(7)
	var sum, lo, hi uint64 = 0, math.MaxUint64, 0
	const n = 4000
	for i := 0; i < n; i++ {
		h := newHDD(t, noOverhead)
		now := sim.Cycle(rng.Uint64() % (1 << 40))
		done, _ := h.Read(now, block, make([]byte, 4096))
		wait := uint64(done-now) - slot
		sum += wait
		lo, hi = min(lo, wait), max(hi, wait)
	}
	avg := float64(sum) / n
	t.Logf("rotational wait over %d arrivals: min %d ns, max %d ns, mean %.3f ms (rotation %.3f ms)", n, lo, hi, avg/1e6, float64(rot)/1e6)
	if hi > rot || lo > rot/50 || hi < rot*49/50 || math.Abs(avg-float64(rot)/2) > float64(rot)*0.03 {
		t.Errorf("waits in [%d, %d], mean %.0f: want spread over [0, %d) with mean %d", lo, hi, avg, rot, rot/2)
	}
}

func TestSequentialReads(t *testing.T) {
	slot := uint64(newHDD(t, nil).BlockTransfer())
	_, _, bpt := newHDD(t, nil).Geometry()
	iface := transferNs(4096, 600e6)
	buf := make([]byte, 4096)
	for _, tc := range []struct {
		name  string
		edit  func(*HDDConfig)
		queue bool   // all submitted at once, rather than each when the last is done
		start uint64 // first block
		want  func(h *HDD, i int) uint64
	}{
		{"queued, no read-ahead", noOverhead, true, 10, func(*HDD, int) uint64 { return slot }},
		{"queued, with overheads", nil, true, 10, func(*HDD, int) uint64 { return slot }},
		{"one at a time, read-ahead, no hit overhead",
			func(c *HDDConfig) { c.CacheHitOverhead = 0 }, false, 10, func(*HDD, int) uint64 { return slot }},
		{"one at a time, read-ahead, preset",
			nil, false, 10, func(h *HDD, _ int) uint64 { return 100_000 + iface }},
		{"one at a time, no read-ahead: a revolution lost each time",
			func(c *HDDConfig) { c.ReadAheadBlocks = 0 }, false, 10,
			func(h *HDD, _ int) uint64 { return uint64(h.Rotation()) + slot }},
		{"queued across a track boundary",
			noOverhead, true, bpt - 3, func(h *HDD, i int) uint64 {
				if uint64(i)+bpt-3 == bpt { // first block of the next track: the skew, then the block
					return (h.skew + 1) * slot
				}
				return slot
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHDD(t, tc.edit)
			const n = 8
			var done [n]sim.Cycle
			now := sim.Cycle(12345)
			for i := range n {
				d, err := h.Read(now, tc.start+uint64(i), buf)
				if err != nil {
					t.Fatal(err)
				}
				done[i] = d
				if !tc.queue {
					now = d
				}
			}
			var got, want []uint64
			for i := 1; i < n; i++ {
				got = append(got, uint64(done[i]-done[i-1]))
				want = append(want, tc.want(h, i))
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b uint64) bool { return absDiff(a, b) <= 50 })); diff != "" {
				t.Errorf("time between completions (ns) (-want +got):\n%s", diff)
			}
			if s := h.Counters().Seeks; s != 0 {
				t.Errorf("%d seeks, want 0", s)
			}
		})
	}
}

func TestRandomReadLatency(t *testing.T) {
	const coreHz = 4_000_000_000
	h, err := NewHDD(DesktopHDD(), coreHz)
	if err != nil {
		t.Fatal(err)
	}
	rng := sim.NewRNG(1)
	buf := make([]byte, 4096)
	now := sim.Cycle(0)
	const n = 3000
	for i := 0; i < n; i++ {
		d, err := h.Read(now, rng.Uint64()%h.Blocks(), buf)
		if err != nil {
			t.Fatal(err)
		}
		now = d + sim.Cycle(rng.IntN(4_000_000)) // think up to 1 ms
	}
	c := h.Counters()
	avgMs := c.AvgLatencyCycles() / coreHz * 1e3
	t.Logf("random 4 KiB reads on %s: %.3f ms average (%.0f cycles at 4 GHz), max %.3f ms, %d seeks, %d read-ahead hits",
		h.cfg.Name, avgMs, c.AvgLatencyCycles(), float64(c.LatencyMaxCycles)/coreHz*1e3, c.Seeks, c.ReadAheadHits)
	// overhead 0.5 + seek 8.5 + rotation 4.17 + transfer 0.03 = 13.2 ms
	if avgMs < 12.6 || avgMs > 13.8 {
		t.Errorf("average random read %.3f ms, want about 13.2 ms", avgMs)
	}
	maxMs := float64(c.LatencyMaxCycles) / coreHz * 1e3
	if maxMs > 0.5+20+8.34+0.03+0.01 {
		t.Errorf("max latency %.3f ms is more than overhead + full stroke + a revolution", maxMs)
	}
}

func TestQueueFIFO(t *testing.T) {
	for _, tc := range []struct {
		name string
		dev  func(t *testing.T) Device
	}{
		{"hdd", func(t *testing.T) Device { return newHDD(t, nil) }},
		{"ssd one channel", func(t *testing.T) Device {
			return newSSD(t, func(c *SSDConfig) { c.Channels = 1 })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.dev(t)
			rng := sim.NewRNG(3)
			buf := make([]byte, 4096)
			const now = 1000
			var done []sim.Cycle
			for i := 0; i < 20; i++ {
				c, err := d.Read(now, rng.Uint64()%d.Blocks(), buf)
				if err != nil {
					t.Fatal(err)
				}
				done = append(done, c)
			}
			// The minimum service of one request: its transfer.
			var minService sim.Cycle
			switch d := d.(type) {
			case *HDD:
				minService = sim.Cycle(d.BlockTransfer())
			case *SSD:
				minService = sim.Cycle(d.cfg.ReadLatency)
			}
			for i := 1; i < len(done); i++ {
				if done[i] < done[i-1]+minService {
					t.Errorf("request %d done at %d, before request %d (%d) + its service %d", i, done[i], i-1, done[i-1], minService)
				}
			}
			c := d.Counters()
			if c.QueueWaitCycles == 0 {
				t.Errorf("no queue wait counted for a burst of %d", len(done))
			}
			if got, want := c.BusyCycles, uint64(done[len(done)-1]-now); got != want {
				t.Errorf("busy %d cycles, want %d (one busy period)", got, want)
			}
		})
	}
}

func TestHDDWrite(t *testing.T) {
	h := newHDD(t, nil)
	data := bytes.Repeat([]byte{0xab}, 8192)
	d1, err := h.Write(0, 100, data)
	if err != nil {
		t.Fatal(err)
	}
	// a write right after, to the next blocks: no write cache, so the
	// command overhead makes it miss the block and wait a revolution
	d2, err := h.Write(d1, 102, data)
	if err != nil {
		t.Fatal(err)
	}
	want := uint64(h.Rotation()) + 2*uint64(h.BlockTransfer())
	if got := uint64(d2 - d1); absDiff(got, want) > 2 {
		t.Errorf("sequential write at queue depth 1 took %d ns, want %d (a lost revolution)", got, want)
	}
	// a read of what was just written is not a read-ahead hit
	if _, err := h.Read(d2, 103, make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	if c := h.Counters(); c.ReadAheadHits != 0 || c.Writes != 2 || c.BytesWritten != 16384 {
		t.Errorf("counters %+v", c)
	}
}

func TestBadRequests(t *testing.T) {
	devices := map[string]Device{"hdd": newHDD(t, nil), "ssd": newSSD(t, nil)}
	for name, d := range devices {
		for _, tc := range []struct {
			block uint64
			n     int
			want  error
		}{
			{d.Blocks(), 4096, ErrOutOfRange},
			{d.Blocks() - 1, 8192, ErrOutOfRange},
			{math.MaxUint64, 4096, ErrOutOfRange},
			{0, 100, ErrPartialBlock},
			{0, 0, ErrPartialBlock},
			{0, 4097, ErrPartialBlock},
		} {
			buf := make([]byte, tc.n)
			if done, err := d.Read(77, tc.block, buf); !errors.Is(err, tc.want) || done != 77 {
				t.Errorf("%s: Read(block %d, %d bytes) = %d, %v; want 77, %v", name, tc.block, tc.n, done, err, tc.want)
			}
			if _, err := d.Write(77, tc.block, buf); !errors.Is(err, tc.want) {
				t.Errorf("%s: Write(block %d, %d bytes) = %v; want %v", name, tc.block, tc.n, err, tc.want)
			}
			if err := d.WriteUntimed(tc.block, buf); !errors.Is(err, tc.want) {
				t.Errorf("%s: WriteUntimed(block %d, %d bytes) = %v; want %v", name, tc.block, tc.n, err, tc.want)
			}
		}
		if c := d.Counters(); c.Errors != 12 || c.Requests() != 0 {
			t.Errorf("%s: counters %+v, want 12 errors and no requests", name, c)
		}
	}
	for _, edit := range []func(*HDDConfig){
		func(c *HDDConfig) { c.RPM = 0 },
		func(c *HDDConfig) { c.Blocks = 0 },
		func(c *HDDConfig) { c.Heads = 0 },
		func(c *HDDConfig) { c.AverageSeek = 30 * time.Millisecond },
		func(c *HDDConfig) { c.MediaMBps = 0.001 },
		func(c *HDDConfig) { c.SeekBoundary = 1 },
		func(c *HDDConfig) { c.InterfaceMBps = 0 },
	} {
		cfg := DesktopHDD()
		edit(&cfg)
		if _, err := NewHDD(cfg, ghz); err == nil {
			t.Errorf("NewHDD(%+v) accepted a bad config", cfg)
		}
	}
	if _, err := NewHDD(DesktopHDD(), 0); err == nil {
		t.Error("NewHDD accepted a 0 Hz core")
	}
}

func TestRoundTrip(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			d, err := NewPreset(name, 3_700_000_000)
			if err != nil {
				t.Fatal(err)
			}
			rng := sim.NewRNG(11)
			model := map[uint64][]byte{}
			now := sim.Cycle(0)
			for i := 0; i < 300; i++ {
				n := 1 + rng.IntN(4)
				b := rng.Uint64() % (d.Blocks() - uint64(n))
				if rng.IntN(2) == 0 {
					data := make([]byte, n*4096)
					for j := range data {
						data[j] = byte(rng.Uint64())
					}
					if rng.IntN(5) == 0 {
						clear(data[:4096]) // zeros are stored too
					}
					done, err := d.Write(now, b, data)
					if err != nil {
						t.Fatal(err)
					}
					if done <= now {
						t.Fatalf("write done at %d, submitted at %d", done, now)
					}
					for k := 0; k < n; k++ {
						model[b+uint64(k)] = data[k*4096 : (k+1)*4096]
					}
					now = done
				} else {
					buf := make([]byte, n*4096)
					done, err := d.Read(now, b, buf)
					if err != nil {
						t.Fatal(err)
					}
					if done <= now {
						t.Fatalf("read done at %d, submitted at %d", done, now)
					}
					for k := 0; k < n; k++ {
						want := model[b+uint64(k)]
						if want == nil {
							want = make([]byte, 4096)
						}
						if !bytes.Equal(buf[k*4096:(k+1)*4096], want) {
							t.Fatalf("block %d read back wrong", b+uint64(k))
						}
					}
					now = done
				}
			}
		})
	}
}

// The same requests give the same cycles.
func TestDeterminism(t *testing.T) {
	run := func(name string) []sim.Cycle {
		d, err := NewPreset(name, 3_000_000_001)
		if err != nil {
			t.Fatal(err)
		}
		rng := sim.NewRNG(5)
		var out []sim.Cycle
		now := sim.Cycle(0)
		buf := make([]byte, 8192)
		for i := 0; i < 500; i++ {
			b := rng.Uint64() % (d.Blocks() - 2)
			if rng.IntN(3) == 0 {
				b = 1000 + uint64(i) // some sequential runs
			}
			var done sim.Cycle
			if rng.IntN(4) == 0 {
				done, _ = d.Write(now, b, buf)
			} else {
				done, _ = d.Read(now, b, buf)
			}
			out = append(out, done)
			now += sim.Cycle(rng.IntN(20_000_000))
		}
		return out
	}
	for _, name := range PresetNames() {
		if diff := cmp.Diff(run(name), run(name)); diff != "" {
			t.Errorf("%s: two runs differ:\n%s", name, diff)
		}
	}
}

// Conversions are exact at clocks that do not divide a nanosecond evenly.
func TestClockConversion(t *testing.T) {
	for _, hz := range []uint64{1_000_000_000, 4_000_000_000, 3_700_000_000, 2_999_999_999, 1} {
		cfg := SATASSD()
		s, err := NewSSD(cfg, hz)
		if err != nil {
			t.Fatal(err)
		}
		now := sim.Cycle(123_456_789)
		done, err := s.Read(now, 0, make([]byte, 4096))
		if err != nil {
			t.Fatal(err)
		}
		arriveNs := mulDiv(uint64(now), 1e9, hz, true)
		endNs := arriveNs + uint64(cfg.CommandOverhead+cfg.ReadLatency) + transferNs(4096, 400e6) + transferNs(4096, 550e6)
		want := sim.Cycle(mulDiv(endNs, hz, 1e9, true))
		if done != want {
			t.Errorf("%d Hz: done %d, want %d", hz, done, want)
		}
	}
}

func TestStatsRegistration(t *testing.T) {
	var st sim.Stats
	h := newHDD(t, nil)
	h.RegisterStats(&st, "disk")
	if _, err := h.Read(0, 5, make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, s := range st.Under("disk") {
		got[s.Name] = s.Value
	}
	if missed := st.Unregistered(&h.c); len(missed) > 0 {
		t.Errorf("counters not registered: %v", missed)
	}
	c := h.Counters()
	want := map[string]uint64{
		"disk.reads": 1, "disk.writes": 0, "disk.bytes_read": 4096, "disk.bytes_written": 0,
		"disk.busy_cycles": c.BusyCycles, "disk.queue_wait_cycles": 0,
		"disk.seeks": 0, "disk.readahead_hits": 0,
		"disk.latency_sum_cycles": c.LatencySumCycles, "disk.latency_max_cycles": c.LatencySumCycles,
		"disk.errors": 0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("registered stats (-want +got):\n%s", diff)
	}
}

// Times far into a run (days of emulated time) neither overflow nor lose
// precision.
func TestFarFuture(t *testing.T) {
	for _, now := range []sim.Cycle{1 << 50, 1 << 60, math.MaxUint64 / 8} {
		h, err := NewHDD(DesktopHDD(), 4_000_000_000)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		d1, err := h.Read(now, 5000, buf)
		if err != nil {
			t.Fatal(err)
		}
		d2, _ := h.Read(now, 5001, buf) // queued right behind: one block more
		lat := float64(d1-now) / 4e6
		step := uint64(d2-d1) / 4
		if d1 <= now || lat > 0.5+20+8.34+0.1 || absDiff(step, uint64(h.BlockTransfer())) > 2 {
			t.Errorf("at cycle %d: latency %.3f ms, next block after %d ns", now, lat, step)
		}
	}
}
