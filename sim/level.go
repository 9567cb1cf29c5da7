package sim

// Level names one level of the memory hierarchy by its place in it: its
// depth below the core (0 for the first level, 1 for the next, ...; main
// memory is the deepest) and its number in the machine, which tells the
// levels of one depth apart (l1i from l1d, one core's l2 from another's).
// The machine keeps a LevelInfo for each number.
type Level struct {
	ID    uint16
	Depth uint8
}

// Deeper returns the deeper of a and b, b if they are as deep: of two lines
// of one access served from different places, the access waited for the
// deeper one.
func Deeper(a, b Level) Level {
	if b.Depth >= a.Depth {
		return b
	}
	return a
}

// LevelInfo says what a level is, for reports: its name ("l1d", "l2",
// "llc", "memory") and the core it is private to (Shared if none).
type LevelInfo struct {
	Name  string
	Core  int
	Level Level
}

// Shared is the Core of a level that every core shares.
const Shared = -1
