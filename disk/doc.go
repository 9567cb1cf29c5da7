// Package disk holds the emulated block devices, their contents and their
// timing, with the two structures the kernel keeps on them: a simple file
// system and a swap area.
//
// # Devices
//
// A Device holds bytes (sparsely: a block never written reads as zeros) and
// serves whole-block reads and writes. Requests are served first come,
// first served; the completion time of a request is computed when it is
// submitted, so a request made while the device is busy simply waits for the
// ones before it, and the same sequence of requests always gives the same
// cycles. Device time is kept in nanoseconds and turned into core cycles
// with an exact sim.Ratio (rounded up, never drifting).
//
// HDD models one arm over a spinning stack of platters:
//
//   - Geometry: blocks fill a track (BlocksPerTrack, derived from the media
//     rate by default), tracks fill a cylinder (Heads), cylinders follow
//     each other. Every track is skewed by the track-switch time so that a
//     transfer running over a track boundary loses the switch, not a
//     revolution.
//   - Seek time grows with the distance in cylinders as in Ruemmler and
//     Wilkes: a + b*sqrt(d) for short seeks, linear for long ones; the
//     curve passes through the single-track and full-stroke times of the
//     datasheet, and its knee is set so that the datasheet's weighted
//     average over all seek lengths is the configured average seek.
//   - Rotational latency comes from the platter's angle, a function of time
//     (angle 0 at time 0; exact rational arithmetic): the head arrives, and
//     waits for the block's start to come around, between 0 and one
//     revolution. A request for the block right after the previous one,
//     queued behind it, waits for nothing: it costs its transfer time.
//   - Command overhead per request, overlapping the service of requests
//     already queued (so a burst pays it once).
//   - A read-ahead segment: after a read the drive keeps reading the
//     following ReadAheadBlocks blocks; a later read inside that window is
//     answered from the buffer (cache-hit overhead and the interface rate,
//     or as soon as the medium has passed the block). Sequential reads thus
//     cost about their transfer time, as on a real disk. Writes go to the
//     medium (no write cache) and end the segment.
//
// SSD models a flash drive: each request is cut into flash pages (PageSize
// bytes, 4 KiB in the presets), page p goes to channel p mod Channels, and
// each channel serves its pages in arrival order: a read costs tR plus the
// transfer over the channel, a write the transfer plus tPROG. Channels work
// in parallel, so N pages over N channels take about one page's time and N
// pages over one channel N times that. A shared host link (SATA or PCIe)
// carries the data, plus a fixed command overhead per request.
//
// The presets (DesktopHDD, SATASSD, NVMeSSD) give the datasheet figures
// they use, and where each comes from, in their comments. At a 4 GHz core:
// a random 4 KiB read on DesktopHDD takes about 13 ms (52 million cycles),
// a sequential one 26 us to 0.1 ms; a 4 KiB read takes 98 us on SATASSD and
// 67 us on NVMeSSD, a 4 KiB write about 0.5 ms on both.
//
// # File system
//
// FS is a flat namespace of files over a range of device blocks, each file a
// list of extents (runs of contiguous blocks). Allocation is first fit: a
// file takes the first free run that holds it whole, so files are contiguous
// when they can be and fragmented when they must; a growing file extends its
// last extent in place when the next blocks are free. Create places bytes
// on the disk without taking time (the scenario or the command line puts
// host files there before the run); CreateFrom does it from a reader a
// chunk at a time, after finding the blocks, so a file as large as the disk
// is never whole in host memory twice, and CreateFromHost reads only a
// regular file (a device or a fifo could be read without end); File.ReadAt and File.WriteAt go through
// the device and return when they complete; File.Block gives the device
// block that holds a byte offset, which is how the kernel finds a file page.
// The metadata (names, extents, the free list) is kept in host memory: no
// inode or directory reads are charged.
//
// # Swap
//
// Swap divides a range of device blocks into page slots of a whole number
// of blocks, ceil(page size / block size): pages larger than a block span
// several, a page smaller than a block (64 bytes in the CS:APP small system)
// takes a whole block and is read and written as one. Alloc gives the lowest
// free slot.
//
// # Left out
//
//   - No write cache on either device, no NCQ/TCQ reordering (strict FIFO),
//     no zoned recording (one transfer rate across the platter), no spare
//     sectors or remapping, no seek-settle distinction between reads and
//     writes, no thermal recalibration, no spin-up or power states.
//   - The read-ahead segment streams without pause: if the host falls
//     behind for long, a real drive would stop when its segment is full and
//     lose a revolution on restart.
//   - The head stays over the last block a request asked for (not where
//     read-ahead left it).
//   - No flash translation layer: a logical page is its physical page, so
//     there is no garbage collection, no erase, no wear levelling, no
//     over-provisioning; no multi-plane or die interleaving inside a channel,
//     no SLC cache, no read-retry, no difference between lower, middle and
//     upper TLC pages.
//   - File-system metadata costs no disk time; there are no directories,
//     permissions or timestamps.
//
// # References
//
//   - C. Ruemmler and J. Wilkes, "An introduction to disk drive modeling",
//     IEEE Computer 27(3):17-28, March 1994: the seek curve, rotational
//     position, the overheads, read-ahead and their effect on accuracy.
//   - Seagate Barracuda 7200.14 product manual (ST1000DM003): 7200 RPM,
//     4.16 ms average latency, average read seek < 8.5 ms, 156 MB/s average
//     and 210 MB/s maximum sustained rate.
//   - Hitachi Deskstar 7K320 OEM specification, section 4.4.2: single-track
//     seek 1.0 ms, full-stroke seek 20.0 ms, and the weighted-average seek
//     formula; Deskstar 7K1000.C specification: 8.5 ms average read seek;
//     Deskstar 7K3000 specification, Table 5: command overhead 0.5 ms (read
//     miss) and 0.1 ms (cache hit).
//   - Samsung 860 EVO and 970 EVO data sheets: 550 and 3,500 MB/s
//     sequential read, up to 10,000 and 15,000 IOPS of 4 KiB random reads at
//     queue depth 1.
//   - A. Tavakkol et al., "MQSim: A Framework for Enabling Realistic Studies
//     of Modern Multi-Queue SSD Devices", FAST 2018 (its default: 8
//     channels, 75 us page read); D. Gouk, M. Jung et al., SimpleSSD, and
//     the FEMU emulator's NAND timing tables; L. M. Grupp, J. D. Davis and
//     S. Swanson, "The Bleak Future of NAND Flash Memory", FAST 2012.
package disk
