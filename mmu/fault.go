package mmu

import (
	"fmt"

	"github.com/vmemu/vmemu/sim"
)

// Cause is why a translation failed (Intel SDM Vol. 3A §4.7, the page-fault
// error code).
type Cause uint8

const (
	NotPresent     Cause = iota // P = 0 at some level
	WriteProtect                // a write to a page some level marks read-only
	UserSupervisor              // a user access to a page some level marks supervisor
	ExecuteNX                   // an instruction fetch from a page some level marks NX
	ReservedBit                 // a reserved bit set in an entry (RSVD)
	OutOfRange                  // the address is wider than the virtual address space
)

var causeNames = [...]string{"not present", "write to read-only", "user access to supervisor page", "execute of NX page", "reserved bit", "address out of range"}

func (c Cause) String() string {
	if int(c) < len(causeNames) {
		return causeNames[c]
	}
	return fmt.Sprintf("cause(%d)", uint8(c))
}

var causeKeys = [...]string{"not_present", "write_protect", "user_supervisor", "execute_nx", "reserved_bit", "out_of_range"}

// Key names a cause in a counter's name: "not_present", "write_protect".
func (c Cause) Key() string {
	if int(c) < len(causeKeys) {
		return causeKeys[c]
	}
	return fmt.Sprintf("cause%d", uint8(c))
}

// Fault describes a failed translation to the operating system.
type Fault struct {
	VA        uint64
	IP        uint64   // the instruction whose access faulted
	Kind      sim.Kind // fetch, load, store
	User      bool
	PCID      uint16
	Cause     Cause
	Level     int    // level of the entry that failed the walk (0 if none)
	EntryAddr uint64 // physical address of that entry
}

func (f Fault) Error() string {
	return fmt.Sprintf("page fault at %#x (%s, %s)", f.VA, f.Kind, f.Cause)
}

// FaultHandler is the operating system's side of a fault. The MMU never
// imports the OS: the OS implements this.
type FaultHandler interface {
	// PageFault is called at cycle now. It mends the page tables (and
	// invalidates what it must), then returns the cycle from which the
	// access may be tried again, or retry = false when the access is
	// abandoned (the process got a signal).
	PageFault(now sim.Cycle, f Fault) (resume sim.Cycle, retry bool)
}

// Memory is where the page tables' bytes live.
type Memory interface {
	ReadPTE(pa uint64) PTE
	WritePTE(pa uint64, v PTE)
}

// FaultHandlerFunc adapts a function to FaultHandler.
type FaultHandlerFunc func(now sim.Cycle, f Fault) (sim.Cycle, bool)

// PageFault calls f.
func (f FaultHandlerFunc) PageFault(now sim.Cycle, fl Fault) (sim.Cycle, bool) { return f(now, fl) }
