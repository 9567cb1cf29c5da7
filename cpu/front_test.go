package cpu

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// loop is n iterations of a 4-instruction loop within one 64-byte line,
// its last instruction a branch back to the first, taken but for the
// last time.
func loop(n int) []traces.Instr {
	var ins []traces.Instr
	for i := 0; i < n; i++ {
		for j := uint64(0); j < 4; j++ {
			in := traces.Instr{IP: 0x1000 + 4*j, Size: 4}
			if j == 3 {
				in.Branch, in.Taken = true, i < n-1
			}
			ins = append(ins, in)
		}
	}
	return ins
}

// A loop within one line fetches it once, unless a taken branch's target
// starts a fetch block (core.fetch_on_taken, as ChampSim's front end): then
// once more an iteration.
func TestFetchOnTaken(t *testing.T) {
	for _, tc := range []struct {
		onTaken bool
		want    int
	}{{false, 1}, {true, 100}} {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 100)
		mem.logging = true
		cfg := oooConfig(4, 64)
		cfg.FetchOnTaken = tc.onTaken
		runOn(t, cfg, mem, loop(100), Options{})
		fetches := 0
		for _, l := range mem.log {
			if l.kind == sim.Fetch {
				fetches++
			}
		}
		if fetches != tc.want {
			t.Errorf("fetch_on_taken %v: %d fetches, want %d", tc.onTaken, fetches, tc.want)
		}
	}
}

// predicting is a memory side whose instruction prefetcher follows
// branches: it records each branch it is told of, and the fetches made
// before.
type predicting struct {
	*fakeMem
	ahead int
	told  []toldBranch
}

type toldBranch struct {
	IP, Target uint64
	Taken      bool
	Fetched    int // fetches presented when it was told
}

func (p *predicting) BranchLookahead() int { return p.ahead }

func (p *predicting) Branch(_ sim.Cycle, ip uint64, taken bool, target uint64) {
	p.told = append(p.told, toldBranch{ip, target, taken, len(p.log)})
}

// The front end tells the instruction prefetcher of every branch, with the
// next instruction as its target, before it fetches the branch: here up to
// 8 instructions ahead of fetch, so the first iteration's branch
// (instruction 3) is told before anything is fetched, and the next two
// (7 and 11) once the first four instructions, one line, are.
func TestBranchesToldAheadOfFetch(t *testing.T) {
	eng := &sim.Engine{}
	mem := &predicting{fakeMem: hitsAndMisses(t, eng, 100), ahead: 8}
	mem.logging = true
	ins := loop(3)
	ins = append(ins, traces.Instr{IP: 0x1010, Size: 4})
	opt := Options{Levels: mem.levels}
	c, err := New(oooConfig(4, 64), eng, mem, []traces.InstrReader{reader(ins)}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(); err != nil {
		t.Fatal(err)
	}
	want := []toldBranch{{0x100c, 0x1000, true, 0}, {0x100c, 0x1000, true, 1}, {0x100c, 0x1010, false, 1}}
	if diff := cmp.Diff(want, mem.told); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A prefetcher that looks far ahead (fdip's 256 instructions by default)
// is told of the branches that far past fetch from the start, however the
// trace is read: in long batches or short ones (a reader that returns 5
// instructions a call), where the front end once saw only as far as the
// last read had gone.
func TestBranchesToldAsFarAsTheLookahead(t *testing.T) {
	for _, tc := range []struct {
		ahead, batch, want int // branches told before the first fetch
	}{
		{8, 1600, 1},      // instruction 3 (7's target, the 9th, lies past the first 8)
		{200, 1600, 49},   // 3, 7, ..., 195
		{1000, 1600, 249}, // 3, 7, ..., 995
		{200, 5, 49},
		{1000, 5, 249},
	} {
		eng := &sim.Engine{}
		mem := &predicting{fakeMem: hitsAndMisses(t, eng, 100), ahead: tc.ahead}
		mem.logging = true
		r := &sliceReader{ins: loop(400), batch: tc.batch}
		c, err := New(oooConfig(4, 64), eng, mem, []traces.InstrReader{r}, Options{Levels: mem.levels})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Run(); err != nil {
			t.Fatal(err)
		}
		early := 0
		for _, b := range mem.told {
			if b.Fetched == 0 {
				early++
			}
		}
		if early != tc.want {
			t.Errorf("lookahead %d, batches of %d: %d branches told before the first fetch, want %d", tc.ahead, tc.batch, early, tc.want)
		}
	}
}
