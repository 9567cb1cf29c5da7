// Package traces reads and writes memory-reference traces: the stream of
// instruction fetches, loads and stores that drives the emulated CPU.
//
// # Opening a trace
//
// Open takes a path, NewReader a stream. Both recognise compression by its
// magic bytes (gzip, zstd, xz; xz goes through the xz program when it is
// installed, which is about twice as fast as the Go decoder) and the format
// by the text itself, never by the file name. bzip2, lz4, .Z, zip and 7-zip
// files are recognised only to say so. Read hands out records in batches;
// Pipelined moves decompression and parsing to another goroutine.
//
// # Formats
//
// Two line formats share one grammar: the output of valgrind's lackey tool
// (valgrind --tool=lackey --trace-mem=yes) and the traces of the CS:APP
// Cache Lab, which are lackey output with the fetches usually taken out.
//
//	line    = blanks ( record | "==" any | "" ) blanks-or-CR "\n"
//	record  = op blank blanks address blanks "," blanks size
//	op      = "I" | "L" | "S" | "M"         fetch, load, store, modify
//	address = [ "0x" | "0X" ] hexdigit { hexdigit }     at most 64 bits
//	size    = digit { digit }                           1 to 2^32-1
//	blank   = " " | "\t"
//
// Lackey prints "I  0401ab70,3" for a fetch and " L 1fff000d38,8" for data;
// Cache Lab traces have " L 10,1" and, where they keep fetches, "I 0400d7d4,8".
// Both forms are accepted in either format, with any indentation. Lines
// starting with "==" are valgrind's messages ("==1234== ...") and blank
// lines are skipped; a file's last line needs no newline; CRLF line ends
// are accepted. Anything else is an error.
//
// Format reports "lackey" if the first 256 KiB of text hold a "==" message or
// a fetch written "I" and two blanks, and "cachelab" otherwise; it is a
// label for reports, and does not change what is accepted.
//
// An empty file, or one with only messages and blank lines, is a valid trace
// with no records (Format "cachelab" unless there are "==" lines).
//
// # Errors
//
// Every error about the input is an *Error naming the file, and the line
// and field when there are some: "t.trace:7: address: "12g4" is not
// hexadecimal", "t.trace.gz: truncated gzip stream". A file whose first line
// does not begin like a record, or holds binary data, is refused by Open
// as not a trace. Lines are limited to 256 KiB. A corrupt compressed file
// may show up as a bad line: the checksum that proves it corrupt comes at
// the end of the stream, after the garbage.
//
// # Left out
//
// Lackey's other modes (--basic-counts, superblock counts) and cachegrind or
// DynamoRIO traces are not read. The values stored by a store are not in
// lackey traces, so records carry addresses, sizes and kinds only.
package traces
