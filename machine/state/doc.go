// Package state reads machine state files: JSON that presets a machine for
// an exercise with TLB entries, leaf page-table entries, cache lines and
// memory bytes (README, "State files"). Read parses one, built in
// (states/*.json, such as csapp-small: the TLB, page table and cache of
// CS:APP figure 9.20) or from a path, into plain data. It reads the JSON
// member by member, so that every mistake names the file, the line, the
// entry and the field; an empty file, text after the object, and an
// unknown, repeated or mistyped field are refused. Each entry keeps its
// place (At) for the machine's errors.
//
// It leaves out the machine: whether a set, tag, page number or line
// length fits a machine's geometry is checked, entry by entry, when the
// machine package applies the file to one it has built. The field names of
// the shared reference file csapp-vm/small_memory_system.json are accepted
// as they are, and its documentation fields ignored.
package state
