package cache

// dirEntries is the directory's entry for each way of the shared level:
// the cores whose private levels hold the line (a bit per core) and the
// one that holds it E or M. With eight cores or fewer an entry is 16 bits
// (the sharers, then the owner plus one), so that the entries of a 32 MiB
// shared level take 1 MiB of the host's memory rather than 4.5: every
// request a private level sends down and every line it evicts reads and
// writes one, and the host's caches keep a megabyte where they do not
// keep four. More cores keep a 64-bit mask and a byte.
type dirEntries struct {
	narrow  []uint16 // 8 cores or fewer
	sharers []uint64 // more
	owner   []uint8  // more: the owner plus one
}

// narrowCores is the most cores a 16-bit entry holds.
const narrowCores = 8

func newDirEntries(ways, cores int) dirEntries {
	if cores <= narrowCores {
		return dirEntries{narrow: make([]uint16, ways)}
	}
	return dirEntries{sharers: make([]uint64, ways), owner: make([]uint8, ways)}
}

// get is way i's sharers and owner (-1: none).
func (e *dirEntries) get(i int) (sharers uint64, owner int) {
	if e.narrow != nil {
		v := e.narrow[i]
		return uint64(v & 0xff), int(v>>8) - 1
	}
	return e.sharers[i], int(e.owner[i]) - 1
}

// set makes way i's entry sharers and owner (-1: none).
func (e *dirEntries) set(i int, sharers uint64, owner int) {
	if e.narrow != nil {
		e.narrow[i] = uint16(sharers) | uint16(owner+1)<<8
		return
	}
	e.sharers[i], e.owner[i] = sharers, uint8(owner+1)
}

// dirEntryBytes is what the entries of ways ways take for cores cores.
func dirEntryBytes(ways uint64, cores int) uint64 {
	if cores <= narrowCores {
		return ways * 2
	}
	return ways * 9
}
