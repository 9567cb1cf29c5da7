package dram

import "github.com/vmemu/vmemu/sim"

// entry is one queued line access. Entries live in a fixed pool per channel
// and are linked, oldest first, into their bank's read or write list, so
// the scheduler looks only at the banks that have work.
type entry struct {
	addr   uint64       // line address (for forwarding and merging)
	req    *sim.Request // the read's requester; nil for writes
	seq    uint64       // admission order: a request's age
	arrive uint64       // DRAM cycle it entered the queue
	bank   int32        // channel-wide bank index
	row    int32
	split  int32 // multi-line read record, or none
	prev   int32
	next   int32
}

const none = -1

// list is a doubly linked list of pool indices, oldest at head.
type list struct{ head, tail int32 }

func newList() list { return list{none, none} }

// pool holds a channel's queue entries; free is a stack of unused slots.
type pool struct {
	e    []entry
	free []int32
}

func newPool(n int) pool {
	p := pool{e: make([]entry, n), free: make([]int32, n)}
	for i := range p.free {
		p.free[i] = int32(n - 1 - i)
	}
	return p
}

func (p *pool) alloc() int32 {
	i := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return i
}

func (p *pool) release(i int32) {
	p.e[i].req = nil
	p.free = append(p.free, i)
}

func (p *pool) pushBack(l *list, i int32) {
	e := &p.e[i]
	e.prev, e.next = l.tail, none
	if l.tail == none {
		l.head = i
	} else {
		p.e[l.tail].next = i
	}
	l.tail = i
}

func (p *pool) unlink(l *list, i int32) {
	e := &p.e[i]
	if e.prev == none {
		l.head = e.next
	} else {
		p.e[e.prev].next = e.next
	}
	if e.next == none {
		l.tail = e.prev
	} else {
		p.e[e.next].prev = e.prev
	}
}

// find returns the entry of l for line addr, or none.
func (p *pool) find(l *list, addr uint64) int32 {
	for i := l.head; i != none; i = p.e[i].next {
		if p.e[i].addr == addr {
			return i
		}
	}
	return none
}

// bitset marks banks with queued work of one kind.
type bitset []uint64

func newBitset(n int) bitset      { return make(bitset, (n+63)/64) }
func (b bitset) set(i int32)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clear(i int32)    { b[i>>6] &^= 1 << (uint(i) & 63) }
func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
