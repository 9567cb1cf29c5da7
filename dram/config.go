package dram

// Protocol names the DRAM standard a device follows. It decides which
// commands exist (DDR5 has same-bank refresh, DDR4 does not).
type Protocol string

const (
	DDR4 Protocol = "DDR4" // JEDEC JESD79-4
	DDR5 Protocol = "DDR5" // JEDEC JESD79-5
)

// SchedulerKind picks the order in which queued requests get the command bus.
type SchedulerKind string

const (
	// FRFCFS serves ready row hits first, then the oldest ready request
	// (Rixner et al., ISCA 2000). Within a bank the oldest row hit goes first.
	FRFCFS SchedulerKind = "frfcfs"
	// FCFS serves each bank's requests in arrival order and, among banks
	// whose next command is ready, the oldest request first.
	FCFS SchedulerKind = "fcfs"
)

// PagePolicy says when a row is closed.
type PagePolicy string

const (
	// OpenPage leaves a row open after an access, betting on a row hit; it
	// is closed when another row of the bank is wanted (or for refresh).
	OpenPage PagePolicy = "open"
	// ClosedPage closes the row with the access that serves the last queued
	// request to it (RDA/WRA: read or write with auto-precharge).
	ClosedPage PagePolicy = "closed"
)

// RefreshPolicy says how rows are refreshed.
type RefreshPolicy string

const (
	// AllBankRefresh issues REF (REFab on DDR5) to a whole rank every tREFI,
	// after precharging its open banks; the rank is busy for tRFC.
	AllBankRefresh RefreshPolicy = "all-bank"
	// PerBankRefresh is DDR5 same-bank refresh (REFsb): every tREFI/banks
	// per group, bank b of every bank group is refreshed for tRFCsb while
	// the other banks keep working.
	PerBankRefresh RefreshPolicy = "per-bank"
	// NoRefresh turns refresh off (a timing experiment, not a real part).
	NoRefresh RefreshPolicy = "none"
)

// Config describes a memory system: the devices, their timing and the
// controller's policies. It is plain data; Validate checks it and New
// refuses a Config that does not validate.
type Config struct {
	Name     string   // preset name, for reports only
	Protocol Protocol // DDR4 or DDR5
	// ClockHz is the DRAM command clock in Hz: half the transfer rate
	// (DDR4-2400 transfers 2400 MT/s on a 1200 MHz clock). tCK = 1/ClockHz.
	ClockHz  uint64
	Geometry Geometry
	Timing   Timing
	Policy   Policy
}

// Geometry is the organisation of the memory. Counts must be powers of two
// so that an address splits into bit fields.
type Geometry struct {
	Channels      int // independent channels, each with its own controller queues and buses (a DDR5 DIMM has two 32-bit subchannels)
	Ranks         int // ranks per channel
	BankGroups    int // bank groups per rank
	BanksPerGroup int // banks per bank group
	Rows          int // rows per bank
	Columns       int // columns per row; one column is DeviceWidth bits of each device
	DeviceWidth   int // data bits per device: 4, 8 or 16 (x4, x8, x16)
	BusWidth      int // data bits per channel (64 for a DDR4 DIMM, 32 for a DDR5 subchannel)
	BurstLength   int // beats per column access: 8 (DDR4 BL8), 16 (DDR5 BL16)
}

// Timing is the JEDEC timing set, every value in DRAM clock cycles (tCK).
// Names follow JESD79-4/JESD79-5; derived command-to-command delays are in
// delays.go, each with the JEDEC relation it comes from.
type Timing struct {
	CL    int // CAS latency: READ command to first data beat
	CWL   int // CAS write latency: WRITE command to first data beat
	RCD   int // tRCD: ACTIVATE to READ/WRITE, same bank
	RP    int // tRP: PRECHARGE to ACTIVATE (or REFRESH), same bank
	RAS   int // tRAS: ACTIVATE to PRECHARGE, same bank
	RC    int // tRC: ACTIVATE to ACTIVATE, same bank (>= tRAS + tRP)
	CCDS  int // tCCD_S: column command to column command, different bank group
	CCDL  int // tCCD_L: column command to column command, same bank group
	RRDS  int // tRRD_S: ACTIVATE to ACTIVATE, different bank group
	RRDL  int // tRRD_L: ACTIVATE to ACTIVATE, same bank group
	FAW   int // tFAW: window in which at most four ACTIVATEs may issue to a rank
	WR    int // tWR: write recovery, end of write data to PRECHARGE
	WTRS  int // tWTR_S: end of write data to READ, different bank group
	WTRL  int // tWTR_L: end of write data to READ, same bank group
	RTP   int // tRTP: READ to PRECHARGE
	RTRS  int // tRTRS: rank-to-rank switch, extra bus cycles between data bursts of different ranks
	RFC   int // tRFC (tRFC1, tRFCab): REFRESH to ACTIVATE, all banks of the rank
	RFCsb int // tRFCsb: same-bank REFRESH to ACTIVATE of the refreshed banks (DDR5 only; 0 if none)
	REFI  int // tREFI: average interval between REFRESH commands
}

// Policy is how the controller runs: its queues, scheduler, page policy,
// refresh and address mapping.
type Policy struct {
	ReadQueue  int // read queue entries per channel
	WriteQueue int // write queue entries per channel
	// DrainHigh and DrainLow are the write-drain watermarks, in entries:
	// the controller switches to writes when the write queue holds at least
	// DrainHigh (or when no read waits) and back to reads when it holds
	// DrainLow or fewer and a read waits.
	DrainHigh int
	DrainLow  int
	Scheduler SchedulerKind
	// RowHitCap bounds FR-FCFS: after this many column commands to one open
	// row, a waiting older request to another row of the bank gets its turn.
	// 0 means no cap.
	RowHitCap int
	Page      PagePolicy
	Refresh   RefreshPolicy
	// Mapping splits a physical address into channel, rank, bank group,
	// bank, row and column: a name (RoBaRaCoCh, ChRaBaRoCo, RoBaRaCoCh-xor)
	// or a bit-field string (see ParseMapping).
	Mapping string
	// PerBankStats registers counters for every bank as well as the totals.
	PerBankStats bool
}

// LineBytes is the bytes one column access moves: the request size.
func (g Geometry) LineBytes() int { return g.BusWidth / 8 * g.BurstLength }

// Banks is the number of banks in one rank.
func (g Geometry) Banks() int { return g.BankGroups * g.BanksPerGroup }

// Capacity is the bytes the whole memory holds.
func (g Geometry) Capacity() uint64 {
	perRank := uint64(g.Banks()) * uint64(g.Rows) * uint64(g.Columns) * uint64(g.BusWidth/8)
	return uint64(g.Channels) * uint64(g.Ranks) * perRank
}

// TCKNanos is the DRAM clock period in nanoseconds.
func (c Config) TCKNanos() float64 { return 1e9 / float64(c.ClockHz) }
