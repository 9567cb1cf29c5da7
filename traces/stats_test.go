package traces

import (
	"math/bits"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A hand-made trace with known reuse distances. Lines (64 bytes) A=0x1000,
// B=0x1040, C=0x1080, D=0x2000 (another page):
//
//	A B C A B B D A   and a fetch, which does not count
//	- - - 2 2 0 - 2   distinct lines since the last access
func TestStatReuse(t *testing.T) {
	text := "I  00400000,4\n" +
		" L 00001000,8\n S 00001048,8\n L 00001080,4\n M 00001010,4\n" +
		" L 00001040,1\n L 0000107f,1\n S 00002000,8\n L 00001038,8\n"
	r, err := NewReader("t", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Stat(r, StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := &Stats{Format: "lackey", Carries: "none", Records: 9, Fetches: 1, Loads: 5, Stores: 2, Modifies: 1,
		Processes: 1, Threads: 1,
		Footprint: Footprint{PageSize: 4096, LineSize: 64,
			Fetch: Touch{1, 1}, Data: Touch{2, 4}, All: Touch{3, 5}},
		Reuse: Reuse{Over: "data", Cold: 4, Buckets: []uint64{1, 0, 3}}}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// With fetches: the fetch's line is one more cold access, and now
	// counts in the distances.
	r, _ = NewReader("t", strings.NewReader(text+"I  00400000,4\n"))
	st, _ = Stat(r, StatsOptions{ReuseFetches: true})
	if st.Reuse.Cold != 5 || !cmp.Equal(st.Reuse.Buckets, []uint64{1, 0, 3, 1}) {
		t.Errorf("with fetches: cold %d, buckets %v", st.Reuse.Cold, st.Reuse.Buckets)
	}
}

// An access spanning two lines counts both; registers and branches are
// counted from ChampSim.
func TestStatSpansAndBranches(t *testing.T) {
	ins := champsimInstrs(500, 5)
	r, err := NewReader("t", strings.NewReader(string(encodeChampSim(t, ins))))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Stat(r, StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var branches, taken uint64
	for _, in := range ins {
		if in.Branch {
			branches++
		}
		if in.Taken {
			taken++
		}
	}
	if st.Branches != branches || st.Taken != taken || st.Fetches != 500 || st.Carries != "registers" {
		t.Errorf("branches %d/%d, taken %d/%d, fetches %d, carries %s", st.Branches, branches, st.Taken, taken, st.Fetches, st.Carries)
	}
	r, _ = NewReader("t", strings.NewReader(" L 103c,8\n L 1040,4\n"))
	st, _ = Stat(r, StatsOptions{})
	if st.Footprint.Data != (Touch{1, 2}) || st.Reuse.Cold != 2 || !cmp.Equal(st.Reuse.Buckets, []uint64{1}) {
		t.Errorf("span: %+v, reuse %+v", st.Footprint.Data, st.Reuse)
	}
}

// The Fenwick tree, through several compactions, agrees with counting by
// brute force.
func TestReuseMatchesBruteForce(t *testing.T) {
	defer func(old int) { reuseMinTree = old }(reuseMinTree)
	reuseMinTree = 64 // compact often
	rd := newReuse()
	var seq []procLine
	x := uint64(99)
	hist := map[int]uint64{}
	var cold uint64
	for i := range 1 << 30 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		k := procLine{n: x % 300, pid: uint16(x >> 60 & 1)}
		if i%3 == 0 {
			k.n = x % 20 // some short distances too
		}
		rd.access(k)
		// Brute force: walk back to the last access, counting distinct
		// lines on the way.
		seen := map[procLine]bool{}
		found := false
		for j := len(seq) - 1; j >= 0; j-- {
			if seq[j] == k {
				found = true
				break
			}
			seen[seq[j]] = true
		}
		if found {
			hist[bits.Len(uint(len(seen)))]++
		} else {
			cold++
		}
		seq = append(seq, k)
		if i == 15000 { // the brute force is slow
			break
		}
	}
	if rd.cold != cold {
		t.Errorf("cold %d, want %d", rd.cold, cold)
	}
	for b, n := range rd.hist {
		if hist[b] != n {
			t.Errorf("bucket %d: %d, want %d", b, n, hist[b])
		}
	}
	if rd.now == len(seq) {
		t.Error("no compaction happened")
	}
	// Many more accesses than the tree holds: compactions keep it small.
	big := newReuse()
	for i := range 1 << 20 {
		big.access(procLine{n: uint64(i % 5000)})
	}
	if len(big.tree) > max(2*5000, reuseMinTree)+1 || big.cold != 5000 || big.hist[bits.Len(4999)] != 1<<20-5000 {
		t.Errorf("tree %d, cold %d, hist %v", len(big.tree), big.cold, big.hist)
	}
}
