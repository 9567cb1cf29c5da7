package traces

import (
	"fmt"
	"strconv"
)

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
	// Thread is the thread of process PID the reference belongs to,
	// numbered from 0 in the trace (not an OS thread id): 0 in a trace of
	// one thread; native traces may switch between threads. With PID it
	// fills what was padding, so Record stays 16 bytes.
	Thread uint8
	// PID is the process the reference belongs to: 0 in a trace of one
	// process (lackey, Cache Lab, ChampSim); native traces may switch
	// between processes, a ChampSim CloudSuite trace gives its ASID.
	PID uint16
}

// MaxThread is the largest thread number a record holds.
const MaxThread = 255

// MaxAccessSize is the most bytes one record may move. The largest memory
// operand of an x86-64 instruction is XSAVE's area with every state
// component enabled: 11,008 bytes on a processor with AMX (Intel SDM vol. 1,
// section 13.4 and table 13-1; CPUID.(EAX=0DH,ECX=0):ECX). Rounded up to a
// power of two, the bound leaves room for state components to come and
// covers a 4 KiB page (SGX's EADD copies one). A bigger size is not an
// access but a corrupt or hostile trace, and would cost a simulator and
// Stat time and memory in proportion to it (2^32-1 bytes are 67 million
// lines), so every reader refuses it and every writer too.
const MaxAccessSize = 16 << 10

// sizeTooBig is what a reader says of a size above MaxAccessSize.
const sizeTooBig = "is more than one instruction moves (at most 16384 bytes, the largest XSAVE area rounded up)"

// pastTheTop is what a reader says of an access whose last byte would
// wrap around to address 0: no line holds it, and a cache would count it
// as touching none.
const pastTheTop = "run past the top of the 64-bit address space"

// runsPastTop reports whether size bytes (at least 1) at addr run past
// the top of the address space.
func runsPastTop(addr, size uint64) bool { return addr+(size-1) < addr }

// checkSize says what is wrong with an access of size bytes, or "".
func checkSize(size uint64) string {
	switch {
	case size == 0:
		return "must not be 0"
	case size > MaxAccessSize:
		return strconv.FormatUint(size, 10) + " " + sizeTooBig
	}
	return ""
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
