package traces

import "fmt"

// Op is what a trace record does.
type Op uint8

const (
	Fetch  Op = iota // instruction fetch (lackey "I")
	Load             // data read ("L")
	Store            // data write ("S")
	Modify           // read then write of the same bytes ("M")
)

var opNames = [...]string{"I", "L", "S", "M"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Record is one memory reference of a trace. It is 16 bytes: the simulator
// reads tens of millions a second, so what only some traces carry (a
// store's value, an instruction's registers) is in Ref instead.
type Record struct {
	Addr uint64 // virtual byte address
	Size uint32 // bytes
	Op   Op
	// PID is the process the reference belongs to: 0 in a trace of one
	// process (lackey, Cache Lab, ChampSim); native traces may switch
	// between processes. It sits in what was padding, so Record stays 16
	// bytes.
	PID uint16
}

// Reader streams the records of a trace. Read fills recs from the start and
// returns how many it filled; at the end of the trace it returns 0, io.EOF.
// Any other error names the file and line (see Error).
type Reader interface {
	Read(recs []Record) (int, error)
	// Format names the format detected ("lackey", "cachelab", ...).
	Format() string
	// Close releases the file and any decompressor.
	Close() error
}
