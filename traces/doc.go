// Package traces reads and writes memory-reference traces: the stream of
// instruction fetches, loads and stores that drives the emulated CPU: in
// valgrind lackey's and the CS:APP Cache Lab's text, ChampSim's binary
// records (and reads its CloudSuite records), and a compact native format;
// and synthetic workloads.
//
// # Opening a trace
//
// Open takes a path, NewReader a stream. Both recognise compression by its
// magic bytes (gzip, zstd, xz; xz goes through the xz program when it is
// installed, which is about twice as fast as the Go decoder), then the
// format from the decompressed start of the stream: each registered format
// (Register; Formats lists them) is asked in turn, in the order of its
// Format.Order, and the first that recognises the stream reads it:
//
//   - native: it begins with the native magic (below);
//   - ChampSim CloudSuite: its first 512 bytes hold a NUL byte, and its
//     first 4 KiB hold at least two whole 96-byte records, each with
//     is_branch and branch_taken 0 or 1, taken only on a branch, a nonzero
//     ip, ip and memory addresses canonical; and more of their consecutive
//     ips step on by 1 to 16 bytes than do those of the same bytes read as
//     64-byte ChampSim records (read with the wrong size, the "ips" are
//     mostly memory operands);
//   - ChampSim: its first 512 bytes hold a NUL byte (it is not text) and
//     either the file's name ends in .champsim or .champsimtrace (before
//     any .gz, .xz or .zst), or every whole 64-byte record among its first
//     4 KiB, and there is at least one, looks like ChampSim's: is_branch
//     and branch_taken 0 or 1, taken only on a branch, ip and memory
//     addresses canonical (bits 56-63 all zeros or all ones). An empty
//     file named like a ChampSim trace is one, with no records;
//   - otherwise text: lackey or Cache Lab, as below. A binary file that is
//     neither native nor ChampSim is refused as not a trace.
//
// bzip2, lz4, .Z, zip and 7-zip files are recognised only to say so. Read
// hands out records in batches; Pipelined moves decompression and parsing
// to another goroutine.
//
// Scenarios (.emu files) are not a trace format: a scenario is parsed whole
// and run, not streamed and replayed. IsScenario tells one apart by its
// name, and Open refuses one as not a trace.
//
// NewTraceWriter writes a registered format by name; PathFormat says which
// format a file's name asks for (.vmt native, .champsim or .champsimtrace
// ChampSim, .lackey, .trace or .txt lackey, each but native optionally
// compressed by a .gz, .zst or .xz ending). Each format says what it Holds
// (sizes, modifies, registers and branches, values, processes,
// threads), and Losses turns what one reader's records hold and what
// another format holds into the notes emu trace convert prints.
//
// # Three views of a trace
//
// A Reader gives Records: a fetch, load, store or modify of Size bytes at
// Addr, by thread Thread (0 to 255, numbered in the trace) of process
// PID. Size is 1 to MaxAccessSize (16 KiB, the largest XSAVE area rounded
// up) in every format: a reader refuses a larger one at its line or
// offset, and a writer will not write it. Readers of formats that say more
// (ChampSim and its CloudSuite records, native, the generators) are also
// RefReaders: a Ref adds, on a fetch, the instruction's registers and
// branch outcome, and on any reference the value it loads or stores
// (native only). Instructions groups a trace into
// Instrs for a core, with registers where the trace has them (it asks the
// reader, or Pipelined's reader, first; call it before reading), each with
// the process and thread of its fetch (Instr.PID, Instr.Thread). Use one
// view per reader. CarriesOf says what a reader's records may hold.
//
// ThreadsOf lists the threads of a trace in the order they first appear,
// and OnlyThread keeps one thread's instructions of a reader: a machine of
// several cores splits a trace of threads into a stream per thread with a
// reading of the file each (constant memory; package machine, threads.go).
//
// # Formats
//
// Two line formats share one grammar: the output of valgrind's lackey tool
// (valgrind --tool=lackey --trace-mem=yes) and the traces of the CS:APP
// Cache Lab, which are lackey output with the fetches usually taken out.
//
//	line    = blanks ( record | message | "" ) blanks-or-CR "\n"
//	message = "==" any | "--" digit { digit } "--" any  valgrind's, with -v
//	record  = op blank blanks address blanks "," blanks size
//	op      = "I" | "L" | "S" | "M"         fetch, load, store, modify
//	address = [ "0x" | "0X" ] hexdigit { hexdigit }     at most 64 bits
//	size    = digit { digit }                           1 to 16384 (MaxAccessSize)
//	blank   = " " | "\t"
//
// A record's last byte, address + size - 1, may be the top of the 64-bit
// address space but not past it, in every trace format. (A scenario's
// access there is a SIGSEGV: its addresses are translated, and those above
// the 48-bit virtual address space are not canonical.)
//
// Lackey prints "I  0401ab70,3" for a fetch and " L 1fff000d38,8" for data;
// Cache Lab traces have " L 10,1" and, where they keep fetches, "I 0400d7d4,8".
// Both forms are accepted in either format, with any indentation. Lines
// starting with "==" or "--PID--" are valgrind's messages ("==1234== ...")
// and blank lines are skipped; a file's last line needs no newline; CRLF
// line ends are accepted. Anything else is an error, with one exception: a
// trace that starts with a valgrind message is a valgrind log, into which
// the program's own output may be mixed (the Cache Lab handout's
// valgrind --log-fd=1 ... ls -l), and there a line that is not a record
// and does not start like one ("I" and a blank, or a blank, L, S or M and
// a blank) is skipped, as csim-ref skips it; a valgrind log with no line
// that starts like a record in its first 256 KiB is an error (lackey
// without --trace-mem=yes).
//
// Format reports "lackey" if the first 256 KiB of text hold a valgrind
// message or a fetch written "I" and two blanks, and "cachelab" otherwise;
// it is a label for reports, and does not change what is accepted.
//
// An empty file, or one with only blank lines, is a valid trace with no
// records. Open("-") reads standard input.
//
// # Errors
//
// Every error about the input is an *Error naming the file, and the line
// and field when there are some, or for the binary formats (ChampSim,
// native) the byte offset: "t.trace:7: address: "12g4" is not
// hexadecimal", "t.trace.gz: truncated gzip stream", "t.vmt: offset 4242:
// frame 3: corrupt frame ...". A file whose first line does not begin like
// a record, or binary data that is neither ChampSim nor native, is refused
// by Open as not a trace. Lines are limited to 256 KiB. A corrupt compressed file
// may show up as a bad line: the checksum that proves it corrupt comes at
// the end of the stream, after the garbage.
//
// # ChampSim traces
//
// ChampSim's traces are arrays of input_instr (ChampSim's
// inc/trace_instruction.h; the Pin tracer's trace_instr_format_t in
// tracer/pin/champsim_tracer.cpp): 64 bytes, little-endian, no padding.
//
//	offset size
//	0      8    ip
//	8      1    is_branch
//	9      1    branch_taken
//	10     2    destination_registers[2]  (uint8 each)
//	12     4    source_registers[4]       (uint8 each)
//	16     16   destination_memory[2]     (uint64 each)
//	32     32   source_memory[4]          (uint64 each)
//
// Zero means "none" in the register and memory arrays. They are read raw,
// gzip'ed or xz'ed (ChampSim's own traces are .champsimtrace.xz). Each
// record is an instruction: a fetch of its ip, then a load per nonzero
// source_memory and a store per nonzero destination_memory, in array
// order. ChampSim records no sizes: a fetch is 4 bytes and a data
// reference 8, cut short at the end of the 64-byte line so that, as in
// ChampSim, each operand touches exactly one line. Instructions gives the
// registers as they are (HasRegs) and the branch fields (nonzero is true).
// A file whose size is not a multiple of 64 is refused at Open, naming the
// offset of the partial record ("t.champsim: offset 128: partial record:
// 10 of 64 bytes ..."); in a compressed stream the error comes after the
// whole records.
//
// ChampSimWriter writes instructions (WriteInstrs) or refs (WriteRefs:
// a fetch starts an instruction, a modify is a load and a store, loads
// beyond 4 or stores beyond 2 spill into another record at the same ip,
// data without a fetch is an instruction at ip 0). Address 0 cannot be
// written: it means "none". The Pin tracer fills the operand arrays from
// the front without duplicates; so does the writer, so a trace from the
// tracer reads and writes back byte for byte.
//
// # ChampSim CloudSuite traces
//
// ChampSim's CloudSuite traces (its -c option; server workloads traced on
// SPARC machines, one file per core) are arrays of cloudsuite_instr
// (inc/trace_instruction.h), read as ChampSim's reader takes them from
// the file: the C struct with its alignment padding, 96 bytes,
// little-endian. They are read only.
//
//	offset size
//	0      8    ip
//	8      1    is_branch
//	9      1    branch_taken
//	10     4    destination_registers[4]  (uint8 each)
//	14     4    source_registers[4]       (uint8 each)
//	18     6    padding
//	24     32   destination_memory[4]     (uint64 each)
//	56     32   source_memory[4]          (uint64 each)
//	88     2    asid[2]
//	90     6    padding
//
// A record is an instruction as a ChampSim record is (the same sizes, the
// same order: the fetch, the loads, the stores), of process asid[0]: an
// address space is a process, so the records' PID is the ASID (Carries
// registers and processes) and their thread 0; ChampSim tags a fetch with
// asid[0] and its data with asid[1], which is not kept. Stores beyond
// MaxMem (four loads and four stores make eight) go into a continuation
// entry (Instr.Cont); the first two nonzero destination registers are
// kept, the room an Instr has. A file whose size is not a multiple of 96
// is refused at Open naming the offset of the partial record; in a
// compressed stream the error comes after the whole records. A file of
// one record cannot be told from other binary data and is refused.
//
// # The native format
//
// A compact binary format for speed and size: the matmul reference trace
// (2.7 million records) is 1.23 MB as gzip'ed lackey text and 73 KB native
// (17 times smaller), and reads 5 to 6 times as fast (BenchmarkReadNative:
// about 2.5 ns a record, against 15 for BenchmarkReadLackeyGz). It holds exactly the record
// stream (a modify stays a modify), and what ChampSim and the generators
// add (registers, branches), process and thread ids and values. Integers are
// little-endian; varints are unsigned LEB128 (encoding/binary's Uvarint);
// CRC-32C is Castagnoli's.
//
//	file   = header frame* end
//	header = magic (8) version (2) flags (2) crc (4)
//	frame  = count (4) size (4) stored (4) crc (4) hcrc (4) data (stored)
//	end    = a frame header with count, size, stored and crc zero
//
// The header: magic 89 56 4d 54 0d 0a 1a 0a ("\x89VMT\r\n\x1a\n": not
// text, and mangled by a text-mode transfer); version 1 or 2; flags say
// what the records may carry: bit 0 registers and branches, bit 1 values,
// bit 2 processes other than 0, bit 3 (version 2 only) threads other than
// 0 (the Carries bits; others must be 0); crc is the CRC-32C of the 12
// bytes before it. A reader refuses another version or unknown flags.
// Version 2 adds the threads column and the thread switch; a writer
// writes version 2 only for records that may carry threads, and version 1,
// unchanged, for the rest, so that an older emu reads them.
//
// A frame holds count records (at most 2^22; DefaultFrameRecords when
// written): its payload is size bytes (at most 64 MiB), stored as one zstd
// frame (RFC 8878) of stored bytes; crc is the CRC-32C of the payload and
// hcrc that of the frame header's first 16 bytes. Frames are independent:
// each starts with fresh decoder state, so a reader may skip or decode
// them in parallel. After the end marker the file ends.
//
// The payload is five varints, the lengths of the sizes, addresses,
// values, info and misc columns (six in version 2: then the threads
// column's), then the kinds column (count bytes, one per record) and the
// five (six) columns. Each record starts with its kind byte:
//
//	0x00-0x7f  a reference: bits 0-1 op (0 fetch, 1 load, 2 store,
//	           3 modify), bits 2-6 its size 1-31, or 0: the size is the
//	           next varint of the sizes column
//	0x80-0xbf  a reference carrying more: bits 0-1 op; bit 2, a value
//	           follows (a varint in the values column); bit 3, registers
//	           and branch follow (7 bytes in the info column: flags, bit 0
//	           branch, bit 1 taken; 2 destination registers; 4 source
//	           registers; fetches only); bits 4-5 zero; the size is the
//	           next varint of the sizes column
//	0xc0       process switch: the records after it belong to the process
//	           whose id (below 65536) is the next varint of the misc
//	           column; a frame starts in process 0
//	0xc1       thread switch (version 2): the records after it belong to
//	           the thread (of their process) whose id (0 to 255) is the
//	           next varint of the threads column; a frame starts in
//	           thread 0; a process switch leaves the thread as it was
//	0xc2-0xff  reserved for the OS records of the scenario format (fork,
//	           execve, mmap, munmap, mprotect, brk, exit, ...), whose
//	           operands will go in the misc column
//
// A reference's address is the next varint of the addresses column, a
// zigzag-encoded difference (v>>1 ^ -(v&1)) from a prediction, in 64-bit
// wrapping arithmetic. A fetch is predicted at the end of the previous
// fetch (its address plus its size; 0 at the start of the frame). A data
// reference is predicted from a table of 4096 entries (last address,
// stride), zero at the start of the frame, indexed by
//
//	((ip<<3 | slot) * 0x9e3779b97f4a7c15) >> 52
//
// where ip is the address of the last fetch (0 before any) and slot the
// number of data references since it, at most 7: the prediction is last +
// stride; then stride becomes address - last, and last the address. So a
// loop's loads and stores, each with its stride, cost a zero byte each,
// and zstd makes the repetition nearly free.
//
// A reader checks everything: the magic, the header's checksum, version
// and flags, each frame header's checksum and limits, the payload's
// checksum, that the columns add up to the payload (a sum checked for
// overflow: five varint lengths can wrap 2^64) and are each used up
// exactly by the records, each record's kind, and each size. A problem is an *Error
// naming the byte offset in the (decompressed) stream where the bad frame
// starts, and the frame's number: "t.vmt: offset 4242: frame 3: corrupt
// frame (checksum 1c0ffee0, want 3b9aca00)". An unknown kind byte (a newer
// writer's record) is such an error too: records are never skipped, as a
// skipped mmap would silently change what a run means. A file that ends
// before the end marker is truncated, and says so.
//
// # Synthetic workloads
//
// Generate makes a trace from a kind and GenParams: stream, stride,
// random, chase (a random cyclic permutation of the 64-byte lines of the
// working set: each load's address is what the previous load returned,
// and its registers say so), matmul (naive ijk over three N x N matrices
// of doubles) and transpose. The same kind and parameters (with Seed) give
// the same trace. Each instruction is a 4-byte fetch with registers, so a
// core knows what depends on what; filler instructions (GenParams.ALU) go
// between memory instructions. A generated trace holds at most
// GenMaxRecords (2^32) records, and ALU is at most GenMaxALU; a working set
// that would run past the top of the address space is refused.
//
// # Statistics
//
// Stat counts the records by kind, the footprint in distinct pages and
// lines (fetch, data, all), and the reuse distances of the data references
// (optionally all) in powers of two, in O(log n) an access with memory in
// the distinct lines (a Fenwick tree over the times of last use).
//
// # Adding a trace format
//
// A format is one file (toy_test.go adds one in a test) whose init calls
// Register with a Format:
//
//   - Name (what --format takes and Reader.Format reports), Title for
//     prose if it differs, Labels for other names its reader reports, and
//     Exts, the file name endings that ask for it when writing;
//   - Order, its place in detection: formats are asked from the lowest,
//     so one recognised by a magic number or a strict check of its first
//     records goes before a lenient one. Native is 10, ChampSim
//     CloudSuite 15 and ChampSim 20; lackey text is 100 and takes
//     whatever the others did not, so a new format goes below 100. Binary
//     says its files are not text;
//     Compressed, that its writer compresses (no .gz on top);
//   - Detect, which sees the file's name and up to 4 KiB of the
//     decompressed stream (Sniff) and says yes only to its own format:
//     from the content, the name at most a hint (as for an empty
//     ChampSim file); compression is recognised before it is asked;
//   - Holds, what its records can hold, and Instead, how its writer
//     writes what it cannot hold but need not drop; Losses derives
//     convert's notes from these, nothing lists formats by hand;
//   - Open, which makes a Reader from an Input (the decompressed stream
//     from its first byte, the sniffed head included; the compression; the
//     size when known), and NewWriter, which makes a TraceWriter (nil for a
//     format that is only read).
//
// A reader must stream: records in batches as Read asks, in memory that
// does not grow with the file (a fixed buffer, a frame at a time), never
// the whole file. It gives the records before a bad one, then the error,
// and keeps returning it; every error about the input is an *Error naming
// the file and the line and field (text) or the byte offset (binary), and
// says truncated or corrupt for a stream cut short or damaged (streamError
// turns the decompressor's errors into these). A reader that makes no
// progress must fail rather than hang. Close calls Input.Close. If the
// records hold more than a Record (registers, values), the reader is a
// RefReader as well, and says so through a Carries method (CarriesOf).
// Test it as format_test.go tests the toy: Open detects it (plain and
// compressed) and reads back what its writer wrote, and a bad line or
// record is an *Error naming the right field.
//
// # Left out
//
// Lackey's other modes (--basic-counts, superblock counts), cachegrind and
// DynamoRIO traces are not read; CloudSuite traces are not written. Lackey and ChampSim traces have no values; only
// native traces carry them. ChampSim traces keep no access sizes, so
// converting lackey to ChampSim and back loses them, and modifies.
package traces
