package dram

import "math/bits"

// candidate is the next command one bank (or a pending refresh) wants.
type candidate struct {
	kind    cmdKind
	refresh bool // part of a refresh: outranks every request
	bank    int32
	entry   int32 // the request it serves, none for refresh commands
}

// slot is what the scheduler's inner loop needs of a bank's candidate,
// packed: its earliest cycle is max(local, *group, *rank, the command bus),
// where local (the bank's own gate, and the cycle after the request
// arrived) changes only when the bank does, which recomputes the slot,
// and group and rank point at the shared gates the command waits on.
type slot struct {
	local uint64
	key   uint64 // priority among commands ready at the same cycle, lower first
	group *uint64
	rank  *uint64
}

// plan is the scheduler's answer for a channel: the command to issue at the
// first cycle >= from at which any command can issue. It stays valid while
// nothing it depends on changes (version) and its cycle is not past.
type plan struct {
	version uint64
	from    uint64
	at      uint64 // never when there is nothing to issue
	cand    candidate
	write   bool // the mode it was made for
	valid   bool
}

func (ch *channel) planFor(from uint64) *plan {
	p := &ch.plan
	if !p.valid || p.version != ch.version || from < p.from || from > p.at || p.write != ch.modeFor(from) {
		ch.computePlan(from)
	}
	return p
}

// computePlan looks at every bank with work in the current mode (and every
// pending refresh), finds the earliest cycle any of their commands may
// issue, and among the commands ready then picks by priority: refresh
// first; then, for FR-FCFS, column commands (row hits) before ACT/PRE;
// then the oldest request.
func (ch *channel) computePlan(from uint64) {
	write := ch.modeFor(from)
	var cand candidate
	bestAt, bestKey, bestBank := uint64(never), uint64(never), int32(none)
	if ch.refreshing > 0 {
		cand, bestAt = ch.refreshPlan(from)
		bestKey = 0 // a refresh command: nothing outranks it
	}
	ch.refreshSlots(write)
	lo := max(from, ch.dv.nextCmd)
	work := ch.active[b2i(write)]
	if ch.refreshing > 0 {
		work = ch.unblocked(work)
	}
	bestAt, bestKey, bestBank = earliestSlot(ch.slots, work, lo, bestAt, bestKey, bestBank)
	if bestBank != none && bestKey != 0 {
		cand = ch.bq[bestBank].cand
	}
	ch.plan = plan{version: ch.version, from: from, at: bestAt, cand: cand, write: write, valid: true}
}

// earliestSlot returns the least (at, key) among (bestAt, bestKey) and
// the slots of the banks in set, with the bank it came from, where at is
// the slot's earliest cycle not before lo. It is the scheduler's inner
// loop, kept apart so that its few values stay in registers. Keys are
// unique (a request's age), so the least is too, and the banks can be
// taken in two interleaved halves, each with its own running least, which
// halves the chain of dependent steps; the two are merged at the end.
func earliestSlot(slots []slot, set bitset, lo, bestAt, bestKey uint64, bestBank int32) (uint64, uint64, int32) {
	at2, key2, bank2 := uint64(never), uint64(never), int32(none)
	for wi, word := range set {
		base := int32(wi * 64)
		for word != 0 {
			b := base + int32(bits.TrailingZeros64(word))
			word &= word - 1
			s := &slots[b]
			bestAt, bestKey, bestBank = least(max(s.local, *s.group, *s.rank, lo), s.key, b, bestAt, bestKey, bestBank)
			if word == 0 {
				break
			}
			b = base + int32(bits.TrailingZeros64(word))
			word &= word - 1
			s = &slots[b]
			at2, key2, bank2 = least(max(s.local, *s.group, *s.rank, lo), s.key, b, at2, key2, bank2)
		}
	}
	return least(at2, key2, bank2, bestAt, bestKey, bestBank)
}

// least is the lesser of (at, key) and (bestAt, bestKey), with its bank,
// chosen without a branch the CPU would mispredict: (at, key) <
// (bestAt, bestKey) as a 128-bit number borrows.
func least(at, key uint64, bank int32, bestAt, bestKey uint64, bestBank int32) (uint64, uint64, int32) {
	_, borrow := bits.Sub64(key, bestKey, 0)
	_, borrow = bits.Sub64(at, bestAt, borrow)
	m := -borrow
	bestAt ^= (bestAt ^ at) & m
	bestKey ^= (bestKey ^ key) & m
	bestBank ^= (bestBank ^ bank) & int32(m)
	return bestAt, bestKey, bestBank
}

// unblocked is the banks of set that a pending refresh does not hold, in
// a scratch bitset (so the scheduler's loop need not test every bank).
func (ch *channel) unblocked(set bitset) bitset {
	out := ch.scratch
	copy(out, set)
	for wi, word := range set {
		for word != 0 {
			b := int32(wi*64 + bits.TrailingZeros64(word))
			word &= word - 1
			if ch.blocked(b) {
				out.clear(b)
			}
		}
	}
	return out
}

// refreshPlan is the pending refresh command that can issue first.
func (ch *channel) refreshPlan(from uint64) (candidate, uint64) {
	var best candidate
	bestAt := uint64(never)
	for r := range ch.refresh {
		if ch.refresh[r].pending {
			if c, at := ch.refreshCommand(r, from); at < bestAt {
				best, bestAt = c, at
			}
		}
	}
	return best, bestAt
}

// priority orders candidates ready at the same cycle: lower goes first.
// Refresh commands have key 0; FR-FCFS puts column commands (row hits)
// before commands that open or close rows; then the oldest request wins.
func (ch *channel) priority(k cmdKind, seq uint64) uint64 {
	class := uint64(1)
	if ch.frfcfs && !k.isColumn() {
		class = 2
	}
	return class<<56 | seq
}

// desiredMode applies the write-drain watermarks (Ramulator 2's rule) to
// the queues as they are: drain writes when the write queue reaches
// DrainHigh or no read waits; go back to reads once it is down to DrainLow
// and a read waits. Applying it twice changes nothing.
func (ch *channel) desiredMode() bool {
	r, w := ch.queued[0], ch.queued[1]
	pol := &ch.ctl.cfg.Policy
	if !ch.writeMode {
		return w >= pol.DrainHigh || (r == 0 && w > 0)
	}
	return !(w == 0 || (w <= pol.DrainLow && r > 0))
}

// commitMode fixes the mode for cycle t, once, at the first step of t and
// before its command, so the decision sees the queues as they were at the
// end of the previous cycle however the requests of t were delivered.
func (ch *channel) commitMode(t uint64) {
	if ch.modeAt != t+1 {
		ch.writeMode = ch.desiredMode()
		ch.modeAt = t + 1
	}
}

// modeFor is the mode in force at cycle from: committed for the present
// cycle, else what will be committed if the queues stay as they are.
func (ch *channel) modeFor(from uint64) bool {
	if ch.modeAt == from+1 {
		return ch.writeMode
	}
	return ch.desiredMode()
}

// refreshSlots recomputes the slots of the banks with work in the given
// mode that changed since they were computed (or all, if the mode did).
func (ch *channel) refreshSlots(write bool) {
	w := b2i(write)
	if write != ch.slotsWrite {
		ch.slotsWrite = write
		ch.staleAll()
	}
	for wi, word := range ch.stale {
		word &= ch.active[w][wi]
		ch.stale[wi] &^= word
		for word != 0 {
			b := int32(wi*64 + bits.TrailingZeros64(word))
			word &= word - 1
			ch.fillSlot(b, write)
		}
	}
}

func (ch *channel) staleAll() {
	for i := range ch.stale {
		ch.stale[i] = ^uint64(0)
	}
}

// fillSlot works out bank b's next command in the given mode; it is
// cached until the bank, its queue or the mode changes.
func (ch *channel) fillSlot(b int32, write bool) {
	c := ch.bankCommand(b, write)
	ch.bq[b].cand = c
	e := &ch.p.e[c.entry]
	bank := &ch.dv.banks[b]
	gate := gateOf(c.kind)
	ch.slots[b] = slot{
		local: max(bank.next[gate], e.arrive+1),
		key:   ch.priority(c.kind, e.seq),
		group: &ch.dv.groups[bank.group].next[gate],
		rank:  &ch.dv.ranks[bank.rank].next[gate],
	}
}

func (ch *channel) bankCommand(b int32, write bool) candidate {
	q := &ch.bq[b]
	w := b2i(write)
	l := &q.lists[w]
	head := l.head
	bank := &ch.dv.banks[b]
	if !bank.open {
		return candidate{kind: cmdACT, bank: b, entry: head}
	}
	pick := head
	if ch.frfcfs {
		pick = ch.firstHit(l, bank.row)
		if pick != none && pick != head && ch.rowCap > 0 && q.hits >= ch.rowCap {
			pick = none // the row has had its turn; the older request's row comes next
		}
	} else if ch.p.e[head].row != bank.row {
		pick = none
	}
	if pick == none {
		return candidate{kind: cmdPRE, bank: b, entry: head}
	}
	kind := cmdRD
	if w == 1 {
		kind = cmdWR
	}
	if ch.closedPage && !ch.anotherHit(l, pick, bank.row) {
		kind += cmdRDA - cmdRD // close the row with its last queued access
	}
	return candidate{kind: kind, bank: b, entry: pick}
}

func (ch *channel) firstHit(l *list, row int32) int32 {
	for i := l.head; i != none; i = ch.p.e[i].next {
		if ch.p.e[i].row == row {
			return i
		}
	}
	return none
}

func (ch *channel) anotherHit(l *list, except int32, row int32) bool {
	for i := l.head; i != none; i = ch.p.e[i].next {
		if i != except && ch.p.e[i].row == row {
			return true
		}
	}
	return false
}

// execute issues c at cycle t and does the controller's bookkeeping.
func (ch *channel) execute(c candidate, t uint64) {
	cmd := command{kind: c.kind, bank: c.bank}
	if c.entry != none {
		cmd.row = ch.p.e[c.entry].row
	}
	if ch.ctl.traceCmd != nil {
		ch.ctl.traceCmd(ch.id, cmd, t)
	}
	ch.dv.issue(cmd, t)
	ch.version++
	q := &ch.bq[c.bank]
	ch.stale.set(c.bank)
	ctr := &ch.ctl.ctr
	switch {
	case c.kind == cmdREF || c.kind == cmdREFsb:
		ctr.ref++
		ch.refreshDone(ch.dv.rankOf(c.bank))
		ch.staleAll() // REFsb moved other banks' gates: recompute every candidate
	case c.kind == cmdACT:
		ctr.act++
		q.stats.act++
		q.hits, q.conflict = 0, q.closedForConflict
	case c.kind == cmdPRE:
		ctr.pre++
		q.stats.pre++
		q.closedForConflict = !c.refresh
	default:
		ch.serve(c, t)
	}
}

// serve issues the column command of a queued request: classifies the row
// access, returns a read's data later, and frees the queue slot.
func (ch *channel) serve(c candidate, t uint64) {
	q := &ch.bq[c.bank]
	ctr := &ch.ctl.ctr
	switch {
	case q.hits > 0:
		ctr.rowHits++
		q.stats.rowHits++
	case q.conflict:
		ctr.rowConflicts++
		q.stats.rowConflicts++
	default:
		ctr.rowMisses++
		q.stats.rowMisses++
	}
	q.hits++
	e := &ch.p.e[c.entry]
	if c.kind.isRead() {
		ctr.rd++
		q.stats.rd++
		// The data's last beat is on the bus CL + BL/2 after the READ.
		ch.returnRead(&ch.dataQ, completion{at: t + ch.dv.d.readLat, arrive: e.arrive, req: e.req, split: e.split})
		ch.remove(c.entry, 0)
	} else {
		ctr.wr++
		q.stats.wr++
		ch.remove(c.entry, 1)
	}
	if c.kind == cmdRDA || c.kind == cmdWRA {
		q.closedForConflict = false
	}
}
