package disk

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

func TestSwapRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name          string
		blockSize     int
		pageSize      int
		blocks        uint64
		slots         int
		blocksPerSlot uint64
	}{
		{"page = block", 4096, 4096, 16, 16, 1},
		{"CS:APP 64-byte pages on 4 KiB blocks", 4096, 64, 16, 16, 1},
		{"8 KiB pages on 4 KiB blocks", 4096, 8192, 17, 8, 2},
		{"4 KiB pages on 512-byte blocks", 512, 4096, 64, 8, 8},
		{"64-byte pages on 64-byte blocks", 64, 64, 32, 32, 1},
		{"odd page on 512-byte blocks", 512, 1000, 9, 4, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dev := newSSD(t, func(c *SSDConfig) { c.BlockSize = tc.blockSize; c.PageSize = tc.blockSize; c.Blocks = 1000 })
			s, err := NewSwap(dev, 100, tc.blocks, tc.pageSize)
			if err != nil {
				t.Fatal(err)
			}
			if s.Slots() != tc.slots || s.blocksPerSlot != tc.blocksPerSlot {
				t.Fatalf("%d slots of %d blocks, want %d of %d", s.Slots(), s.blocksPerSlot, tc.slots, tc.blocksPerSlot)
			}
			now := sim.Cycle(0)
			var slots []int
			for i := 0; i < tc.slots; i++ {
				slot, err := s.Alloc()
				if err != nil {
					t.Fatal(err)
				}
				slots = append(slots, slot)
				done, err := s.WritePage(now, slot, pattern(tc.pageSize, byte(i)))
				if err != nil {
					t.Fatal(err)
				}
				if done <= now {
					t.Fatalf("write done %d, not after %d", done, now)
				}
				now = done
			}
			if _, err := s.Alloc(); !errors.Is(err, ErrSwapFull) {
				t.Errorf("Alloc on a full swap: %v", err)
			}
			for i, slot := range slots {
				buf := make([]byte, tc.pageSize)
				done, err := s.ReadPage(now, slot, buf)
				if err != nil {
					t.Fatal(err)
				}
				now = done
				if !bytes.Equal(buf, pattern(tc.pageSize, byte(i))) {
					t.Errorf("slot %d read back wrong", slot)
				}
			}
			// the swap area stays inside its blocks
			if b := s.Block(tc.slots-1) + tc.blocksPerSlot; b > 100+tc.blocks {
				t.Errorf("last slot ends at block %d, past %d", b, 100+tc.blocks)
			}
			before := make([]byte, tc.blockSize)
			dev.ReadUntimed(99, before)
			after := make([]byte, tc.blockSize)
			dev.ReadUntimed(100+tc.blocks, after)
			if !bytes.Equal(before, make([]byte, tc.blockSize)) || !bytes.Equal(after, make([]byte, tc.blockSize)) {
				t.Error("swap wrote outside its blocks")
			}
		})
	}
}

func TestSwapAlloc(t *testing.T) {
	dev := newHDD(t, nil)
	s, err := NewSwap(dev, 0, 8, 4096)
	if err != nil {
		t.Fatal(err)
	}
	var st sim.Stats
	s.RegisterStats(&st, "swap")
	var got []int
	for i := 0; i < 5; i++ {
		slot, _ := s.Alloc()
		got = append(got, slot)
	}
	s.Free(1)
	s.Free(3)
	a, _ := s.Alloc()
	b, _ := s.Alloc()
	c, _ := s.Alloc()
	got = append(got, a, b, c)
	if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 1, 3, 5}, got); diff != "" {
		t.Errorf("slots handed out (-want +got):\n%s", diff)
	}
	if s.Used() != 6 {
		t.Errorf("Used %d, want 6", s.Used())
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"double free", s.Free(7)},
		{"negative slot", s.Free(-1)},
		{"slot past the end", s.Free(8)},
		{"write to a free slot", func() error { _, err := s.WritePage(0, 7, make([]byte, 4096)); return err }()},
		{"read of a free slot", func() error { _, err := s.ReadPage(0, 6, make([]byte, 4096)); return err }()},
	} {
		if !errors.Is(tc.err, ErrBadSlot) {
			t.Errorf("%s: %v, want ErrBadSlot", tc.name, tc.err)
		}
	}
	if _, err := s.WritePage(0, 0, make([]byte, 100)); err == nil {
		t.Error("WritePage of a short page succeeded")
	}
	if _, err := s.ReadPage(0, 0, make([]byte, 8192)); err == nil {
		t.Error("ReadPage into a long buffer succeeded")
	}
	s.Alloc()
	s.Alloc()
	if _, err := s.Alloc(); !errors.Is(err, ErrSwapFull) {
		t.Errorf("Alloc on a full swap: %v", err)
	}
	want := map[string]uint64{"swap.allocs": 10, "swap.frees": 2, "swap.full": 1, "swap.max_used": 8, "swap.pages_in": 0, "swap.pages_out": 0}
	gotStats := map[string]uint64{}
	for _, x := range st.Under("swap") {
		gotStats[x.Name] = x.Value
	}
	if diff := cmp.Diff(want, gotStats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if missed := st.Unregistered(&s.c); len(missed) > 0 {
		t.Errorf("counters not registered: %v", missed)
	}
	for _, tc := range []struct {
		first, blocks uint64
		page          int
	}{{0, 0, 4096}, {dev.Blocks(), 1, 4096}, {0, 1, 0}, {0, 1, 8192}} {
		if _, err := NewSwap(dev, tc.first, tc.blocks, tc.page); err == nil {
			t.Errorf("NewSwap(%d, %d, %d) succeeded", tc.first, tc.blocks, tc.page)
		}
	}
}
