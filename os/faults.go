package os

// Faults counts page faults as getrusage(2) counts them (ru_minflt,
// ru_majflt, what `perf stat -e page-faults` adds up): every fault the
// kernel mends is one fault, minor or major, whatever it did; a fault that
// waited for the disk (a page read in, or still in flight from an earlier
// readahead) is major, every other one minor. A fault that ends in SIGSEGV
// is not counted, as Linux's mm_account_fault does not count it.
//
// The rest is the breakdown beside those two counts; a fault may appear
// under several headings, or none (a first write of anonymous memory, a
// file page found in the page cache).
type Faults struct {
	Minor, Major uint64
	// COW counts write faults that gave the process its own copy of a
	// page (a copy-on-write copy; a write to the zero page, which fills a
	// fresh page instead of copying).
	COW uint64
	// Reuse counts write faults that found the page held by this process
	// alone and made it writable in place, with no copy.
	Reuse uint64
	// ZeroPage counts read faults that mapped the shared zero page, 4 KiB
	// or huge.
	ZeroPage uint64
	// THP counts faults that mapped a 2 MiB page with one entry: a new
	// transparent huge page, or the huge zero page.
	THP uint64
	// HugeTLB counts faults that mapped a page of a MAP_HUGETLB area.
	HugeTLB uint64
	// SwapIns counts pages faults read back from swap.
	SwapIns uint64
	// FaultAround counts the pages fault-around mapped beside the faulting
	// ones.
	FaultAround uint64
	// Readahead counts the pages read into the page cache (or the swap
	// cache, for MADV_WILLNEED) beyond the ones asked for.
	Readahead uint64
	// THPFallbacks counts faults that could have mapped a huge page but
	// found no 2 MiB of free, aligned frames, and mapped 4 KiB.
	THPFallbacks uint64
	// Splits counts huge mappings split into 512 entries (a write to a
	// huge page shared since fork, munmap, mprotect or madvise of part of
	// it, reclaim).
	Splits uint64
}

// Count is one of the counts of Faults, with the name reports give it and
// what it counts.
type Count struct {
	Name string
	N    *uint64
	Doc  string
}

// countNames are the report names of Faults' counts, in fields' order.
var countNames = [...]string{"minor", "major", "cow", "reuse", "zero_page", "thp", "hugetlb", "swap_ins",
	"fault_around", "readahead", "thp_fallbacks", "splits"}

// countDocs say what each of countNames counts.
var countDocs = [len(countNames)]string{
	"faults mended without waiting for the disk (getrusage's ru_minflt)",
	"faults that waited for the disk (getrusage's ru_majflt)",
	"write faults that gave the process its own copy of a page",
	"write faults that made a page held by the process alone writable in place",
	"read faults that mapped the shared zero page",
	"faults that mapped a 2 MiB page with one entry",
	"faults that mapped a page of a MAP_HUGETLB area",
	"pages faults read back from swap",
	"pages fault-around mapped beside the faulting ones",
	"pages read ahead beyond the ones asked for",
	"faults that could have mapped a huge page but found no 2 MiB free",
	"huge mappings split into 512 entries",
}

// fields are f's counts in a fixed order (getrusage's minor and major
// first, then the breakdown), an array, for the report and the tests;
// add, on every fault, is written out field by field (4.5 ns against 31
// through this array), and a test keeps the two lists in step.
func (f *Faults) fields() [len(countNames)]*uint64 {
	return [...]*uint64{&f.Minor, &f.Major, &f.COW, &f.Reuse, &f.ZeroPage, &f.THP, &f.HugeTLB, &f.SwapIns,
		&f.FaultAround, &f.Readahead, &f.THPFallbacks, &f.Splits}
}

// Counts lists f's counts with their report names, in a fixed order.
func (f *Faults) Counts() []Count {
	var out []Count
	for i, n := range f.fields() {
		out = append(out, Count{countNames[i], n, countDocs[i]})
	}
	return out
}

// add adds o to f, field by field: it runs three times a fault.
func (f *Faults) add(o Faults) {
	f.Minor += o.Minor
	f.Major += o.Major
	f.COW += o.COW
	f.Reuse += o.Reuse
	f.ZeroPage += o.ZeroPage
	f.THP += o.THP
	f.HugeTLB += o.HugeTLB
	f.SwapIns += o.SwapIns
	f.FaultAround += o.FaultAround
	f.Readahead += o.Readahead
	f.THPFallbacks += o.THPFallbacks
	f.Splits += o.Splits
}

// note adds n to p's counts and its thread's (p may be nil: a path no
// process asked for) and to the kernel's.
func (k *Kernel) note(p *Process, n Faults) {
	if p != nil {
		p.Faults.add(n)
		k.taskOf(p).Faults.add(n)
	}
	k.N.Faults.add(n)
}
