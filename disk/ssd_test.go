package disk

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

func newSSD(t testing.TB, edit func(*SSDConfig)) *SSD {
	t.Helper()
	cfg := SATASSD()
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewSSD(cfg, ghz)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fastHost makes the host link and overhead negligible, so the flash alone
// sets the time.
func fastHost(c *SSDConfig) {
	c.InterfaceMBps = 1e9
	c.CommandOverhead = 0
}

func TestSSDChannelParallelism(t *testing.T) {
	const pages = 8
	page := uint64(60*time.Microsecond) + transferNs(4096, 400e6) // tR + channel transfer
	for _, tc := range []struct {
		channels int
		single   bool // one request of 8 pages, rather than 8 one-page requests
		want     uint64
	}{
		{8, true, page}, {8, false, page},
		{4, true, 2 * page}, {2, false, 4 * page},
		{1, true, 8 * page}, {1, false, 8 * page},
	} {
		s := newSSD(t, func(c *SSDConfig) { fastHost(c); c.Channels = tc.channels })
		const now = 500
		var done sim.Cycle
		if tc.single {
			done, _ = s.Read(now, 16, make([]byte, pages*4096))
		} else {
			for i := 0; i < pages; i++ {
				d, _ := s.Read(now, 16+uint64(i), make([]byte, 4096))
				done = max(done, d)
			}
		}
		got := uint64(done - now)
		// the host link adds 1 ns per page at this rate
		if got < tc.want || got > tc.want+pages {
			t.Errorf("%d pages over %d channels (single request %v): %d ns, want %d", pages, tc.channels, tc.single, got, tc.want)
		}
	}
}

func TestSSDLatencies(t *testing.T) {
	type lat struct{ Read4K, Write4K, Read64K time.Duration }
	got := map[string]lat{}
	for _, cfg := range []SSDConfig{SATASSD(), NVMeSSD()} {
		var l lat
		for i, op := range []func(s *SSD) (sim.Cycle, error){
			func(s *SSD) (sim.Cycle, error) { return s.Read(1000, 7, make([]byte, 4096)) },
			func(s *SSD) (sim.Cycle, error) { return s.Write(1000, 7, make([]byte, 4096)) },
			func(s *SSD) (sim.Cycle, error) { return s.Read(1000, 7, make([]byte, 65536)) },
		} {
			s, err := NewSSD(cfg, ghz)
			if err != nil {
				t.Fatal(err)
			}
			d, err := op(s)
			if err != nil {
				t.Fatal(err)
			}
			v := time.Duration(d - 1000)
			switch i {
			case 0:
				l.Read4K = v
			case 1:
				l.Write4K = v
			case 2:
				l.Read64K = v
			}
		}
		got[cfg.Name] = l
	}
	// overhead + tR + channel + host; overhead + host + channel + tPROG;
	// 16 pages on 8 channels: two rounds on a channel, then the host link
	// streams the 16 pages (64 KiB) once the first are out.
	want := map[string]lat{
		"ssd-sata": {
			Read4K:  20*time.Microsecond + 60*time.Microsecond + 10240 + 7448,
			Write4K: 20*time.Microsecond + 7448 + 10240 + 500*time.Microsecond,
			Read64K: 20*time.Microsecond + 2*(60*time.Microsecond+10240) + 8*7448,
		},
		"ssd-nvme": {
			Read4K:  1*time.Microsecond + 60*time.Microsecond + 5120 + 1171,
			Write4K: 1*time.Microsecond + 1171 + 5120 + 500*time.Microsecond,
			Read64K: 1*time.Microsecond + 2*(60*time.Microsecond+5120) + 8*1171,
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("latencies (-want +got):\n%s", diff)
	}
	t.Logf("SATA: 4 KiB read %v, write %v; NVMe: 4 KiB read %v, write %v",
		got["ssd-sata"].Read4K, got["ssd-sata"].Write4K, got["ssd-nvme"].Read4K, got["ssd-nvme"].Write4K)
}

func TestSSDPageSize(t *testing.T) {
	// 16 KiB pages over 4 KiB blocks: four blocks share a page and its channel
	s := newSSD(t, func(c *SSDConfig) { fastHost(c); c.PageSize = 16384; c.Channels = 4 })
	tR := uint64(60 * time.Microsecond)
	d1, _ := s.Read(0, 0, make([]byte, 4*4096)) // one page: one tR
	if got, want := uint64(d1), tR+transferNs(16384, 400e6); absDiff(got, want) > 8 {
		t.Errorf("16 KiB page read: %d ns, want %d", got, want)
	}
	d2, _ := s.Read(d1, 2, make([]byte, 4*4096)) // blocks 2..5 straddle pages 0 and 1 (channels 0, 1)
	if got, want := uint64(d2-d1), tR+transferNs(8192, 400e6); absDiff(got, want) > 8 {
		t.Errorf("straddling read: %d ns, want %d", got, want)
	}
	// 512-byte pages under 4 KiB blocks: a block is 8 pages over 4 channels
	s = newSSD(t, func(c *SSDConfig) { fastHost(c); c.PageSize = 512; c.Channels = 4 })
	d3, _ := s.Read(0, 0, make([]byte, 4096))
	if got, want := uint64(d3), 2*(tR+transferNs(512, 400e6)); absDiff(got, want) > 8 {
		t.Errorf("8 small pages on 4 channels: %d ns, want %d", got, want)
	}
	if _, err := NewSSD(SSDConfig{Blocks: 10, BlockSize: 4096, PageSize: 3000, Channels: 1, ChannelMBps: 1, InterfaceMBps: 1}, ghz); err == nil {
		t.Error("accepted a page size that does not divide the block size")
	}
}

func TestSSDSamePageFIFO(t *testing.T) {
	s := newSSD(t, fastHost)
	buf := make([]byte, 4096)
	d1, _ := s.Read(0, 3, buf)
	d2, _ := s.Read(0, 3, buf) // same channel: waits for the first
	d3, _ := s.Read(0, 4, buf) // next channel: in parallel with the first
	page := sim.Cycle(60*time.Microsecond) + sim.Cycle(transferNs(4096, 400e6))
	if d2 < d1+page || d3 > d1+2 {
		t.Errorf("done %d, %d, %d: want the second a page after the first, the third with the first", d1, d2, d3)
	}
	// writes: the program time dominates
	w, _ := s.Write(d2, 3, bytes.Repeat([]byte{1}, 4096))
	if got := uint64(w - d2); got < uint64(500*time.Microsecond) {
		t.Errorf("write took %d ns, less than tPROG", got)
	}
}

func TestTimeline(t *testing.T) {
	type op struct{ ready, dur, wantEnd uint64 }
	var tl timeline
	for _, o := range []op{
		{100, 10, 110}, // [100,110)
		{0, 5, 5},      // before it: [0,5)
		{0, 10, 15},    // the next gap: [5,15)
		{0, 90, 200},   // [15,100) is too short: after 110
		{102, 0, 200},  // a zero-length booking lands at the first free time
		{15, 85, 100},  // exactly fills [15,100)
		{0, 1, 201},    // everything before 200 is taken
		{300, 1, 301},  // leaves a gap [201,300)
		{250, 10, 260}, // fills part of it
		{195, 40, 241}, // [201,250) holds it
		{241, 20, 280}, // [241,250) is too short: [260,280)
	} {
		if got := tl.reserve(o.ready, o.dur); got != o.wantEnd {
			t.Errorf("reserve(%d, %d) ends at %d, want %d (busy %v)", o.ready, o.dur, got, o.wantEnd, tl.busy)
		}
	}
	tl.prune(1000)
	if len(tl.busy) != 0 {
		t.Errorf("after prune: %v", tl.busy)
	}
	if got := tl.reserve(0, 1); got != 1001 {
		t.Errorf("booking before the floor ends at %d, want 1001", got)
	}
}
