package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRatio(t *testing.T) {
	tests := []struct {
		from, to uint64
		n, want  uint64
		back     uint64 // Back(want)
	}{
		// DDR4-2400 runs its command clock at 1200 MHz; a 4 GHz core.
		{1200e6, 4000e6, 3, 10, 3},
		{1200e6, 4000e6, 1, 4, 1}, // 3.33 rounds up
		{1200e6, 4000e6, 1e9, 3333333334, 1e9},
		{1000, 1000, 17, 17, 17},
		{1000, 3000, 5, 15, 5},
	}
	for _, tc := range tests {
		r := NewRatio(tc.from, tc.to)
		if got := r.Convert(tc.n); got != tc.want {
			t.Errorf("%v.Convert(%d) = %d, want %d", r, tc.n, got, tc.want)
		}
		if got := r.Back(tc.want); got != tc.back {
			t.Errorf("%v.Back(%d) = %d, want %d", r, tc.want, got, tc.back)
		}
	}
}

func TestRNGDeterministic(t *testing.T) {
	draw := func(r *RNG) []uint64 {
		var out []uint64
		for i := 0; i < 5; i++ {
			out = append(out, r.Uint64())
		}
		return out
	}
	a, b := draw(NewRNG(42)), draw(NewRNG(42))
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed differs:\n%s", diff)
	}
	if cmp.Equal(a, draw(NewRNG(43))) {
		t.Error("different seeds give the same stream")
	}
	if cmp.Equal(draw(NewRNG(42).Derive("l1d")), draw(NewRNG(42).Derive("l2"))) {
		t.Error("derived streams are equal")
	}
	r := NewRNG(7)
	counts := make([]int, 6)
	for i := 0; i < 60000; i++ {
		counts[r.IntN(6)]++
	}
	for v, c := range counts {
		if c < 9000 || c > 11000 {
			t.Errorf("IntN(6) gave %d %d times in 60000", v, c)
		}
	}
}
