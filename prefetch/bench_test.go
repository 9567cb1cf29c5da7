package prefetch

import (
	"fmt"
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// counter is an Issuer that only counts, so a benchmark allocates nothing.
type counter struct{ asked int }

func (c *counter) Prefetch(uint64, bool) bool { c.asked++; return true }
func (c *counter) MSHRs() (int, int)          { return 4, 16 }

// benchPrefetcher presents demand misses, each followed by its fill, to
// the named prefetcher: pages pages taken in turn, each read upwards a
// line at a time by an instruction of its own. Stream's table holds 32
// pages and SPP's 256, so 16 pages hit their tables and 512 replace an
// entry on every access, searching the whole table (SPP's lookahead, which
// 16 pages feed, costs far more than its table); ip-stride's 1,024 entries
// hold 512 instructions, berti's 16 do not.
func benchPrefetcher(b *testing.B, name string, pages uint64) {
	p, err := New(name, Data, Config{LineShift: 6, PageShift: 12})
	if err != nil {
		b.Fatal(err)
	}
	const n = 1 << 14 // a power of two
	acc := make([]Access, n)
	for i := range acc {
		page, line := uint64(i)%pages, uint64(i)/pages%64
		acc[i] = Access{Addr: (1<<20+page)<<12 | line<<6, IP: 0x400000 + 4*page, Kind: sim.Load}
	}
	var l counter
	var f Fill
	for i := 0; b.Loop(); i++ {
		a := &acc[i&(n-1)]
		a.Now = sim.Cycle(100 * i)
		p.Operate(a, &l)
		f = Fill{Addr: a.Addr, IP: a.IP, Missed: a.Now, At: a.Now + 150}
		p.Fill(&f, &l)
	}
}

func benchPages(b *testing.B, name string) {
	for _, pages := range []uint64{16, 512} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) { benchPrefetcher(b, name, pages) })
	}
}

func BenchmarkStream(b *testing.B)   { benchPages(b, "stream") }
func BenchmarkSPP(b *testing.B)      { benchPages(b, "spp") }
func BenchmarkIPStride(b *testing.B) { benchPages(b, "ip-stride") }
func BenchmarkBerti(b *testing.B)    { benchPages(b, "berti") }
