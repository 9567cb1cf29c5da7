package cache

import (
	"fmt"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// Sets is the number of sets.
func (c *Cache) Sets() int { return int(c.setMask) + 1 }

// Split returns the tag, set index and offset of a physical address, as a
// textbook writes them (CT, CI, CO): the tag is the line address above the
// set bits.
func (c *Cache) Split(pa uint64) (tag uint64, set int, offset uint64) {
	ln := pa >> c.lineShift
	return ln >> uint(bitsOf(c.setMask)), int(ln & c.setMask), pa & (1<<c.lineShift - 1)
}

func bitsOf(mask uint64) int {
	n := 0
	for mask != 0 {
		n++
		mask >>= 1
	}
	return n
}

// Place presets way of set to hold the line with this tag (CT), valid or
// not: machine state files for exercises. The line's bytes live in memory.
func (c *Cache) Place(set, way int, tag uint64, valid bool) error {
	switch {
	case set < 0 || set >= c.Sets():
		return fmt.Errorf("%s: set %d out of range 0..%d", c.cfg.Name, set, c.Sets()-1)
	case way < 0 || way >= c.ways:
		return fmt.Errorf("%s: way %d out of range 0..%d", c.cfg.Name, way, c.ways-1)
	case tag >= (^uint64(0)-1)>>uint(bitsOf(c.setMask)):
		return fmt.Errorf("%s: tag %#x too wide", c.cfg.Name, tag)
	case c.coherent:
		return fmt.Errorf("%s: a level kept coherent takes no placed lines (the directory would not know them)", c.cfg.Name)
	}
	i := set*c.ways + way
	c.repl.Renumber()
	c.arrays.touch(set)
	c.invalidate(i)
	c.lines[i].ready = 0
	if valid {
		ln := tag<<uint(bitsOf(c.setMask)) | uint64(set)
		c.place(i, ln, 0)
		c.repl.Update(&replacement.Access{Set: set, Way: way, Addr: ln << c.lineShift, Kind: sim.Load})
	}
	return nil
}

// Holds reports whether the line of pa is in the level, changing nothing.
func (c *Cache) Holds(pa uint64) bool { return c.find(pa>>c.lineShift) >= 0 }
