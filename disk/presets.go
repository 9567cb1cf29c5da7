package disk

import (
	"fmt"
	"sort"
	"time"
)

// DefaultBlocks is the capacity of the presets: 1 GiB of 4 KiB blocks. The
// HDD's seek curve spans the cylinders of the emulated capacity, so a small
// emulated disk still seeks like the whole drive: its data is spread over
// the full stroke.
const DefaultBlocks = 1 << 18

// DesktopHDD is a 7200 RPM 3.5" desktop drive of the Seagate Barracuda
// 7200.14 / Hitachi Deskstar 7K class.
//
//   - 7200 RPM: 8.33 ms per revolution, 4.17 ms average rotational latency
//     (Seagate Barracuda 7200.14 product manual: "average latency 4.16 ms";
//     Hitachi Deskstar 7K320 OEM specification, Table 8: 8.3 ms, 4.2 ms).
//   - Average read seek 8.5 ms (Barracuda 7200.14 manual, "<8.5 ms";
//     Hitachi Deskstar 7K1000.C specification, Table 9, 2-disk model).
//   - Single-track seek 1.0 ms, full-stroke seek 20.0 ms (Hitachi Deskstar
//     7K320 OEM specification, Tables 7 and 6, read). The head switch is
//     not in these datasheets; it is taken equal to the single-track seek.
//   - Command overhead 0.5 ms for a read that misses the buffer, 0.1 ms for
//     a buffer hit (Hitachi Deskstar 7K3000 specification, Table 5).
//   - 156 MB/s average sustained media rate (Seagate's figure for the
//     Barracuda 7200.14; 210 MB/s at the outer diameter): 317 blocks of
//     4 KiB per track. SATA 6 Gb/s host link: 600 MB/s.
//   - One platter, two heads (the 1 TB ST1000DM003).
//   - Read-ahead of 256 blocks (1 MiB) past the last block read: an assumed
//     figure for the segment of a 64 MB multi-segment cache.
//
// A random 4 KiB read then costs about 0.5 + 8.5 + 4.17 + 0.03 = 13.2 ms.
func DesktopHDD() HDDConfig {
	return HDDConfig{
		Name:             "hdd-7200",
		Blocks:           DefaultBlocks,
		BlockSize:        DefaultBlockSize,
		RPM:              7200,
		Heads:            2,
		MediaMBps:        156,
		InterfaceMBps:    600,
		TrackToTrackSeek: 1 * time.Millisecond,
		AverageSeek:      8500 * time.Microsecond,
		FullStrokeSeek:   20 * time.Millisecond,
		SeekBoundary:     0.2, // Ruemmler and Wilkes's HP 97560: 383 of 1962 cylinders
		HeadSwitch:       1 * time.Millisecond,
		CommandOverhead:  500 * time.Microsecond,
		CacheHitOverhead: 100 * time.Microsecond,
		ReadAheadBlocks:  256,
	}
}

// SATASSD is a SATA drive with 64-layer 3D TLC NAND of the Samsung 860 EVO
// class.
//
//   - SATA 6 Gb/s: 550 MB/s sequential read (860 EVO data sheet).
//   - 8 channels (the 860 EVO's MJX controller), 400 MB/s each (ONFI 3 /
//     Toggle DDR 2.0 at 400 MT/s on an 8-bit bus).
//   - tR 60 us, tPROG 500 us per 4 KiB mapping unit: representative of 3D
//     TLC (the range of the ISSCC TLC parts and of the simulators' tables:
//     MQSim, Tavakkol et al., FAST 2018, reads 75 us by default; FEMU's TLC
//     table after SimpleSSD, 56.5-106 us read, 0.8-5.7 ms program for
//     planar TLC).
//   - 20 us of command overhead, chosen so a 4 KiB random read at queue
//     depth 1 takes about 98 us: the data sheet's "4KB random read, QD1: up
//     to 10,000 IOPS" (100 us).
//
// Writes pay the full program time: the drive's SLC write cache, which
// gives the data sheet's 42,000 QD1 write IOPS, is not modelled.
func SATASSD() SSDConfig {
	return SSDConfig{
		Name:            "ssd-sata",
		Blocks:          DefaultBlocks,
		BlockSize:       DefaultBlockSize,
		PageSize:        4096,
		Channels:        8,
		ReadLatency:     60 * time.Microsecond,
		ProgramLatency:  500 * time.Microsecond,
		ChannelMBps:     400,
		InterfaceMBps:   550,
		CommandOverhead: 20 * time.Microsecond,
	}
}

// NVMeSSD is a PCIe 3.0 x4 NVMe drive with the same 64-layer TLC NAND, of
// the Samsung 970 EVO class.
//
//   - 3,500 MB/s sequential read (970 EVO data sheet): the host link.
//   - 8 channels (the Phoenix controller) at 800 MB/s (Toggle DDR 3.0).
//   - tR 60 us, tPROG 500 us, as SATASSD.
//   - 1 us of command overhead: a 4 KiB random read at QD1 takes about
//     67 us, the data sheet's "up to 15,000 IOPS" at QD1.
func NVMeSSD() SSDConfig {
	return SSDConfig{
		Name:            "ssd-nvme",
		Blocks:          DefaultBlocks,
		BlockSize:       DefaultBlockSize,
		PageSize:        4096,
		Channels:        8,
		ReadLatency:     60 * time.Microsecond,
		ProgramLatency:  500 * time.Microsecond,
		ChannelMBps:     800,
		InterfaceMBps:   3500,
		CommandOverhead: 1 * time.Microsecond,
	}
}

var presets = map[string]func(coreHz uint64) (Device, error){
	"hdd-7200": func(hz uint64) (Device, error) { return NewHDD(DesktopHDD(), hz) },
	"ssd-sata": func(hz uint64) (Device, error) { return NewSSD(SATASSD(), hz) },
	"ssd-nvme": func(hz uint64) (Device, error) { return NewSSD(NVMeSSD(), hz) },
}

// PresetNames lists the device presets NewPreset knows, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewPreset builds the named preset device (see PresetNames) at its default
// capacity.
func NewPreset(name string, coreHz uint64) (Device, error) {
	f, ok := presets[name]
	if !ok {
		return nil, fmt.Errorf("disk: unknown device preset %q (known: %v)", name, PresetNames())
	}
	return f(coreHz)
}
