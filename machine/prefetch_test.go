package machine

import (
	"fmt"
	"testing"

	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// The checks of issue 14 on whole machines. Page faults cost nothing here
// (os.fault_cycles, os.zero_cycles: 0), so that memory is what a run waits
// for, not the kernel.

var freeFaults = []string{"os.fault_cycles=0", "os.zero_cycles=0"}

// runPrefetch runs the instructions ins on the default machine with sets.
func runPrefetch(t *testing.T, ins traces.InstrReader, warmup uint64, sets ...string) *report.Report {
	t.Helper()
	m, err := BuildFrom("default", append(append([]string(nil), freeFaults...), sets...)...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := m.RunInstrs([]traces.InstrReader{ins}, RunOptions{Warmup: warmup})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func generated(t *testing.T, kind string, p traces.GenParams) traces.InstrReader {
	t.Helper()
	g, err := traces.Generate(kind, p)
	if err != nil {
		t.Fatal(err)
	}
	return traces.Instructions(g, false)
}

func levelOf(r *report.Report, name string) report.LevelReport {
	for _, l := range r.Levels {
		if l.Name == name {
			return l
		}
	}
	return report.LevelReport{}
}

// A stream of loads (six other instructions after each) over 64 MiB:
// next-line, at the L1D or the L2, removes at least 90% of that level's
// demand misses, and IPC rises; so does it with the L2 streamer.
func TestPrefetchStreaming(t *testing.T) {
	stream := func() traces.InstrReader {
		return generated(t, "stream", traces.GenParams{Size: 64 << 20, Count: 100000, ALU: 6})
	}
	base := runPrefetch(t, stream(), 0)
	for _, tc := range []struct {
		level, prefetcher string
		minRemoved        float64
	}{
		{"l1d", "next-line", 0.9},
		{"l2", "next-line", 0.9},
		{"l2", "stream", 0.7},
	} {
		r := runPrefetch(t, stream(), 0, tc.level+".prefetcher="+tc.prefetcher)
		before, after := levelOf(base, tc.level).Misses, levelOf(r, tc.level).Misses
		removed := 1 - float64(after)/float64(before)
		t.Logf("%s at %s: %s misses %d -> %d (%.1f%% removed), IPC %.3f -> %.3f", tc.prefetcher, tc.level,
			tc.level, before, after, 100*removed, base.IPC, r.IPC)
		if removed < tc.minRemoved || r.IPC <= base.IPC {
			t.Errorf("%s at %s: %.1f%% of the misses removed (want %.0f%% or more), IPC %.3f against %.3f",
				tc.prefetcher, tc.level, 100*removed, 100*tc.minRemoved, r.IPC, base.IPC)
		}
	}
}

// Uniform random loads over 64 MiB: next-line's accuracy is under 5%, and
// the throttle holds the DRAM reads it adds to a sixteenth of what it
// asks for, after four epochs of 256 prefetches at the rates it steps
// through (1, 1/2, 1/4, 1/8): at most 256 x 4 + requests / 16. Unthrottled,
// it adds a read for nearly every miss.
func TestPrefetchRandomThrottled(t *testing.T) {
	random := func() traces.InstrReader {
		return generated(t, "random", traces.GenParams{Size: 64 << 20, Count: 40000, ALU: 2})
	}
	base := runPrefetch(t, random(), 0)
	r := runPrefetch(t, random(), 0, "l2.prefetcher=next-line")
	free := runPrefetch(t, random(), 0, "l2.prefetcher=next-line", "l2.prefetch_throttle=false")
	pf := levelOf(r, "l2").Prefetch
	added := int64(r.Memory.Reads) - int64(base.Memory.Reads)
	requested := r.Stats["l2.prefetch.requested"]
	bound := int64(256*4 + requested/16)
	t.Logf("accuracy %.3f; DRAM reads %d, %d throttled (bound %d), %d unthrottled",
		pf.Accuracy, base.Memory.Reads, r.Memory.Reads, int64(base.Memory.Reads)+bound, free.Memory.Reads)
	if pf.Accuracy >= 0.05 {
		t.Errorf("accuracy %.3f on random loads", pf.Accuracy)
	}
	if added > bound {
		t.Errorf("the throttled prefetcher added %d reads, more than %d", added, bound)
	}
	if freeAdded := int64(free.Memory.Reads) - int64(base.Memory.Reads); freeAdded < 8*bound {
		t.Errorf("unthrottled it added only %d reads: the check proves nothing", freeAdded)
	}
}

const strideALU = 8

// strided is two loads an iteration, from two instructions, each walking
// its own array: one 4 lines up per iteration, the other 3 lines down,
// with strideALU other instructions after each.
func strided(n int) *instrs {
	out := &instrs{}
	const a, b = 0x10000000, 0x30000000
	for i := 0; i < n; i++ {
		for k, ref := range []struct{ ip, addr uint64 }{
			{0x400100, a + uint64(i)*256},
			{0x400200, b - uint64(i)*192},
		} {
			in := traces.Instr{IP: ref.ip, Size: 4, NMem: 1, HasRegs: true}
			in.Mem[0] = traces.MemRef{Addr: ref.addr, Size: 8}
			in.SrcRegs[0], in.DstRegs[0] = 7, uint8(16+k)
			out.ins = append(out.ins, in)
			for j := uint64(0); j < strideALU; j++ {
				out.ins = append(out.ins, traces.Instr{IP: ref.ip + 4 + 4*j, Size: 4, HasRegs: true,
					SrcRegs: [4]uint8{7}, DstRegs: [2]uint8{uint8(8 + j)}})
			}
		}
	}
	return out
}

// Two strided streams interleaved, from two instruction pointers, both
// strides above a line: ip-stride at the L1D covers both (the L2's demand
// misses, where its prefetches go while the L1D's MSHRs are half busy,
// fall by more than 90%: each stream is half of them), next-line neither
// (no prefetch of it is ever used). 2 MiB pages (os.thp: always), so the
// L1D's prefetcher finds its translations in the DTLB.
func TestPrefetchTwoStrides(t *testing.T) {
	const n = 20000
	base := runPrefetch(t, strided(n), 0, "os.thp=always")
	ip := runPrefetch(t, strided(n), 0, "os.thp=always", "l1d.prefetcher=ip-stride")
	nl := runPrefetch(t, strided(n), 0, "os.thp=always", "l1d.prefetcher=next-line")
	l2Base, l2IP := levelOf(base, "l2").Misses, levelOf(ip, "l2").Misses
	t.Logf("l2 misses %d; ip-stride %d (accuracy %.3f); next-line: accuracy %.3f, l1d coverage %.3f",
		l2Base, l2IP, levelOf(ip, "l1d").Prefetch.Accuracy, levelOf(nl, "l1d").Prefetch.Accuracy,
		levelOf(nl, "l1d").Prefetch.Coverage)
	if removed := 1 - float64(l2IP)/float64(l2Base); removed < 0.9 || ip.IPC <= base.IPC {
		t.Errorf("ip-stride removed %.1f%% of the l2's misses, IPC %.3f against %.3f", 100*removed, ip.IPC, base.IPC)
	}
	if p := levelOf(nl, "l1d").Prefetch; p.Useful > p.Issued/100 || levelOf(nl, "l2").Misses < l2Base {
		t.Errorf("next-line: %d of %d prefetches used, l2 misses %d against %d", p.Useful, p.Issued,
			levelOf(nl, "l2").Misses, l2Base)
	}
}

// pageWalk reads one word a 4 KiB page over size bytes, twice: the first
// pass maps the pages (and is the warm-up), the second is measured. With
// chain, each load's address comes from the one before (a list laid out
// page after page), so the out-of-order core walks one page at a time.
func pageWalk(size uint64, chain bool) (*instrs, uint64) {
	out := &instrs{}
	pages := size / 4096
	for pass := 0; pass < 2; pass++ {
		for p := uint64(0); p < pages; p++ {
			in := traces.Instr{IP: 0x400000, Size: 4, NMem: 1, HasRegs: true}
			in.Mem[0] = traces.MemRef{Addr: 0x40000000 + p*4096, Size: 8}
			in.SrcRegs[0], in.DstRegs[0] = 7, 16
			if chain {
				in.SrcRegs[0], in.DstRegs[0] = 1, 1
			}
			out.ins = append(out.ins, in)
		}
	}
	return out, pages
}

// A page-sequential run over 1 GiB: each page's translation misses every
// TLB (the STLB holds 8 MiB of 4 KiB pages), and the next-page TLB
// prefetcher's walk, started on each miss, brings the next page's
// translation into its buffer (or the demand finds it on its way and
// waits for it). At least 80% of the demand walks go, on the in-order
// core and on the out-of-order one following a chain of loads. (With
// independent loads the out-of-order core walks many pages at once itself:
// its demand walks leave no walker free, and every prefetch is dropped.)
func TestTLBPrefetchPageSequential(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB runs")
	}
	for _, tc := range []struct {
		name  string
		chain bool
		sets  []string
	}{
		{"inorder", false, []string{"core.model=inorder"}},
		{"ooo chain", true, nil},
	} {
		ins, pages := pageWalk(1<<30, tc.chain)
		base := runPrefetch(t, ins, pages, tc.sets...)
		ins, _ = pageWalk(1<<30, tc.chain)
		r := runPrefetch(t, ins, pages, append(tc.sets, "stlb.prefetcher=next-page")...)
		before, after := base.Translation.Walks, r.Translation.Walks
		t.Logf("%s: demand walks %d -> %d, %d prefetch walks, IPC %.4f -> %.4f", tc.name, before, after,
			r.Translation.Prefetch.Walks, base.IPC, r.IPC)
		if removed := 1 - float64(after)/float64(before); removed < 0.8 || r.IPC <= base.IPC {
			t.Errorf("%s: %.1f%% of the demand walks removed (want 80%% or more), IPC %.4f against %.4f",
				tc.name, 100*removed, r.IPC, base.IPC)
		}
	}
}

// A TLB prefetcher beside an STLB of 4 KiB pages only, with transparent
// huge pages: its walks find 2 MiB pages, which its buffer (the STLB's
// sizes) cannot hold; they are dropped and counted, and the run ends.
func TestTLBPrefetchHugePagesBufferLacks(t *testing.T) {
	ins := generated(t, "stream", traces.GenParams{Size: 16 << 20, Count: 20000, ALU: 2})
	r := runPrefetch(t, ins, 0, "os.thp=always", "stlb.pages=4KiB", "stlb.prefetcher=next-page")
	if r.Stats["stlb.prefetch.unheld"] == 0 || r.Translation.Prefetch.Walks == 0 {
		t.Errorf("%d prefetch walks, %d of them found a page the buffer does not hold; want some of each",
			r.Translation.Prefetch.Walks, r.Stats["stlb.prefetch.unheld"])
	}
}

// On several cores a private level's prefetch report is each core's, and
// the machine's is their sum, with the ratios the registry defines made
// from the summed counts; a shared level's prefetcher is reported once.
// (The report of several cores had no prefetch section at all.)
func TestPrefetchReportOnCores(t *testing.T) {
	stream := func() traces.InstrReader {
		return generated(t, "stream", traces.GenParams{Size: 8 << 20, Count: 20000})
	}
	m, err := BuildFrom("default", "cores=2", "l2.prefetcher=stream", "l1d.prefetcher=ip-stride", "llc.prefetcher=next-line")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := m.RunInstrs([]traces.InstrReader{stream(), stream()}, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"l1d", "l2"} {
		all := levelOf(rep, name).Prefetch
		if all == nil || all.Issued == 0 {
			t.Fatalf("%s: machine prefetch report %+v; want one with prefetches", name, all)
		}
		var issued, useful uint64
		for _, c := range rep.Cores {
			for _, l := range c.Levels {
				if l.Name == fmt.Sprintf("core%d.%s", c.Core, name) && l.Prefetch != nil {
					issued, useful = issued+l.Prefetch.Issued, useful+l.Prefetch.Useful
				}
			}
		}
		if issued != all.Issued || useful != all.Useful || all.Accuracy != float64(all.Useful)/float64(all.Issued) {
			t.Errorf("%s: cores issued %d, useful %d; machine %+v: want the sums, accuracy useful/issued", name, issued, useful, *all)
		}
	}
	if p := levelOf(rep, "llc").Prefetch; p == nil || p.Name != "next-line" {
		t.Errorf("llc prefetch report %+v; want next-line's", p)
	}
}
