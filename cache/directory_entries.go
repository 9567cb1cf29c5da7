package cache

// dirEntries is the directory's entry for each way of the shared level:
// the cores whose private levels hold the line (a bit per core) and the
// one that holds it E or M. With eight cores or fewer an entry is 16 bits
// (the sharers, then the owner plus one), kept in the top bits of the
// way's tag (packed) while every line the level holds leaves them free
// (line numbers under 2^48 - 1: physical memory under 16 PiB with 64-byte
// lines), else in an array of its own. Every request a private level sends
// down reads one and most write it: in the tag, the entry is in the host
// cache line the shared level's lookup has just read, where an array of
// its own (1 MiB for a 32 MiB shared level) cost a miss of the host's
// caches on nearly every hit. More cores keep a 64-bit mask and a byte.
type dirEntries struct {
	packed  *Cache   // the shared level, whose tags keep the entries; nil once unpacked
	narrow  []uint16 // 8 cores or fewer, unpacked
	sharers []uint64 // more
	owner   []uint8  // more: the owner plus one
}

// narrowCores is the most cores a 16-bit entry holds.
const narrowCores = 8

// packShift is where a packed entry starts in a tag; the bits below it
// hold the line.
const packShift = 48

// newDirEntries makes the entries of shared's ways; packed ones take
// effect when Share sets shared's tagBits.
func newDirEntries(shared *Cache, cores int) dirEntries {
	if cores <= narrowCores {
		return dirEntries{packed: shared}
	}
	ways := len(shared.lines)
	return dirEntries{sharers: make([]uint64, ways), owner: make([]uint8, ways)}
}

// get is way i's sharers and owner (-1: none).
func (e *dirEntries) get(i int) (sharers uint64, owner int) {
	var v uint16
	switch {
	case e.packed != nil:
		v = uint16(e.packed.lines[i].tag >> packShift)
	case e.narrow != nil:
		v = e.narrow[i]
	default:
		return e.sharers[i], int(e.owner[i]) - 1
	}
	return uint64(v & 0xff), int(v>>8) - 1
}

// set makes way i's entry sharers and owner (-1: none).
func (e *dirEntries) set(i int, sharers uint64, owner int) {
	v := uint16(sharers) | uint16(owner+1)<<8
	switch {
	case e.packed != nil:
		w := &e.packed.lines[i]
		w.tag = w.tag&(1<<packShift-1) | uint64(v)<<packShift
	case e.narrow != nil:
		e.narrow[i] = v
	default:
		e.sharers[i], e.owner[i] = sharers, uint8(owner+1)
	}
}

// unpack moves packed entries to an array of their own, for a line too
// wide to leave them room in its tag (translation off, and addresses near
// the top of 64 bits). It happens once, and changes no entry.
func (e *dirEntries) unpack() {
	c := e.packed
	e.narrow = make([]uint16, len(c.lines))
	for i := range c.lines {
		e.narrow[i] = uint16(c.lines[i].tag >> packShift)
		c.lines[i].tag &= 1<<packShift - 1
	}
	c.tagBits, e.packed = ^uint64(0), nil
}

// dirEntryBytes is what the entries of ways ways take for cores cores: for
// eight cores or fewer, what they take once unpacked.
func dirEntryBytes(ways uint64, cores int) uint64 {
	if cores <= narrowCores {
		return ways * 2
	}
	return ways * 9
}
