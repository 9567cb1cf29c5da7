package cache

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/replacement/replacementtest"
	"github.com/vmemu/vmemu/sim"
)

// A replacement policy keyed by the instruction pointer, registered by this
// file alone: LRU whose fills learn per instruction, as SHiP does (Wu et
// al., MICRO 2011) but with the instruction's own address as signature and
// LRU for SRRIP. A line hit raises the counter of the instruction that
// filled it, a line evicted unhit lowers it; a fill by an instruction whose
// counter is below 0 goes in at the LRU end, the next victim, so a stream
// of lines never used again does not push out lines that are.
const shipLRU = "test-ship-lru"

func init() {
	replacement.Register(shipLRU, replacement.Registration{New: func(c replacement.Config) replacement.Policy {
		n := c.Sets * c.Ways
		return &ship{ways: c.Ways, at: make([]uint64, n), sig: make([]uint64, n), hit: make([]bool, n), ctr: map[uint64]int{}}
	}})
}

type ship struct {
	ways  int
	clock uint64
	at    []uint64 // per way: last use, 0 for the LRU end
	sig   []uint64 // per way: the IP that filled it
	hit   []bool   // per way: hit since the fill
	ctr   map[uint64]int
}

func (p *ship) Update(a replacement.Access) {
	i := a.Set*p.ways + a.Way
	p.clock++
	if a.Hit {
		p.ctr[p.sig[i]] = min(p.ctr[p.sig[i]]+1, 1)
		p.at[i], p.hit[i] = p.clock, true
		return
	}
	if a.Evicts && !p.hit[i] {
		p.ctr[p.sig[i]] = max(p.ctr[p.sig[i]]-1, -1)
	}
	p.sig[i], p.hit[i], p.at[i] = a.IP, false, p.clock
	if p.ctr[a.IP] < 0 {
		p.at[i] = 0
	}
}

func (p *ship) Victim(a replacement.Access) int {
	row := p.at[a.Set*p.ways : (a.Set+1)*p.ways]
	v := 0
	for w, t := range row {
		if t < row[v] {
			v = w
		}
	}
	return v
}

func (p *ship) ClearSet(set int) {
	for i := set * p.ways; i < (set+1)*p.ways; i++ {
		p.at[i], p.sig[i], p.hit[i] = 0, 0, false
	}
}

func (p *ship) Restart(replacement.Config) { p.clock = 0; clear(p.ctr) }

// runIPs is run with an instruction pointer per access: "L3@2" loads line 3
// by the instruction at 2.
func runIPs(t *testing.T, c *Cache, seq string) string {
	t.Helper()
	var out []string
	for _, tok := range strings.Fields(seq) {
		var ln, ip uint64
		n := &ln
		for _, d := range tok[1:] {
			if d == '@' {
				n = &ip
				continue
			}
			*n = *n*10 + uint64(d-'0')
		}
		before := c.n
		if _, ok := c.Access(0, &sim.Request{Addr: ln * line, IP: ip, Size: 1, Kind: sim.Load}); !ok {
			t.Fatal("synchronous level returned pending")
		}
		word := map[bool]string{true: "m", false: "h"}[c.n.Misses[sim.Load] > before.Misses[sim.Load]]
		if c.n.Evictions > before.Evictions {
			word += "+e"
		}
		out = append(out, word)
	}
	return strings.Join(out, " ")
}

// A level built with the policy's name uses it, and it sees each access's
// instruction pointer.
func TestPolicyByInstruction(t *testing.T) {
	tests := []struct {
		name, seq, want string
	}{
		// Line 0 is hit (instruction 1 counts 1). Line 3 pushes out line 1
		// unhit: instruction 2 counts -1, so 3 goes in at the LRU end and
		// 4 replaces it, as 5 replaces 4 and 6 replaces 5; line 0 stays.
		{"a stream by its own instruction",
			"L0@1 L1@2 L0@1 L2@2 L3@2 L4@2 L0@1 L5@2 L6@2 L0@1", "m m h m m+e m+e h m+e m+e h"},
		// The same lines by one instruction: the hit on 0 makes its count
		// 1, line 1 evicted unhit 0, so 3 and 4 go in as LRU puts them
		// and 4 pushes out 0. Line 0 comes back over line 2 (unhit: -1),
		// at the LRU end, and 5 replaces it; 6 and 0 replace 3 and 4.
		{"one instruction for all",
			"L0@1 L1@1 L0@1 L2@1 L3@1 L4@1 L0@1 L5@1 L6@1 L0@1", "m m h m m+e m+e m+e m+e m+e m+e"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := level(t, "c", 1, 3, func(cfg *Config) { cfg.Replacement = shipLRU })
			Connect(c, &Memory{Latency: 10})
			if diff := cmp.Diff(tc.want, runIPs(t, c, tc.seq)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// recorded holds the calls of the last policy a test built by this name.
var recorded = replacementtest.RegisterRecorder("test-record-lru")

// A policy is told the set, way, address, instruction pointer and kind of
// every hit, fill and victim choice, and on a fill what it evicted.
func TestPolicyContext(t *testing.T) {
	c := level(t, "c", 2, 2, func(cfg *Config) { cfg.Replacement = "test-record-lru" })
	Connect(c, &Memory{Latency: 10})
	for _, r := range []sim.Request{
		{Addr: 0x110, IP: 5, Kind: sim.Load},           // line 4: set 0, way 0
		{Addr: 0x88, IP: 6, Kind: sim.Store},           // set 0 (line 2), way 1
		{Addr: 0x7c, IP: 7, Kind: sim.Load},            // set 1 (line 1), and line 2 for its last 4 bytes
		{Addr: 0x180, IP: 8, Kind: sim.Fetch},          // line 6, set 0: evicts line 4
		{Addr: 0x80, Kind: sim.Writeback, Dirty: true}, // line 2 from above: a hit
	} {
		r.Size = 8
		c.Access(0, &r)
	}
	want := []replacement.Access{
		{Set: 0, Way: 0, Addr: 0x110, IP: 5, Kind: sim.Load},
		{Set: 0, Way: 1, Addr: 0x88, IP: 6, Kind: sim.Store},
		{Set: 1, Way: 0, Addr: 0x7c, IP: 7, Kind: sim.Load},
		{Set: 0, Way: 1, Addr: 0x80, IP: 7, Kind: sim.Load, Hit: true},
		{Set: 0, Way: -1, Addr: 0x180, IP: 8, Kind: sim.Fetch},
		{Set: 0, Way: 0, Addr: 0x180, IP: 8, Kind: sim.Fetch, Evicts: true, Evicted: 0x100},
		{Set: 0, Way: 1, Addr: 0x80, Kind: sim.Writeback, Hit: true},
	}
	if diff := cmp.Diff(want, *recorded); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
