package os

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPiecesKeepBytesInOrderWithoutRegrowing(t *testing.T) {
	tests := []struct {
		name   string
		want   uint64
		writes []int
		caps   []int
	}{
		{"a few bytes take a few bytes", 0, []int{5}, []int{64}},
		{"unknown sizes double to a MiB", 0, []int{64, 64, 200}, []int{64, 128, 256}},
		{"a known size is one piece", 3000, []int{1000, 2000}, []int{3000}},
		{"a short copy stops at what came", 1 << 30, []int{4096}, []int{1 << 20}},
		{"a large write is MiB pieces", 0, []int{3<<20 + 1}, []int{1 << 20, 1 << 20, 1 << 20, 1 << 20}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Pieces{Want: tc.want}
			var all strings.Builder
			for i, n := range tc.writes {
				b := []byte(strings.Repeat(string(rune('a'+i)), n))
				p.add(b)
				all.Write(b)
			}
			var caps []int
			for _, piece := range p.pieces {
				caps = append(caps, cap(piece))
			}
			if diff := cmp.Diff(tc.caps, caps); diff != "" {
				t.Errorf("piece capacities (-want +got):\n%s", diff)
			}
			if p.String() != all.String() || p.Len() != uint64(all.Len()) {
				t.Errorf("bytes: got %d, want %d in order", p.Len(), all.Len())
			}
		})
	}
}
