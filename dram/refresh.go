package dram

// rankRefresh is the refresh schedule of one rank.
type rankRefresh struct {
	due     uint64 // the cycle the next refresh falls due
	pending bool   // due and not yet issued: the rank (or, per-bank, the banks) take no other commands
	sbNext  int32  // per-bank refresh: the bank number refreshed next
}

// refreshInterval is the cycles between refreshes of one rank: tREFI for
// all-bank refresh; for DDR5 same-bank refresh every bank number in turn
// within tREFI, so tREFI / banks per group.
func refreshInterval(cfg *Config) uint64 {
	switch cfg.Policy.Refresh {
	case AllBankRefresh:
		return uint64(cfg.Timing.REFI)
	case PerBankRefresh:
		return uint64(cfg.Timing.REFI / cfg.Geometry.BanksPerGroup)
	}
	return never
}

// newRefresh staggers the ranks as DRAMsim3's RANK_LEVEL_STAGGERED does:
// rank r first falls due at (r+1) x interval/ranks, then every interval.
func newRefresh(cfg *Config) []rankRefresh {
	n := cfg.Geometry.Ranks
	out := make([]rankRefresh, n)
	iv := refreshInterval(cfg)
	for r := range out {
		out[r].due = never
		if iv != never {
			out[r].due = iv / uint64(n) * uint64(r+1)
		}
	}
	return out
}

// markRefreshes makes refreshes due by cycle t pending.
func (ch *channel) markRefreshes(t uint64) {
	for r := range ch.refresh {
		rr := &ch.refresh[r]
		if !rr.pending && rr.due <= t {
			rr.pending = true
			ch.refreshing++
			ch.version++
		}
	}
	ch.updateNextDue()
}

// updateNextDue recomputes the earliest cycle a refresh not yet pending
// falls due; every change to the schedule calls it.
func (ch *channel) updateNextDue() {
	t := uint64(never)
	for r := range ch.refresh {
		if !ch.refresh[r].pending {
			t = min(t, ch.refresh[r].due)
		}
	}
	ch.nextDue = t
}

// blocked: bank b is being readied for a pending refresh and takes no
// request commands (DRAMsim3 and Ramulator 2 both hold the rank so).
func (ch *channel) blocked(b int32) bool {
	rr := &ch.refresh[ch.dv.rankOf(b)]
	if !rr.pending {
		return false
	}
	return ch.ctl.cfg.Policy.Refresh == AllBankRefresh || b%int32(ch.dv.banksPerGroup) == rr.sbNext
}

// refreshCommand is the next command of rank r's pending refresh and the
// first cycle >= from it may issue: a PRE for an open bank it covers (the
// lowest-numbered one ready, else the one ready first), then the REF.
func (ch *channel) refreshCommand(r int, from uint64) (candidate, uint64) {
	rr := &ch.refresh[r]
	lo := max(from, rr.due)
	first := int32(r * ch.dv.banksPerRank)
	step, count := int32(1), ch.dv.banksPerRank
	kind := cmdREF
	if ch.ctl.cfg.Policy.Refresh == PerBankRefresh {
		first += rr.sbNext
		step, count = int32(ch.dv.banksPerGroup), ch.dv.groupsPerRank
		kind = cmdREFsb
	}
	best, bestAt := candidate{}, uint64(never)
	for i := range int32(count) {
		b := first + i*step
		if !ch.dv.banks[b].open {
			continue
		}
		if at := max(ch.dv.earliest(command{kind: cmdPRE, bank: b}), lo); at < bestAt {
			best, bestAt = candidate{kind: cmdPRE, bank: b, entry: none, refresh: true}, at
		}
	}
	if bestAt != never {
		return best, bestAt
	}
	c := candidate{kind: kind, bank: first, entry: none, refresh: true}
	return c, max(ch.dv.earliest(command{kind: kind, bank: first}), lo)
}

// refreshDone records rank r's refresh as issued.
func (ch *channel) refreshDone(r int) {
	rr := &ch.refresh[r]
	rr.pending = false
	ch.refreshing--
	rr.due += refreshInterval(&ch.ctl.cfg)
	if ch.ctl.cfg.Policy.Refresh == PerBankRefresh {
		rr.sbNext = (rr.sbNext + 1) % int32(ch.dv.banksPerGroup)
	}
	ch.updateNextDue()
}

// catchUpRefresh issues, at the cycles they would have issued, the
// refreshes that fell due before cycle t while the channel was idle (an
// idle channel schedules no events). Refreshes that leave no trace (all
// banks closed, and a later refresh of the same banks follows before t) are
// only counted, so an idle stretch costs the same however long it is.
func (ch *channel) catchUpRefresh(t uint64) {
	for {
		r := -1
		for i := range ch.refresh {
			rr := &ch.refresh[i]
			if !rr.pending && rr.due < t && (r < 0 || rr.due < ch.refresh[r].due) {
				r = i
			}
		}
		if r < 0 {
			return
		}
		if ch.skipRefreshes(r, t) {
			continue
		}
		rr := &ch.refresh[r]
		rr.pending = true
		ch.refreshing++
		ch.version++
		ch.updateNextDue()
		for rr.pending {
			c, at := ch.refreshCommand(r, 0)
			if at >= t {
				break // the rest happens from t on, as usual
			}
			ch.execute(c, at)
		}
	}
}

// skipRefreshes counts, without simulating, the refreshes of rank r due
// before t except the last round (one per bank set), when the rank is idle
// and every one of them would issue right at its due cycle.
func (ch *channel) skipRefreshes(r int, t uint64) bool {
	rr := &ch.refresh[r]
	iv := refreshInterval(&ch.ctl.cfg)
	n := (t-1-rr.due)/iv + 1 // refreshes due before t
	round := uint64(1)
	if ch.ctl.cfg.Policy.Refresh == PerBankRefresh {
		round = uint64(ch.dv.banksPerGroup)
	}
	if n <= round || !ch.rankQuiet(r, rr.due) {
		return false
	}
	skip := n - round
	rr.due += skip * iv
	ch.ctl.ctr.ref += skip
	rr.sbNext = int32((uint64(rr.sbNext) + skip) % uint64(ch.dv.banksPerGroup))
	ch.updateNextDue()
	return true
}

// rankQuiet: every bank of rank r is closed and could be refreshed at
// cycle t, so each refresh from t on issues exactly when due.
func (ch *channel) rankQuiet(r int, t uint64) bool {
	if ch.dv.nextCmd > t || ch.dv.ranks[r].next[gateREF] > t {
		return false
	}
	first := r * ch.dv.banksPerRank
	for i := range ch.dv.banksPerRank {
		b := &ch.dv.banks[first+i]
		if b.open || b.next[gateACT] > t {
			return false
		}
	}
	return true
}
