// Package outfile writes the files emu makes (reports, CSV, timelines,
// plots, traces, sweep results and scripts, .csim_results) through one
// door, so that every output follows one set of rules:
//
//   - A regular file, or a name that does not exist yet, is written to a
//     hidden temporary file in the same folder and renamed over the name
//     at the end: a reader, or a run after a crash, sees the old file or
//     the new one, never a part. A new file gets mode 0644 (CreateTemp's
//     0600 is for secrets); a replaced one keeps its permission bits.
//   - A symbolic link is written through: its final target is replaced
//     the same way, and the link stays.
//   - Anything else (a device such as /dev/null or /dev/full, a fifo, a
//     socket) is opened and written in place, never replaced. So is a name
//     for one of emu's own descriptors (/dev/stdout, /dev/stderr,
//     /dev/fd/N, /proc/self/fd/N), which is written through that
//     descriptor, so that its offset is shared with what the process
//     printed there. Nothing under /proc is ever replaced.
//   - A folder is an error.
//
// RemoveTemporaries deletes every temporary not yet renamed; emu calls it
// when a SIGINT or SIGTERM stops it, so that a killed command leaves no
// hidden file behind.
//
// Left out: fsync (after a crash of the whole machine a file may be
// empty), and locking (of two emus writing one name, the last rename
// wins, whole).
package outfile
