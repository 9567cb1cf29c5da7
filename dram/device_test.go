package dram

import "testing"

// Each case issues commands at given cycles on a fresh device and asserts
// the earliest cycle the query command may issue: one JEDEC constraint
// (DDR4-2400 16-16-16 unless noted) at a time.
func TestTimingConstraints(t *testing.T) {
	type issued struct {
		at  uint64
		cmd command
	}
	const bg0, bg1 = 0, 4 // bank 0 of bank groups 0 and 1 (4 banks per group)
	const rank1 = 16      // bank 0 of rank 1 (16 banks per rank)
	tests := []struct {
		name  string
		ranks int
		prior []issued
		query command
		want  uint64
	}{
		{"tRCD: ACT to RD", 1, []issued{{0, command{cmdACT, 0, 1}}}, command{cmdRD, 0, 1}, 16},
		{"tRCD: ACT to WR", 1, []issued{{0, command{cmdACT, 0, 1}}}, command{cmdWR, 0, 1}, 16},
		{"tRAS: ACT to PRE", 1, []issued{{0, command{cmdACT, 0, 1}}}, command{cmdPRE, 0, 0}, 39},
		{"tRC: ACT to ACT, same bank", 1, []issued{{0, command{cmdACT, 0, 1}}}, command{cmdACT, 0, 2}, 55},
		{"tRP: PRE to ACT", 1, []issued{{0, command{cmdACT, 0, 1}}, {100, command{cmdPRE, 0, 0}}}, command{cmdACT, 0, 2}, 116},
		{"tRTP: RD to PRE", 1, []issued{{0, command{cmdACT, 0, 1}}, {100, command{cmdRD, 0, 1}}}, command{cmdPRE, 0, 0}, 109},
		{"tWR: WR to PRE = CWL + BL/2 + tWR", 1, []issued{{0, command{cmdACT, 0, 1}}, {100, command{cmdWR, 0, 1}}}, command{cmdPRE, 0, 0}, 134},
		{"tCCD_L: RD to RD, same bank group", 1, []issued{{100, command{cmdRD, 0, 1}}}, command{cmdRD, 1, 1}, 106},
		{"tCCD_S: RD to RD, other bank group", 1, []issued{{100, command{cmdRD, 0, 1}}}, command{cmdRD, bg1, 1}, 104},
		{"tCCD_L: WR to WR, same bank group", 1, []issued{{100, command{cmdWR, 0, 1}}}, command{cmdWR, 1, 1}, 106},
		{"tCCD_S: WR to WR, other bank group", 1, []issued{{100, command{cmdWR, 0, 1}}}, command{cmdWR, bg1, 1}, 104},
		{"tWTR_L: WR to RD = CWL + BL/2 + tWTR_L", 1, []issued{{100, command{cmdWR, 0, 1}}}, command{cmdRD, 1, 1}, 125},
		{"tWTR_S: WR to RD = CWL + BL/2 + tWTR_S", 1, []issued{{100, command{cmdWR, 0, 1}}}, command{cmdRD, bg1, 1}, 119},
		{"RD to WR = CL + BL/2 + 2 - CWL, same group", 1, []issued{{100, command{cmdRD, 0, 1}}}, command{cmdWR, 1, 1}, 110},
		{"RD to WR = CL + BL/2 + 2 - CWL, other group", 1, []issued{{100, command{cmdRD, 0, 1}}}, command{cmdWR, bg1, 1}, 110},
		{"tRRD_L: ACT to ACT, same bank group", 1, []issued{{0, command{cmdACT, 0, 1}}}, command{cmdACT, 1, 1}, 6},
		{"tRRD_S: ACT to ACT, other bank group", 1, []issued{{0, command{cmdACT, 0, 1}}}, command{cmdACT, bg1, 1}, 4},
		{"tFAW: fifth ACT", 1, []issued{
			{0, command{cmdACT, 0, 1}}, {4, command{cmdACT, 4, 1}}, {8, command{cmdACT, 8, 1}}, {12, command{cmdACT, 12, 1}},
		}, command{cmdACT, 1, 1}, 26},
		{"tFAW slides with the oldest ACT", 1, []issued{
			{0, command{cmdACT, 0, 1}}, {4, command{cmdACT, 4, 1}}, {8, command{cmdACT, 8, 1}}, {12, command{cmdACT, 12, 1}}, {26, command{cmdACT, 1, 1}},
		}, command{cmdACT, 5, 1}, 30},
		{"tRFC: REF to ACT", 1, []issued{{100, command{cmdREF, 0, 0}}}, command{cmdACT, 7, 1}, 520},
		{"tRFC: REF to REF", 1, []issued{{100, command{cmdREF, 0, 0}}}, command{cmdREF, 0, 0}, 520},
		{"tRP: PRE to REF", 1, []issued{{0, command{cmdACT, 3, 1}}, {100, command{cmdPRE, 3, 0}}}, command{cmdREF, 0, 0}, 116},
		{"RDA to ACT = tRTP + tRP", 1, []issued{{0, command{cmdACT, 0, 1}}, {100, command{cmdRDA, 0, 1}}}, command{cmdACT, 0, 2}, 125},
		{"RDA waits out tRAS before precharging", 1, []issued{{0, command{cmdACT, 0, 1}}, {16, command{cmdRDA, 0, 1}}}, command{cmdACT, 0, 2}, 55},
		{"WRA to ACT = CWL + BL/2 + tWR + tRP", 1, []issued{{0, command{cmdACT, 0, 1}}, {100, command{cmdWRA, 0, 1}}}, command{cmdACT, 0, 2}, 150},
		{"tRTRS: RD to RD, other rank = BL/2 + tRTRS", 2, []issued{{100, command{cmdRD, 0, 1}}}, command{cmdRD, rank1, 1}, 105},
		{"tRTRS: RD to WR, other rank = CL + BL/2 + tRTRS - CWL", 2, []issued{{100, command{cmdRD, 0, 1}}}, command{cmdWR, rank1, 1}, 109},
		{"tRTRS: WR to RD, other rank = CWL + BL/2 + tRTRS - CL", 2, []issued{{100, command{cmdWR, 0, 1}}}, command{cmdRD, rank1, 1}, 101},
		{"tRTRS: WR to WR, other rank = BL/2 + tRTRS", 2, []issued{{100, command{cmdWR, 0, 1}}}, command{cmdWR, rank1, 1}, 105},
		{"other rank: ACT not held by tRRD", 2, []issued{{100, command{cmdACT, 0, 1}}}, command{cmdACT, rank1, 1}, 101},
		{"one command per cycle", 1, []issued{{100, command{cmdACT, 0, 1}}}, command{cmdACT, 15, 1}, 104},
		{"command bus alone", 1, []issued{{100, command{cmdPRE, 3, 0}}}, command{cmdACT, 9, 1}, 101},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := preset(t, "ddr4-2400")
			c.Geometry.Ranks = tc.ranks
			dv := newDevice(c.Geometry, c.Timing)
			for _, p := range tc.prior {
				if e := dv.earliest(p.cmd); e > p.at {
					t.Fatalf("setup: %v to bank %d at %d, but its earliest is %d", p.cmd.kind, p.cmd.bank, p.at, e)
				}
				dv.issue(p.cmd, p.at)
			}
			if got := dv.earliest(tc.query); got != tc.want {
				t.Errorf("earliest %v = %d, want %d", tc.query.kind, got, tc.want)
			}
		})
	}
}

// DDR5 same-bank refresh holds bank b of every bank group for tRFCsb and
// leaves the other banks alone.
func TestTimingSameBankRefresh(t *testing.T) {
	c := preset(t, "ddr5-4800") // 8 groups of 4 banks; tRFCsb 312
	dv := newDevice(c.Geometry, c.Timing)
	dv.issue(command{kind: cmdREFsb, bank: 1}, 1000)
	tests := []struct {
		bank int32
		want uint64
	}{
		{1, 1312},       // group 0, bank 1: refreshed
		{7*4 + 1, 1312}, // group 7, bank 1: refreshed
		{2, 1001},       // group 0, bank 2: free
		{4, 1001},       // group 1, bank 0: free
	}
	for _, tc := range tests {
		if got := dv.earliest(command{kind: cmdACT, bank: tc.bank}); got != tc.want {
			t.Errorf("ACT bank %d: earliest %d, want %d", tc.bank, got, tc.want)
		}
	}
	if got := dv.earliest(command{kind: cmdREFsb, bank: 2}); got != 1312 {
		t.Errorf("next REFsb: earliest %d, want 1312", got)
	}
	if got := dv.earliest(command{kind: cmdREF}); got != 1312 {
		t.Errorf("REFab after REFsb: earliest %d, want 1312", got)
	}
}

func TestLegal(t *testing.T) {
	c := preset(t, "ddr4-2400")
	dv := newDevice(c.Geometry, c.Timing)
	steps := []struct {
		cmd   command
		legal bool
		issue bool
	}{
		{command{cmdRD, 0, 5}, false, false}, // closed bank
		{command{cmdPRE, 0, 0}, false, false},
		{command{cmdREF, 0, 0}, true, false},
		{command{cmdACT, 0, 5}, true, true},
		{command{cmdACT, 0, 6}, false, false}, // already open
		{command{cmdRD, 0, 6}, false, false},  // another row
		{command{cmdRD, 0, 5}, true, false},
		{command{cmdREF, 3, 0}, false, false}, // a bank of the rank is open
		{command{cmdPRE, 0, 0}, true, true},
		{command{cmdREF, 3, 0}, true, false},
	}
	for i, s := range steps {
		if got := dv.legal(s.cmd); got != s.legal {
			t.Errorf("step %d: legal(%v bank %d row %d) = %v", i, s.cmd.kind, s.cmd.bank, s.cmd.row, got)
		}
		if s.issue {
			dv.issue(s.cmd, dv.earliest(s.cmd))
		}
	}
}
