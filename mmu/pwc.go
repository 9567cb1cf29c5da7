package mmu

import (
	"fmt"
	"unsafe"
)

// PageWalkCache holds upper-level entries so that a walk can skip the levels
// above (Intel SDM Vol. 3A §4.10.3, paging-structure caches). The cache for
// level l (x86-64: 4 = PML4E, 3 = PDPTE, 2 = PDE) maps the virtual address
// bits that select a level-l entry, under a PCID, to the physical address of
// the table at level l-1 and the permissions of every entry on the way.
// It is fully associative with LRU replacement.
type PageWalkCache struct {
	Level   int
	entries []pwcEntry
	clock   uint64
	n       pwcCounts
}

type pwcCounts struct{ hits, misses uint64 }

// pwcNames name the entries a level's page-walk cache holds (x86-64's).
var pwcNames = map[int]string{2: "pde", 3: "pdpte", 4: "pml4e", 5: "pml5e"}

// PWCName names the entries the page-walk cache of a level holds: "pde"
// for level 2, "pdpte", "pml4e", "pml5e" (x86-64's names).
func PWCName(level int) string {
	if n, ok := pwcNames[level]; ok {
		return n
	}
	return fmt.Sprintf("level%d", level)
}

type pwcEntry struct {
	valid bool
	pcid  uint16
	tag   uint64 // va >> the level's shift
	next  uint64 // physical address of the next table
	perms perms
	used  uint64
}

// perms are the rights every entry on a path grants: a right is kept only if
// every level allows it.
type perms struct{ write, user, exec bool }

func allPerms() perms { return perms{true, true, true} }

func (p perms) and(e PTE) perms {
	return perms{p.write && e&Writable != 0, p.user && e&User != 0, p.exec && e&NoExec == 0}
}

// PWCBytes is what NewPageWalkCache allocates for n entries, for a machine
// to know before it builds one whether it fits the host.
func PWCBytes(n int) uint64 { return uint64(max(n, 0)) * uint64(unsafe.Sizeof(pwcEntry{})) }

// NewPageWalkCache returns an empty cache of n entries for a level.
func NewPageWalkCache(level, n int) *PageWalkCache {
	return &PageWalkCache{Level: level, entries: make([]pwcEntry, n)}
}

func (c *PageWalkCache) lookup(pcid uint16, tag uint64) (pwcEntry, bool) {
	for i := range c.entries {
		e := &c.entries[i]
		if e.valid && e.tag == tag && e.pcid == pcid {
			c.clock++
			e.used = c.clock
			c.n.hits++
			return *e, true
		}
	}
	c.n.misses++
	return pwcEntry{}, false
}

func (c *PageWalkCache) insert(pcid uint16, tag, next uint64, p perms) {
	if len(c.entries) == 0 {
		return
	}
	v := 0
	for i := range c.entries {
		e := &c.entries[i]
		if !e.valid || (e.tag == tag && e.pcid == pcid) {
			v = i
			break
		}
		if e.used < c.entries[v].used {
			v = i
		}
	}
	c.clock++
	c.entries[v] = pwcEntry{valid: true, pcid: pcid, tag: tag, next: next, perms: p, used: c.clock}
}

// InvalidatePCID drops every entry of a PCID (what INVLPG does to the
// paging-structure caches, whatever the address: SDM §4.10.4.1).
func (c *PageWalkCache) InvalidatePCID(pcid uint16) {
	for i := range c.entries {
		if c.entries[i].pcid == pcid {
			c.entries[i].valid = false
		}
	}
}

// InvalidateAll drops every entry.
func (c *PageWalkCache) InvalidateAll() {
	for i := range c.entries {
		c.entries[i].valid = false
	}
}
