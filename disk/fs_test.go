package disk

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

func pattern(n int, seed byte) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7) ^ seed
	}
	return p
}

func newFS(t *testing.T, dev Device, first, blocks uint64) *FS {
	t.Helper()
	fs, err := NewFS(dev, first, blocks)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestFSLayout(t *testing.T) {
	fs := newFS(t, newHDD(t, nil), 100, 10)
	type step struct {
		op   string // create NAME BLOCKS, remove NAME
		name string
		n    int // blocks
		err  error
	}
	for _, s := range []step{
		{"create", "a", 3, nil},
		{"create", "b", 2, nil},
		{"create", "c", 3, nil},
		{"remove", "a", 0, nil},
		{"remove", "c", 0, nil},
		// free: [100,103) and [105,110): d needs 6 and no run holds it
		{"create", "d", 6, nil},
		{"create", "e", 2, nil},
		{"create", "f", 1, ErrNoSpace},
		{"create", "empty", 0, nil},
		{"create", "b", 1, ErrExist},
		{"remove", "zzz", 0, ErrNotExist},
		{"create", "", 1, ErrBadName},
	} {
		var err error
		switch s.op {
		case "create":
			// a partial last block takes a whole block
			_, err = fs.Create(s.name, pattern(max(0, s.n*4096-100), byte(len(s.name))))
		case "remove":
			err = fs.Remove(s.name)
		}
		if !errors.Is(err, s.err) || (err == nil) != (s.err == nil) {
			t.Fatalf("%s %q: error %v, want %v", s.op, s.name, err, s.err)
		}
	}
	got := map[string][]Extent{}
	for _, name := range fs.Files() {
		f, _ := fs.Open(name)
		got[name] = f.Extents()
	}
	want := map[string][]Extent{
		"b":     {{103, 2}},
		"d":     {{100, 3}, {105, 3}},
		"e":     {{108, 2}},
		"empty": nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layout (-want +got):\n%s", diff)
	}
	if fs.FreeBlocks() != 0 {
		t.Errorf("%d blocks free, want 0", fs.FreeBlocks())
	}
	_, err := fs.Create("f", make([]byte, 1))
	if err == nil || !strings.Contains(err.Error(), "ENOSPC") {
		t.Errorf("error %q should say ENOSPC", err)
	}
	// a hole that fits is reused first
	if err := fs.Remove("b"); err != nil {
		t.Fatal(err)
	}
	g, err := fs.Create("g", make([]byte, 4096))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Extent{{103, 1}}, g.Extents()); diff != "" {
		t.Errorf("g (-want +got):\n%s", diff)
	}
}

func TestFSReadBack(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			dev, _ := NewPreset(name, 4_000_000_000)
			fs := newFS(t, dev, 0, 14)
			// a fragmented file: x takes [0,3) and [8,14) around y
			if _, err := fs.Create("pad1", make([]byte, 3*4096)); err != nil {
				t.Fatal(err)
			}
			if _, err := fs.Create("y", pattern(5*4096, 9)); err != nil {
				t.Fatal(err)
			}
			fs.Remove("pad1")
			data := pattern(9*4096-1234, 1)
			x, err := fs.Create("x", data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Extent{{0, 3}, {8, 6}}, x.Extents()); diff != "" {
				t.Fatalf("x (-want +got):\n%s", diff)
			}
			for _, tc := range []struct {
				off uint64
				n   int
			}{
				{0, len(data)}, {0, 1}, {4095, 2}, {3*4096 - 10, 20}, {5000, 9000},
				{uint64(len(data)) - 1, 1}, {100, 3 * 4096},
			} {
				buf := make([]byte, tc.n)
				now := sim.Cycle(1000)
				n, done, err := x.ReadAt(now, buf, tc.off)
				if err != nil || n != tc.n {
					t.Fatalf("ReadAt(%d, %d) = %d, %v", tc.off, tc.n, n, err)
				}
				if done <= now {
					t.Errorf("ReadAt(%d, %d) done %d, not after %d", tc.off, tc.n, done, now)
				}
				if !bytes.Equal(buf, data[tc.off:tc.off+uint64(tc.n)]) {
					t.Errorf("ReadAt(%d, %d): wrong bytes", tc.off, tc.n)
				}
			}
			// past the end
			buf := make([]byte, 100)
			n, _, err := x.ReadAt(0, buf, uint64(len(data))-10)
			if n != 10 || err != io.EOF || !bytes.Equal(buf[:10], data[len(data)-10:]) {
				t.Errorf("ReadAt over the end = %d, %v", n, err)
			}
			if n, _, err := x.ReadAt(0, buf, uint64(len(data))); n != 0 || err != io.EOF {
				t.Errorf("ReadAt at the end = %d, %v", n, err)
			}
			// Block maps offsets through the extents
			for off, want := range map[uint64]uint64{0: 0, 4095: 0, 4096: 1, 3*4096 - 1: 2, 3 * 4096: 8, 8*4096 + 5: 13} {
				if got, err := x.Block(off); err != nil || got != want {
					t.Errorf("Block(%d) = %d, %v; want %d", off, got, err, want)
				}
			}
			if _, err := x.Block(uint64(len(data))); !errors.Is(err, io.EOF) {
				t.Errorf("Block past the end: %v", err)
			}
			// y is intact
			y, _ := fs.Open("y")
			if got, _ := y.Contents(); !bytes.Equal(got, pattern(5*4096, 9)) {
				t.Error("y changed")
			}
		})
	}
}

// WriteAt against a byte-slice model: unaligned writes, growth, gaps.
func TestFSWriteAt(t *testing.T) {
	dev := newSSD(t, nil)
	fs := newFS(t, dev, 10, 64)
	f, err := fs.Create("f", pattern(5000, 3))
	if err != nil {
		t.Fatal(err)
	}
	blocker, _ := fs.Create("blocker", make([]byte, 4096)) // right after f: f's growth must fragment
	model := pattern(5000, 3)
	rng := sim.NewRNG(9)
	now := sim.Cycle(0)
	for i := 0; i < 200; i++ {
		off := uint64(rng.IntN(len(model) + 3000))
		data := pattern(1+rng.IntN(6000), byte(i))
		done, err := f.WriteAt(now, data, off)
		if err != nil {
			t.Fatal(err)
		}
		if done <= now {
			t.Fatalf("write done %d, not after %d", done, now)
		}
		now = done
		if end := int(off) + len(data); end > len(model) {
			model = append(model, make([]byte, end-len(model))...)
		}
		copy(model[off:], data)
		if f.Size() != uint64(len(model)) {
			t.Fatalf("size %d, want %d", f.Size(), len(model))
		}
		got := make([]byte, len(model))
		if _, _, err := f.ReadAt(now, got, 0); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, model) {
			t.Fatalf("after write %d (%d bytes at %d): contents differ", i, len(data), off)
		}
	}
	if len(f.Extents()) < 2 {
		t.Errorf("f grew past blocker and should be fragmented: %v", f.Extents())
	}
	if b, _ := blocker.Contents(); !bytes.Equal(b, make([]byte, 4096)) {
		t.Error("blocker was overwritten")
	}
	// a growing file extends its last extent in place when it can
	g, _ := fs.Create("g", make([]byte, 4096))
	if _, err := g.WriteAt(now, make([]byte, 3*4096), 4096); err != nil {
		t.Fatal(err)
	}
	if len(g.Extents()) != 1 || g.Extents()[0].Blocks != 4 {
		t.Errorf("g extents %v, want one extent of 4 blocks", g.Extents())
	}
	// blocks of a removed file come back zeroed
	fs.Remove("f")
	h, _ := fs.Create("h", nil)
	if _, err := h.WriteAt(now, []byte{1}, 3*4096); err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 3*4096+1)
	want[3*4096] = 1
	if got, _ := h.Contents(); !bytes.Equal(got, want) {
		t.Error("a new file shows old bytes")
	}
	// a write that does not fit
	if _, err := h.WriteAt(now, make([]byte, 1), 1<<30); !errors.Is(err, ErrNoSpace) {
		t.Errorf("huge write: %v, want ENOSPC", err)
	}
	if h.Size() != 3*4096+1 {
		t.Errorf("failed write changed the size to %d", h.Size())
	}
}

func TestFSRequests(t *testing.T) {
	// A contiguous file reads in one request, a fragmented one in one per extent.
	h := newHDD(t, nil)
	fs := newFS(t, h, 0, 100)
	fs.Create("a", make([]byte, 4096))
	fs.Create("b", make([]byte, 4096))
	fs.Create("filler", make([]byte, 96*4096))
	fs.Remove("a")
	frag, _ := fs.Create("frag", pattern(3*4096, 1)) // [0,1) and [98,100)
	fs.Remove("filler")
	cont, _ := fs.Create("cont", pattern(8*4096, 2)) // [2,10)
	for _, tc := range []struct {
		f    *File
		want uint64
	}{{frag, 2}, {cont, 1}} {
		before := h.Counters().Reads
		buf := make([]byte, tc.f.Size())
		if _, _, err := tc.f.ReadAt(0, buf, 0); err != nil {
			t.Fatal(err)
		}
		if got := h.Counters().Reads - before; got != tc.want {
			t.Errorf("%s (%v): %d requests, want %d", tc.f.Name(), tc.f.Extents(), got, tc.want)
		}
	}
	// an unaligned write reads the partial blocks first
	before := h.Counters()
	if _, err := cont.WriteAt(0, make([]byte, 4096), 100); err != nil {
		t.Fatal(err)
	}
	c := h.Counters()
	if c.Reads-before.Reads != 2 || c.Writes-before.Writes != 1 || c.BytesWritten-before.BytesWritten != 8192 {
		t.Errorf("unaligned 4 KiB write: %d reads, %d writes, %d bytes written; want 2, 1, 8192",
			c.Reads-before.Reads, c.Writes-before.Writes, c.BytesWritten-before.BytesWritten)
	}
}

func TestFSErrors(t *testing.T) {
	dev := newSSD(t, func(c *SSDConfig) { c.Blocks = 16 })
	for _, tc := range []struct{ first, n uint64 }{{0, 0}, {16, 1}, {10, 7}} {
		if _, err := NewFS(dev, tc.first, tc.n); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("NewFS(%d, %d) = %v", tc.first, tc.n, err)
		}
	}
	fs := newFS(t, dev, 0, 16)
	if _, err := fs.Open("nope"); !errors.Is(err, ErrNotExist) {
		t.Errorf("Open: %v", err)
	}
	f, _ := fs.Create("f", []byte("hello"))
	fs.Remove("f")
	if _, _, err := f.ReadAt(0, make([]byte, 1), 0); !errors.Is(err, ErrRemoved) {
		t.Errorf("ReadAt after Remove: %v", err)
	}
	if _, err := f.WriteAt(0, []byte("x"), 0); !errors.Is(err, ErrRemoved) {
		t.Errorf("WriteAt after Remove: %v", err)
	}
	if _, err := f.Block(0); !errors.Is(err, ErrRemoved) {
		t.Errorf("Block after Remove: %v", err)
	}
	if _, err := fs.Create("big", make([]byte, 17*4096)); !errors.Is(err, ErrNoSpace) {
		t.Errorf("Create too big: %v", err)
	}
	if fs.FreeBlocks() != 16 {
		t.Errorf("a failed create leaked blocks: %d free", fs.FreeBlocks())
	}
	if _, err := fs.CreateFromHost("h", filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("CreateFromHost of a missing file succeeded")
	}
	p := filepath.Join(t.TempDir(), "host.bin")
	os.WriteFile(p, []byte("host bytes"), 0o644)
	h, err := fs.CreateFromHost("h", p)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Contents(); string(got) != "host bytes" {
		t.Errorf("host file reads %q", got)
	}
}
