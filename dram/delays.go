package dram

// delays are the command-to-command minimums the controller enforces, in
// DRAM cycles, derived once from a Timing. Each says which JEDEC rule it is.
// AL (additive latency) is 0 throughout, so RL = CL and WL = CWL.
type delays struct {
	burst   uint64 // BL/2: clocks a burst holds the data bus (double data rate)
	readLat uint64 // RD to last data beat: CL + BL/2 (when the read is done)

	// Same bank.
	actToAct uint64 // tRC
	actToCol uint64 // tRCD
	actToPre uint64 // tRAS
	preToAct uint64 // tRP
	rdToPre  uint64 // tRTP (JESD79-4: READ to PRECHARGE = AL + tRTP)
	wrToPre  uint64 // CWL + BL/2 + tWR (JESD79-4: WRITE to PRECHARGE = WL + BL/2 + tWR, recovery counts from the end of the data)

	// Same bank group (the _L timings).
	rdToRdL uint64 // tCCD_L
	wrToWrL uint64 // tCCD_L
	wrToRdL uint64 // CWL + BL/2 + tWTR_L (JESD79-4: WRITE to READ = WL + BL/2 + tWTR, from the end of the write data)
	actToAL uint64 // tRRD_L

	// Same rank, any bank group (the _S timings and rank-wide rules).
	rdToRdS  uint64 // tCCD_S
	wrToWrS  uint64 // tCCD_S
	wrToRdS  uint64 // CWL + BL/2 + tWTR_S
	rdToWr   uint64 // CL + BL/2 + 2 - CWL (JESD79-4: READ to WRITE = RL + BL/2 - WL + 2tCK with 1tCK preambles)
	actToAS  uint64 // tRRD_S
	faw      uint64 // tFAW: a fifth ACTIVATE waits for the first of the last four plus tFAW
	refToAct uint64 // tRFC: REFRESH to ACTIVATE or REFRESH, same rank
	preToRef uint64 // tRP: every bank precharged at least tRP before REFRESH
	sbToAct  uint64 // tRFCsb: same-bank REFRESH to ACTIVATE of those banks (JESD79-5 REFsb)

	// Different ranks of the channel: the data bus changes hands with a
	// tRTRS gap between bursts.
	rdToRdO uint64 // BL/2 + tRTRS
	wrToWrO uint64 // BL/2 + tRTRS
	rdToWrO uint64 // CL + BL/2 + tRTRS - CWL
	wrToRdO uint64 // CWL + BL/2 + tRTRS - CL (at least 1)
}

func newDelays(t Timing, burstLength int) delays {
	burst := uint64(burstLength / 2)
	u := func(v int) uint64 { return uint64(v) }
	atLeast1 := func(v int) uint64 {
		if v < 1 {
			return 1
		}
		return uint64(v)
	}
	b := int(burst)
	return delays{
		burst:   burst,
		readLat: u(t.CL) + burst,

		actToAct: u(t.RC),
		actToCol: u(t.RCD),
		actToPre: u(t.RAS),
		preToAct: u(t.RP),
		rdToPre:  u(t.RTP),
		wrToPre:  u(t.CWL) + burst + u(t.WR),

		rdToRdL: u(max(t.CCDL, b)),
		wrToWrL: u(max(t.CCDL, b)),
		wrToRdL: u(t.CWL) + burst + u(t.WTRL),
		actToAL: u(t.RRDL),

		rdToRdS:  u(max(t.CCDS, b)),
		wrToWrS:  u(max(t.CCDS, b)),
		wrToRdS:  u(t.CWL) + burst + u(t.WTRS),
		rdToWr:   atLeast1(t.CL + b + 2 - t.CWL),
		actToAS:  u(t.RRDS),
		faw:      u(t.FAW),
		refToAct: u(t.RFC),
		preToRef: u(t.RP),
		sbToAct:  u(t.RFCsb),

		rdToRdO: burst + u(t.RTRS),
		wrToWrO: burst + u(t.RTRS),
		rdToWrO: atLeast1(t.CL + b + t.RTRS - t.CWL),
		wrToRdO: atLeast1(t.CWL + b + t.RTRS - t.CL),
	}
}
