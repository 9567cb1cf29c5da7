// Command emu is vmemu's command line.
//
//	emu run [-c PRESET|FILE] [--set key=value ...] [--json FILE] [--max N] TRACE
//	emu csim [-hv] -s S -E E -b B -t TRACE
//	emu config list
//	emu config show [PRESET] [-c FILE] [--set key=value ...]
//
// Every error in what the user gave (a trace line, a key, a value, a file)
// is printed as "emu: FILE:LINE: field: what is wrong" with exit status 2.
package main
