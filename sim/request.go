package sim

import "fmt"

// Kind says what an access is for. It travels down the hierarchy with the
// request, so a lower level can count its traffic by what caused it.
type Kind uint8

const (
	Fetch     Kind = iota // instruction fetch
	Load                  // data read
	Store                 // data write
	PTERead               // page-table entry read by the page walker
	PTEWrite              // page-table entry write (Accessed and Dirty bits)
	Writeback             // a dirty line evicted from the level above
	Victim                // a clean line evicted into an exclusive level below
	Prefetch              // a read started by a prefetcher
	NumKinds
)

var kindNames = [NumKinds]string{"fetch", "load", "store", "pte_read", "pte_write", "writeback", "victim", "prefetch"}

func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// IsWrite reports whether the access carries data down rather than asking
// for it.
func (k Kind) IsWrite() bool {
	switch k {
	case Store, PTEWrite, Writeback, Victim:
		return true
	}
	return false
}

// IsDemand reports whether the access is one a program asked for, or its
// page walk (a level's demand misses, which a prefetcher's coverage is
// counted against): not a write-back, a victim or a prefetch.
func (k Kind) IsDemand() bool { return k != Writeback && k != Victim && k != Prefetch }

// Request is one access travelling between levels. The requester owns it: it
// may reuse the request once it has been completed, or, for a posted write
// (Done == nil), as soon as Access returns.
type Request struct {
	Addr uint64 // physical byte address
	// VA is the virtual address of Addr when a core's access is behind the
	// request (0 otherwise): what a first level's prefetcher sees when it
	// works on virtual addresses, as the L1's of real cores do.
	VA uint64
	// IP is the instruction pointer of the instruction the access serves (a
	// page walk's reads carry the IP of the access that walked; 0 where no
	// instruction is behind it: write-backs, the kernel's own traffic).
	IP   uint64
	Size uint32 // bytes; an access may cover more than one line
	Kind Kind
	// Core is the core that issued the access (below MaxCores); Proc the
	// process (its PID in the kernel, 0 without one) it ran for.
	Core uint16
	Proc uint32
	// Dirty marks a Victim or Writeback that carries modified data, and a
	// reply from an exclusive level that hands over a modified line.
	Dirty bool
	// Fills says the requester will keep the line (a cache above filling
	// itself), so an exclusive level hands the line over instead of keeping it.
	Fills bool
	// Served is set by the level that supplied the data (the deepest one,
	// when lines of the access came from several).
	Served Level
	// Missed and Merged are the answer of the level the request was
	// presented to: some line was not there (a miss), or every line was
	// but one was still on its way (a hit that waited for a fill). Evicted
	// is the line address plus one of a valid line that this access's
	// miss pushed out of that level, 0 if none.
	Missed, Merged bool
	Evicted        uint64
	// Done is told when the data is ready, if the level could not say so at
	// once. Nil for posted writes, which nobody waits for.
	Done Requester
	// ID is the requester's own tag (an index into its tables, say).
	ID uint64
	// Issued is the cycle the request was first presented.
	Issued Cycle
	// Trace, when set, collects the spans of the access behind the
	// request at every level it visits (the timeline's window).
	Trace *Trace

	// Ready and Waits are scratch for the level that holds the request while
	// it waits on more than one miss (an access that straddles two lines).
	Ready Cycle
	Waits int32
}

// IsRead reports whether the request asks for data: a read of any kind, or
// the fill of a line a store missed on (Fills). Posted writes, write-backs
// and victims carry data down instead.
func (r *Request) IsRead() bool { return r.Fills || !r.Kind.IsWrite() }

// Requester is told when a request it is waiting for has its data.
// at is never earlier than the engine's present.
type Requester interface {
	Complete(req *Request, at Cycle)
}

// Port is what a memory level offers to the levels above it.
//
// Access presents req at cycle now (never earlier than the engine's
// present). If the level can tell at once when the access is done (a hit, or
// a miss whose whole path is known), it returns that cycle and true.
// Otherwise it returns false, and calls req.Done.Complete when the data is
// ready. A posted write (req.Done == nil) always returns true: the cycle is
// when the level accepted it.
type Port interface {
	Access(now Cycle, req *Request) (done Cycle, ok bool)
}
