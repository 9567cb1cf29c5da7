package dram

// cmdKind is a DRAM command.
type cmdKind uint8

const (
	cmdACT   cmdKind = iota // ACTIVATE: open a row
	cmdPRE                  // PRECHARGE: close a bank's row
	cmdRD                   // READ
	cmdWR                   // WRITE
	cmdRDA                  // READ with auto-precharge
	cmdWRA                  // WRITE with auto-precharge
	cmdREF                  // all-bank REFRESH of a rank (REFab on DDR5)
	cmdREFsb                // DDR5 same-bank REFRESH: bank b of every bank group
	numCmds
)

var cmdNames = [numCmds]string{"ACT", "PRE", "RD", "WR", "RDA", "WRA", "REF", "REFsb"}

func (k cmdKind) String() string { return cmdNames[k] }

func (k cmdKind) isColumn() bool { return k >= cmdRD && k <= cmdWRA }
func (k cmdKind) isRead() bool   { return k == cmdRD || k == cmdRDA }
func (k cmdKind) isWrite() bool  { return k == cmdWR || k == cmdWRA }

// command is one DRAM command. bank is the channel-wide bank index
// (rank-major, then bank group, then bank); a REF names any bank of its
// rank, a REFsb any bank with the bank number it refreshes.
type command struct {
	kind cmdKind
	bank int32
	row  int32 // the row an ACT opens
}

// Gates: the earliest cycle at which a class of command may next issue.
const (
	gateACT = iota
	gatePRE
	gateRD
	gateWR
	gateREF // rank only: REFRESH (and same-bank REFRESH)
	numGates
)

type bankState struct {
	next  [numGates]uint64
	open  bool
	row   int32
	group int32 // channel-wide bank group index
	rank  int32
}

type groupState struct{ next [numGates]uint64 }

type rankState struct {
	next [numGates]uint64
	// tFAW: the cycles of the last four ACTIVATEs, a ring; fawN counts up
	// to four and fawI is the oldest once full.
	faw        [4]uint64
	fawN, fawI int
}

// device is the state of one channel's DRAM: which rows are open and, for
// every bank, bank group and rank, the earliest cycle each command class
// may issue under the JEDEC rules. It knows nothing of requests.
type device struct {
	d             delays
	banksPerRank  int
	groupsPerRank int
	banksPerGroup int
	banks         []bankState
	groups        []groupState
	ranks         []rankState
	// nextCmd is the first free slot on the command bus: one command per
	// DRAM cycle per channel.
	nextCmd uint64
}

func newDevice(g Geometry, t Timing) device {
	dv := device{
		d:             newDelays(t, g.BurstLength),
		banksPerRank:  g.Banks(),
		groupsPerRank: g.BankGroups,
		banksPerGroup: g.BanksPerGroup,
		banks:         make([]bankState, g.Ranks*g.Banks()),
		groups:        make([]groupState, g.Ranks*g.BankGroups),
		ranks:         make([]rankState, g.Ranks),
	}
	for i := range dv.banks {
		dv.banks[i].group = int32(i / g.BanksPerGroup)
		dv.banks[i].rank = int32(i / g.Banks())
	}
	return dv
}

func (dv *device) rankOf(b int32) int  { return int(dv.banks[b].rank) }
func (dv *device) groupOf(b int32) int { return int(dv.banks[b].group) }

// earliest is the first cycle at which c may issue by the timing rules and
// the command bus. It does not check that c makes sense in the bank's state
// (see legal).
func (dv *device) earliest(c command) uint64 { return dv.earliestAt(c.kind, c.bank) }

func (dv *device) earliestAt(kind cmdKind, bank int32) uint64 {
	b := &dv.banks[bank]
	g := &dv.groups[b.group]
	r := &dv.ranks[b.rank]
	t := dv.nextCmd
	switch kind {
	case cmdACT:
		t = max(t, b.next[gateACT], g.next[gateACT], r.next[gateACT]) // the rank gate includes tFAW
	case cmdPRE:
		t = max(t, b.next[gatePRE])
	case cmdRD, cmdRDA:
		t = max(t, b.next[gateRD], g.next[gateRD], r.next[gateRD])
	case cmdWR, cmdWRA:
		t = max(t, b.next[gateWR], g.next[gateWR], r.next[gateWR])
	case cmdREF:
		t = max(t, r.next[gateREF])
	case cmdREFsb:
		t = max(t, r.next[gateREF])
		dv.eachSameBank(bank, func(sb *bankState) { t = max(t, sb.next[gateACT]) })
	}
	return t
}

// gateOf is the gate a command class waits on.
func gateOf(k cmdKind) int {
	switch k {
	case cmdACT:
		return gateACT
	case cmdPRE:
		return gatePRE
	case cmdRD, cmdRDA:
		return gateRD
	case cmdWR, cmdWRA:
		return gateWR
	}
	return gateREF
}

// legal reports whether c fits the banks' state: ACT to a closed bank,
// PRE to an open one, a column command to the open row, a refresh to
// precharged banks.
func (dv *device) legal(c command) bool {
	b := &dv.banks[c.bank]
	switch c.kind {
	case cmdACT:
		return !b.open
	case cmdPRE:
		return b.open
	case cmdREF:
		first := dv.rankOf(c.bank) * dv.banksPerRank
		for i := range dv.banksPerRank {
			if dv.banks[first+i].open {
				return false
			}
		}
		return true
	case cmdREFsb:
		ok := true
		dv.eachSameBank(c.bank, func(sb *bankState) { ok = ok && !sb.open })
		return ok
	}
	return b.open && b.row == c.row
}

// eachSameBank calls f for the bank with b's bank number in every bank group
// of b's rank: the banks a DDR5 same-bank refresh covers.
func (dv *device) eachSameBank(b int32, f func(*bankState)) {
	r := dv.rankOf(b)
	num := int(b) % dv.banksPerGroup
	for g := range dv.groupsPerRank {
		f(&dv.banks[r*dv.banksPerRank+g*dv.banksPerGroup+num])
	}
}

func push(gate *uint64, t uint64) {
	if t > *gate {
		*gate = t
	}
}

// issue records c issued at cycle t: the bank's state changes and every
// command it constrains gets a later earliest cycle.
func (dv *device) issue(c command, t uint64) {
	dv.nextCmd = t + 1
	switch c.kind {
	case cmdACT:
		dv.issueACT(c, t)
	case cmdPRE:
		dv.closeBank(c.bank, t)
	case cmdRD, cmdRDA:
		dv.issueRead(c, t)
	case cmdWR, cmdWRA:
		dv.issueWrite(c, t)
	case cmdREF:
		dv.issueREF(c, t)
	case cmdREFsb:
		dv.issueREFsb(c, t)
	}
}

func (dv *device) issueACT(c command, t uint64) {
	d := &dv.d
	b := &dv.banks[c.bank]
	b.open, b.row = true, c.row
	push(&b.next[gateACT], t+d.actToAct)                            // tRC
	push(&b.next[gateRD], t+d.actToCol)                             // tRCD
	push(&b.next[gateWR], t+d.actToCol)                             // tRCD
	push(&b.next[gatePRE], t+d.actToPre)                            // tRAS
	push(&dv.groups[dv.groupOf(c.bank)].next[gateACT], t+d.actToAL) // tRRD_L
	r := &dv.ranks[dv.rankOf(c.bank)]
	push(&r.next[gateACT], t+d.actToAS) // tRRD_S
	// tFAW: at most four ACTIVATEs in any tFAW window, so with this one
	// the next must wait for the oldest of the last four plus tFAW.
	if r.fawN < 4 {
		r.faw[(r.fawI+r.fawN)%4] = t
		r.fawN++
	} else {
		r.faw[r.fawI] = t
		r.fawI = (r.fawI + 1) % 4
	}
	if r.fawN == 4 {
		push(&r.next[gateACT], r.faw[r.fawI]+d.faw)
	}
}

// closeBank precharges b at cycle t (an explicit PRE, or the internal
// precharge of RDA/WRA): ACTIVATE and REFRESH wait tRP.
func (dv *device) closeBank(bank int32, t uint64) {
	b := &dv.banks[bank]
	b.open = false
	push(&b.next[gateACT], t+dv.d.preToAct)                         // tRP
	push(&dv.ranks[dv.rankOf(bank)].next[gateREF], t+dv.d.preToRef) // tRP before REFRESH
}

func (dv *device) issueRead(c command, t uint64) {
	d := &dv.d
	b := &dv.banks[c.bank]
	g := &dv.groups[dv.groupOf(c.bank)]
	r := dv.rankOf(c.bank)
	push(&b.next[gatePRE], t+d.rdToPre)          // tRTP
	push(&g.next[gateRD], t+d.rdToRdL)           // tCCD_L
	push(&dv.ranks[r].next[gateRD], t+d.rdToRdS) // tCCD_S
	push(&dv.ranks[r].next[gateWR], t+d.rdToWr)  // read-to-write turnaround
	for o := range dv.ranks {
		if o != r { // the data bus passes to another rank: tRTRS
			push(&dv.ranks[o].next[gateRD], t+d.rdToRdO)
			push(&dv.ranks[o].next[gateWR], t+d.rdToWrO)
		}
	}
	if c.kind == cmdRDA {
		// Auto-precharge starts once tRTP has passed and tRAS is met
		// (JESD79-4: RDA to ACT = AL + tRTP + tRP, tRAS lockout).
		dv.closeBank(c.bank, max(t+d.rdToPre, b.next[gatePRE]))
	}
}

func (dv *device) issueWrite(c command, t uint64) {
	d := &dv.d
	b := &dv.banks[c.bank]
	g := &dv.groups[dv.groupOf(c.bank)]
	r := dv.rankOf(c.bank)
	push(&b.next[gatePRE], t+d.wrToPre)          // write recovery tWR
	push(&g.next[gateWR], t+d.wrToWrL)           // tCCD_L
	push(&g.next[gateRD], t+d.wrToRdL)           // tWTR_L
	push(&dv.ranks[r].next[gateWR], t+d.wrToWrS) // tCCD_S
	push(&dv.ranks[r].next[gateRD], t+d.wrToRdS) // tWTR_S
	for o := range dv.ranks {
		if o != r {
			push(&dv.ranks[o].next[gateWR], t+d.wrToWrO)
			push(&dv.ranks[o].next[gateRD], t+d.wrToRdO)
		}
	}
	if c.kind == cmdWRA {
		// JESD79-4: WRA to ACT = WL + BL/2 + tWR + tRP, tRAS lockout.
		dv.closeBank(c.bank, max(t+d.wrToPre, b.next[gatePRE]))
	}
}

// issueREF: the rank refreshes for tRFC; nothing may activate or refresh
// it again before then.
func (dv *device) issueREF(c command, t uint64) {
	r := &dv.ranks[dv.rankOf(c.bank)]
	push(&r.next[gateACT], t+dv.d.refToAct) // tRFC
	push(&r.next[gateREF], t+dv.d.refToAct) // tRFC
}

// issueREFsb: the banks with c's bank number are busy for tRFCsb. Same-bank
// refreshes of one rank are kept tRFCsb apart (a simplification of DDR5's
// tREFSBRD rules), and an all-bank refresh waits for them too.
func (dv *device) issueREFsb(c command, t uint64) {
	end := t + dv.d.sbToAct
	dv.eachSameBank(c.bank, func(sb *bankState) { push(&sb.next[gateACT], end) })
	push(&dv.ranks[dv.rankOf(c.bank)].next[gateREF], end)
}
