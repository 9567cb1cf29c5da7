package csim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/traces"
)

// yi.trace of the Cache Lab handout (Part A).
const yi = " L 10,1\n M 20,1\n L 22,1\n S 18,1\n L 110,1\n L 210,1\n M 12,1\n"

// yi.trace on two sets of two 16-byte lines, worked by hand: 0x10, 0x18,
// 0x110, 0x210 and 0x12 share set 1, where 0x210 evicts 0x10 (last used by
// the store to 0x18) and 0x12 then evicts 0x110. csim-ref writes each word
// followed by a space.
func TestVerboseTwoWays(t *testing.T) {
	r, err := traces.NewReader("yi.trace", strings.NewReader(yi))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	res, err := Run(r, 1, 2, 4, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"L 10,1 miss", "M 20,1 miss hit", "L 22,1 hit", "S 18,1 hit", "L 110,1 miss",
		"L 210,1 miss eviction", "M 12,1 miss eviction hit", ""}
	if diff := cmp.Diff(strings.Join(want, " \n"), out.String()); diff != "" {
		t.Errorf("(-want +csim):\n%s", diff)
	}
	if got := res.Summary(); got != "hits:4 misses:5 evictions:2" {
		t.Errorf("summary %q", got)
	}
}

func TestGeometryErrors(t *testing.T) {
	tests := []struct {
		s, E, b int
		want    string
	}{
		{-1, 1, 4, "impossible geometry: s=-1 E=1 b=4"},
		{4, 0, 4, "impossible geometry: s=4 E=0 b=4"},
		{60, 1, 10, "impossible geometry: s=60 E=1 b=10"},
		{25, 1, 4, "geometry too large to simulate: 2^25 sets x 1 lines"},
		{20, 32, 4, "geometry too large to simulate: 2^20 sets x 32 lines"},
	}
	for _, tc := range tests {
		r, err := traces.NewReader("yi.trace", strings.NewReader(yi))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(r, tc.s, tc.E, tc.b, nil); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("s=%d E=%d b=%d: error %v, want one starting %q", tc.s, tc.E, tc.b, err, tc.want)
		}
	}
}
