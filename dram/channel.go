package dram

import (
	"math"
	"unsafe"

	"github.com/vmemu/vmemu/sim"
)

const never = math.MaxUint64

// arrival is a request waiting to enter a channel's queues: requests enter
// in order, at most one per DRAM cycle, the head retried until there is room.
type arrival struct {
	addr  uint64 // line address
	req   *sim.Request
	at    uint64 // earliest DRAM cycle it may enter
	bank  int32
	row   int32
	write bool
	split int32 // a multi-line read's record in the split table, or none
}

// completion is a read whose data arrives at DRAM cycle at.
type completion struct {
	at     uint64
	arrive uint64
	req    *sim.Request
	split  int32
}

// bankQueue is the controller's view of one bank: its queued requests and
// what it needs to count row hits, misses and conflicts.
type bankQueue struct {
	lists [2]list // queued reads, queued writes
	// hits counts column commands since the row was opened; the first one
	// is a miss or a conflict (conflict says which), the rest are hits.
	hits     uint32
	conflict bool
	// closedForConflict: the last close was a PRE made to open another row,
	// so the next ACT serves a conflict rather than a miss.
	closedForConflict bool
	cand              candidate // its next command (valid while its slot is)
	stats             bankCounters
}

// channel is one DRAM channel and its controller: queues, scheduler,
// refresh and the device state. It is a sim.Handler: it runs only at the
// DRAM cycles where something can happen.
type channel struct {
	ctl   *Controller
	id    int
	dv    device
	bq    []bankQueue
	slots []slot // per bank, the scheduler's packed view of bq[b].cand
	// stale marks banks whose slot must be recomputed; slotsWrite is the
	// mode the slots were computed for.
	stale      bitset
	slotsWrite bool
	scratch    bitset // computePlan's banks not held by a refresh
	p          pool
	// active[w] marks banks with queued reads (w=0) or writes (w=1).
	active  [2]bitset
	queued  [2]int // entries in the read and write queues
	limit   [2]int // their sizes
	ingress sim.Queue[arrival]
	// Reads come back in the order their RD issued, forwarded reads one
	// cycle after they arrive: two queues, each in time order.
	dataQ, fwdQ sim.Queue[completion]

	writeMode bool   // draining writes
	modeAt    uint64 // 1 + the cycle writeMode was last decided for
	version   uint64 // bumped by every change a plan depends on
	plan      plan
	seq       uint64
	nextAdmit uint64 // at most one admission per DRAM cycle
	accounted uint64 // queue occupancy integrated up to here
	wakeAt    uint64 // the pending wake-up event, or never

	refresh    []rankRefresh
	refreshing int    // ranks with a refresh pending
	nextDue    uint64 // the earliest due cycle of a refresh not yet pending

	// Policy, unpacked for the scheduler's inner loop.
	frfcfs     bool
	closedPage bool
	rowCap     uint32
}

// StateBytes is what New allocates for a configuration's channels (bank,
// group and rank state, queues, bitsets), for a machine to know before it
// builds one whether it fits the host. Validate bounds it (1024 banks and
// 2^17 queue entries a channel), but a machine adds it to the rest.
func (c Config) StateBytes() uint64 {
	g := c.Geometry
	banks := uint64(max(g.Ranks*g.Banks(), 0))
	perBank := uint64(unsafe.Sizeof(bankQueue{}) + unsafe.Sizeof(slot{}) + unsafe.Sizeof(bankState{}))
	perGroup := uint64(unsafe.Sizeof(groupState{}))
	perRank := uint64(unsafe.Sizeof(rankState{}) + unsafe.Sizeof(rankRefresh{}))
	queue := uint64(max(c.Policy.ReadQueue+c.Policy.WriteQueue, 0)) * uint64(unsafe.Sizeof(entry{})+4)
	bitsets := 4 * (banks/64 + 1) * 8 // active (two), stale and scratch
	perChannel := banks*perBank + bitsets + uint64(max(g.Ranks*g.BankGroups, 0))*perGroup + uint64(max(g.Ranks, 0))*perRank + queue
	hist := uint64(exactBins+(64-13)*subBins) * 8
	return uint64(max(g.Channels, 0))*perChannel + hist
}

func newChannel(ctl *Controller, id int) *channel {
	cfg := &ctl.cfg
	g := cfg.Geometry
	ch := &channel{
		ctl:    ctl,
		id:     id,
		dv:     newDevice(g, cfg.Timing),
		bq:     make([]bankQueue, g.Ranks*g.Banks()),
		slots:  make([]slot, g.Ranks*g.Banks()),
		p:      newPool(cfg.Policy.ReadQueue + cfg.Policy.WriteQueue),
		limit:  [2]int{cfg.Policy.ReadQueue, cfg.Policy.WriteQueue},
		wakeAt: never,
	}
	for i := range ch.bq {
		ch.bq[i].lists = [2]list{newList(), newList()}
	}
	ch.active = [2]bitset{newBitset(len(ch.bq)), newBitset(len(ch.bq))}
	ch.stale = newBitset(len(ch.bq))
	ch.scratch = newBitset(len(ch.bq))
	ch.staleAll()
	ch.refresh = newRefresh(cfg)
	ch.updateNextDue()
	ch.frfcfs = cfg.Policy.Scheduler == FRFCFS
	ch.closedPage = cfg.Policy.Page == ClosedPage
	ch.rowCap = uint32(cfg.Policy.RowHitCap)
	return ch
}

// Handle is the channel's wake-up: arg is the DRAM cycle it was armed for.
func (ch *channel) Handle(_ sim.Cycle, t uint64) {
	if t != ch.wakeAt {
		return // superseded by an earlier wake-up
	}
	for {
		ch.wakeAt = never
		ch.step(t)
		next := ch.nextWake(t + 1)
		if !ch.runsAhead(next) {
			ch.wakeUp(next)
			return
		}
		t = next
	}
}

// runsAhead: in a stand-alone run, where the controller is the engine's
// only client and tells requesters of data as soon as it is known, the
// channel's next wake-up can be handled at once when no other event comes
// before it: nothing can happen in between, so the cycles are the same and
// the engine round trip is saved.
func (ch *channel) runsAhead(next uint64) bool {
	return ch.ctl.standalone && next < ch.wakeAt &&
		uint64(ch.ctl.eng.Next()) > ch.ctl.ratio.Convert(next)
}

// step does everything due at DRAM cycle t: returns data, starts due
// refreshes, issues at most one command and admits at most one request.
func (ch *channel) step(t uint64) {
	ch.account(t)
	ch.complete(t)
	if ch.nextDue <= t {
		ch.catchUpRefresh(t)
		ch.markRefreshes(t)
	}
	ch.commitMode(t)
	if t >= ch.dv.nextCmd {
		if p := ch.planFor(t); p.at == t {
			ch.execute(p.cand, t)
		}
	}
	ch.admit(t)
}

// nextWake is the first cycle >= from at which something can happen, or
// never: with nothing to do the channel schedules nothing.
func (ch *channel) nextWake(from uint64) uint64 {
	next := min(ch.nextCompletion(), ch.nextAdmission(from))
	if ch.busy() {
		next = min(next, ch.planFor(from).at, ch.nextDue)
	}
	return next
}

func (ch *channel) wakeUp(t uint64) {
	if t == never || t >= ch.wakeAt {
		return
	}
	ch.wakeAt = t
	at := sim.Cycle(ch.ctl.ratio.Convert(t))
	ch.ctl.eng.Schedule(at, ch, t)
}

// busy: queued requests or a refresh in progress need the command bus.
// An idle channel schedules nothing, not even its refreshes: those are
// caught up when work arrives (catchUpRefresh).
func (ch *channel) busy() bool {
	return ch.queued[0]+ch.queued[1] > 0 || ch.refreshing > 0
}

// account integrates queue occupancy up to cycle t.
func (ch *channel) account(t uint64) {
	if t <= ch.accounted {
		return
	}
	dt := t - ch.accounted
	c := &ch.ctl.ctr
	c.readQueueSum += uint64(ch.queued[0]) * dt
	c.writeQueueSum += uint64(ch.queued[1]) * dt
	c.channelCycles += dt
	ch.accounted = t
}

// enqueue hands a line request to the channel; it enters the queues at
// DRAM cycle at or later.
func (ch *channel) enqueue(a arrival, now uint64) {
	// Keep the ingress in arrival order, equal cycles first-come first-
	// served; arrivals come almost always in order, so this stops at once.
	q := &ch.ingress
	q.Push(a)
	for i := q.Len() - 1; i > 0 && q.At(i-1).at > a.at; i-- {
		*q.At(i), *q.At(i - 1) = *q.At(i - 1), *q.At(i)
	}
	if ch.ingress.Len() == 1 || ch.ingress.Front().at == a.at {
		ch.wakeUp(max(ch.nextAdmission(now), now))
	}
}

// nextAdmission is when the ingress head may next try to enter, or never
// when it waits for room (a command freeing a slot wakes the channel).
func (ch *channel) nextAdmission(from uint64) uint64 {
	if ch.ingress.Len() == 0 {
		return never
	}
	h := ch.ingress.Front()
	t := max(h.at, ch.nextAdmit, from)
	if h.at <= from && !ch.canAccept(h) {
		return never
	}
	return t
}

// canAccept: the head has a queue slot, or needs none (a read the write
// queue answers, a write merged into a queued one).
func (ch *channel) canAccept(a *arrival) bool {
	w := b2i(a.write)
	if ch.queued[w] < ch.limit[w] {
		return true
	}
	return ch.p.find(&ch.bq[a.bank].lists[1], a.addr) != none
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// admit moves the ingress head into the queues at cycle t if it has
// arrived, the cycle has no admission yet and there is room.
func (ch *channel) admit(t uint64) {
	if ch.ingress.Len() == 0 || t < ch.nextAdmit {
		return
	}
	h := ch.ingress.Front()
	if h.at > t || !ch.canAccept(h) {
		return
	}
	a := ch.ingress.Pop()
	ch.nextAdmit = t + 1
	ch.ctl.ctr.ingressWait += t - a.at
	if a.write {
		ch.admitWrite(a, t)
	} else {
		ch.admitRead(a, t)
	}
	if ch.ctl.onAdmit != nil {
		ch.ctl.onAdmit(t)
	}
}

func (ch *channel) admitRead(a arrival, t uint64) {
	c := &ch.ctl.ctr
	c.reads++
	if b := ch.ctl.byIP; b != nil {
		b.Count(a.req.IP, ch.ctl.readEvent, 1)
	}
	if ch.p.find(&ch.bq[a.bank].lists[1], a.addr) != none {
		// Read forwarding: the newest data is in the write queue; the read
		// returns the next cycle without touching DRAM (as both references).
		c.forwarded++
		ch.returnRead(&ch.fwdQ, completion{at: t + 1, arrive: t, req: a.req, split: a.split})
		return
	}
	ch.insert(a, 0, t)
}

func (ch *channel) admitWrite(a arrival, t uint64) {
	c := &ch.ctl.ctr
	c.writes++
	if ch.p.find(&ch.bq[a.bank].lists[1], a.addr) != none {
		c.merged++ // a queued write to the line carries the newer data too
		return
	}
	ch.insert(a, 1, t)
}

func (ch *channel) insert(a arrival, w int, t uint64) {
	i := ch.p.alloc()
	ch.p.e[i] = entry{addr: a.addr, req: a.req, seq: ch.seq, arrive: t, bank: a.bank, row: a.row, split: a.split}
	ch.seq++
	l := &ch.bq[a.bank].lists[w]
	if l.head == none || ch.mayChangeCandidate(a) {
		ch.stale.set(a.bank)
		ch.version++
	}
	// Otherwise the plan stands: the bank's candidate and the set of
	// banks with work are as they were, and the mode, which the queue
	// lengths decide, is checked by planFor on every use.
	ch.p.pushBack(l, i)
	ch.active[w].set(a.bank)
	ch.queued[w]++
}

// mayChangeCandidate: a new request joining a bank's non-empty queue is
// the youngest, so it changes the bank's next command only by being a row
// hit (FR-FCFS serves hits first; closed page keeps a row open for it).
func (ch *channel) mayChangeCandidate(a arrival) bool {
	b := &ch.dv.banks[a.bank]
	return b.open && b.row == a.row && (ch.frfcfs || ch.closedPage)
}

// remove takes a served entry out of its bank's list.
func (ch *channel) remove(i int32, w int) {
	b := ch.p.e[i].bank
	l := &ch.bq[b].lists[w]
	ch.p.unlink(l, i)
	if l.head == none {
		ch.active[w].clear(b)
	}
	ch.queued[w]--
	ch.p.release(i)
	ch.stale.set(b)
	ch.version++
}

// returnRead queues a read's data for its cycle; or, when the controller
// tells requesters as soon as the cycle is known (the replay's requester
// only wants the cycle), answers at once with that future cycle.
func (ch *channel) returnRead(q *sim.Queue[completion], c completion) {
	if ch.ctl.standalone {
		ch.ctl.finishRead(c)
		return
	}
	q.Push(c)
}

func (ch *channel) nextCompletion() uint64 {
	t := uint64(never)
	if ch.dataQ.Len() > 0 {
		t = ch.dataQ.Front().at
	}
	if ch.fwdQ.Len() > 0 {
		t = min(t, ch.fwdQ.Front().at)
	}
	return t
}

// complete returns every read whose data is in by cycle t, oldest first.
func (ch *channel) complete(t uint64) {
	for {
		q := &ch.dataQ
		if ch.fwdQ.Len() > 0 && (q.Len() == 0 || ch.fwdQ.Front().at < q.Front().at) {
			q = &ch.fwdQ
		}
		if q.Len() == 0 || q.Front().at > t {
			return
		}
		ch.ctl.finishRead(q.Pop())
	}
}
