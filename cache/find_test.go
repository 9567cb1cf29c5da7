package cache

import (
	"math/bits"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// matching must flag exactly the bytes equal to p among the first n: the
// shorter zero-byte trick (x-ones)&^x also flags a 0x01 above a match
// (the borrow), which would make find read tags it need not and
// emptyWay pick a way that holds a line.
func TestMatchingFlagsExactlyTheEqualBytes(t *testing.T) {
	tests := []struct {
		name   string
		prints []uint8
		n      int
		p      uint8
		want   []int
	}{
		{"none", []uint8{1, 2, 3, 4, 5, 6, 7, 8}, 8, 9, nil},
		{"all", []uint8{9, 9, 9, 9, 9, 9, 9, 9}, 8, 9, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"a borrow does not flag the byte above", []uint8{0, 1, 0, 1, 3, 3, 3, 3}, 8, 0, []int{0, 2}},
		{"0x80 and 0x7f are not zero", []uint8{0x80, 0x7f, 0xff, 0, 0x81, 0x01, 0x7e, 0xfe}, 8, 0, []int{3}},
		{"a high print", []uint8{0xff, 0x7f, 0xff, 0x80, 0, 0, 0, 0xff}, 8, 0xff, []int{0, 2, 7}},
		{"bytes past n are not the set's", []uint8{5, 1, 5, 5, 5, 5, 5, 5}, 3, 5, []int{0, 2}},
		{"one way", []uint8{5, 5, 5, 5, 5, 5, 5, 5}, 1, 5, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := make([]uint8, 8, 15)
			copy(buf, tc.prints)
			var got []int
			for m := matching(buf, 0, tc.n, tc.p); m != 0; m &= m - 1 {
				got = append(got, bits.TrailingZeros64(m)>>3)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("flagged bytes (-want +got):\n%s", diff)
			}
		})
	}
}

// find and emptyWay over sets of every associativity a level may have
// answer as a plain loop over the ways does, including at the last set,
// whose eight-byte reads run into the padding.
func TestFindAndEmptyWayMatchAPlainLoop(t *testing.T) {
	for _, ways := range []int{1, 2, 3, 7, 8, 9, 12, 16, 20, 64, 65} {
		c, err := New(Config{Name: "l", Size: uint64(4 * ways * 64), Ways: ways, LineSize: 64, Latency: 1, MSHRs: 1}, sim.Level{})
		if err != nil {
			t.Fatal(err)
		}
		sets := uint64(4)
		// Fill the last set's ways but one, with lines whose prints
		// collide with a probe's where they can.
		last := sets - 1
		for w := 0; w < ways-1; w++ {
			ln := last + sets*uint64(w)
			c.place(int(last)*ways+w, ln, 0)
		}
		for probe := uint64(0); probe < sets*uint64(2*ways); probe++ {
			want := -1
			base := int(probe&c.setMask) * ways
			for w := range ways {
				if c.lines[base+w].tag == probe+1 {
					want = base + w
				}
			}
			if got := c.find(probe); got != want {
				t.Fatalf("%d ways: find(%d) = %d, want %d", ways, probe, got, want)
			}
		}
		if got := c.emptyWay(int(last) * ways); got != ways-1 {
			t.Errorf("%d ways: emptyWay of the last set = %d, want %d", ways, got, ways-1)
		}
		if got := c.emptyWay(0); got != 0 {
			t.Errorf("%d ways: emptyWay of an empty set = %d, want 0", ways, got)
		}
	}
}
