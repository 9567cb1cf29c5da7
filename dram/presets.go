package dram

import (
	"fmt"
	"sort"
	"strings"
)

// Timings are JEDEC minimums converted to clocks with the JEDEC rounding
// rule nCK = ceil(t / tCK) (JESD79-4 and JESD79-5 speed-bin tables): a timing given
// as max(n nCK, t ns) takes the larger of the two.

// ddr4Policy is the controller of the checks: 32-entry queues with
// Ramulator 2's default watermarks (drain above 0.8 of the write queue, stop
// below 0.2), FR-FCFS, open page, all-bank refresh, RoBaRaCoCh.
func ddr4Policy() Policy {
	return Policy{
		ReadQueue: 32, WriteQueue: 32,
		DrainHigh: 26, DrainLow: 6,
		Scheduler: FRFCFS,
		Page:      OpenPage,
		Refresh:   AllBankRefresh,
		Mapping:   "RoBaRaCoCh",
	}
}

// DDR4-2400R (16-16-16), 8 Gb x8, one rank of eight devices on a 64-bit
// channel: exactly the refdata DRAMsim3 file
// DDR4_8Gb_x8_2400_2_1ch1r_RoBaRaCoCh.ini. tCK = 0.833 ns (1200 MHz).
func ddr4_2400() Config {
	return Config{
		Name:     "ddr4-2400",
		Protocol: DDR4,
		ClockHz:  1_200_000_000,
		Geometry: Geometry{
			Channels: 1, Ranks: 1,
			BankGroups: 4, BanksPerGroup: 4, // JESD79-4 Table 2: 8 Gb x8 has 4 BG x 4 banks
			Rows: 65536, Columns: 1024, // 8 Gb x8: A0-A15 rows, A0-A9 columns, 1 KB page
			DeviceWidth: 8, BusWidth: 64, BurstLength: 8,
		},
		Timing: Timing{
			CL: 16, CWL: 12, // speed bin DDR4-2400R: CL16; CWL 12 with 1tCK write preamble
			RCD: 16, RP: 16, // 13.32 ns each
			RAS:  39,         // 32 ns
			RC:   55,         // tRAS + tRP = 45.32 ns
			CCDS: 4, CCDL: 6, // tCCD_L = max(5 nCK, 5 ns)
			RRDS: 4, RRDL: 6, // 1 KB page: max(4 nCK, 3.3 ns), max(4 nCK, 4.9 ns)
			FAW:  26,         // 1 KB page: max(20 nCK, 21 ns)
			WR:   18,         // 15 ns
			WTRS: 3, WTRL: 9, // max(2 nCK, 2.5 ns), max(4 nCK, 7.5 ns)
			RTP:  9,    // max(4 nCK, 7.5 ns)
			RTRS: 1,    // as the refdata .ini
			RFC:  420,  // tRFC1 for 8 Gb: 350 ns
			REFI: 9360, // 7.8 us (0-85 C)
		},
		Policy: ddr4Policy(),
	}
}

// DDR4-3200AA (22-22-22), 8 Gb x8, one rank on a 64-bit channel.
// tCK = 0.625 ns (1600 MHz).
func ddr4_3200() Config {
	c := ddr4_2400()
	c.Name = "ddr4-3200"
	c.ClockHz = 1_600_000_000
	c.Timing = Timing{
		CL: 22, CWL: 16, // speed bin DDR4-3200AA: CL22; CWL 16 with 1tCK preamble
		RCD: 22, RP: 22, // 13.75 ns each
		RAS:  52,         // 32 ns
		RC:   74,         // tRAS + tRP
		CCDS: 4, CCDL: 8, // tCCD_L = max(5 nCK, 5 ns)
		RRDS: 4, RRDL: 8, // 1 KB page: max(4 nCK, 2.5 ns), max(4 nCK, 4.9 ns)
		FAW:  34,          // 1 KB page: max(20 nCK, 21 ns)
		WR:   24,          // 15 ns
		WTRS: 4, WTRL: 12, // max(2 nCK, 2.5 ns), max(4 nCK, 7.5 ns)
		RTP:  12,    // max(4 nCK, 7.5 ns)
		RTRS: 1,     //
		RFC:  560,   // tRFC1 for 8 Gb: 350 ns
		REFI: 12480, // 7.8 us
	}
	return c
}

// DDR5-4800B (40-39-39), 16 Gb x8: a DIMM's two independent 32-bit
// subchannels are two channels of four x8 devices, each with 8 bank groups
// of 4 banks, BL16 (64 bytes per access). tCK = 0.4167 ns (2400 MHz).
func ddr5_4800() Config {
	return Config{
		Name:     "ddr5-4800",
		Protocol: DDR5,
		ClockHz:  2_400_000_000,
		Geometry: Geometry{
			Channels: 2, Ranks: 1,
			BankGroups: 8, BanksPerGroup: 4, // JESD79-5: 16 Gb x4/x8 have 8 BG x 4 banks
			Rows: 65536, Columns: 1024, // 16 Gb x8: 64K rows, 1 KB page
			DeviceWidth: 8, BusWidth: 32, BurstLength: 16,
		},
		Timing: Timing{
			CL: 40, CWL: 38, // speed bin DDR5-4800B: CL40; CWL = CL - 2
			RCD: 39, RP: 39, // 16.25 ns each
			RAS:  77,          // 32 ns
			RC:   116,         // tRAS + tRP
			CCDS: 8, CCDL: 12, // BL16/2; tCCD_L = max(8 nCK, 5 ns)
			RRDS: 8, RRDL: 12, // 8 nCK; max(8 nCK, 5 ns)
			FAW:  32,          // 1 KB page: max(32 nCK, 13.333 ns)
			WR:   72,          // 30 ns
			WTRS: 6, WTRL: 24, // max(4 nCK, 2.5 ns), max(16 nCK, 10 ns)
			RTP:   18,   // max(12 nCK, 7.5 ns)
			RTRS:  2,    //
			RFC:   708,  // tRFC1 for 16 Gb: 295 ns
			RFCsb: 312,  // tRFCsb for 16 Gb: 130 ns
			REFI:  9360, // 3.9 us
		},
		Policy: ddr4Policy(),
	}
}

var presets = map[string]func() Config{
	"ddr4-2400": ddr4_2400,
	"ddr4-3200": ddr4_3200,
	"ddr5-4800": ddr5_4800,
}

// Presets returns a fresh copy of every preset, by name.
func Presets() map[string]Config {
	out := make(map[string]Config, len(presets))
	for n, f := range presets {
		out[n] = f()
	}
	return out
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	out := make([]string, 0, len(presets))
	for n := range presets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Preset returns a fresh copy of the named preset ("ddr4-2400", "ddr4-3200",
// "ddr5-4800"); the name is case-insensitive.
func Preset(name string) (Config, error) {
	if f, ok := presets[strings.ToLower(name)]; ok {
		return f(), nil
	}
	return Config{}, fmt.Errorf("dram: unknown preset %q (have %s)", name, strings.Join(PresetNames(), ", "))
}
