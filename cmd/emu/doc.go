// Command emu is vmemu's command line.
//
//	emu run [-c PRESET|FILE] [--set key=value ...] [--json FILE] [--warmup N]
//	        [--max N | --measure N] [--interval N] [--quantum N] [--timeline FILE] TRACE ... |
//	        SCENARIO.emu [--allow-host PATH]
//	emu record [-o OUT] -- PROG [ARGS ...]
//	emu annotate --binary PROG [-c PRESET|FILE] [--set key=value ...] [--sort EVENT] [--json] TRACE
//	emu csim [-hv] -s S -E E -b B -t TRACE
//	emu explain [-c PRESET|FILE] [--state FILE] [--json] ADDR ...
//	emu dram [-c PART|FILE] [--set key=value ...] [--json FILE] TRACE
//	emu trace convert|stats|head|gen ...
//	emu sweep plan|run|collect|compare|submit ...
//	emu plot metric|cpi|latency|series ...
//	emu config list
//	emu config show [PRESET] [-c FILE] [--set key=value ...]
//	emu calibrate [-c PRESET|FILE] [--set key=value ...] [--pages N]
//
// Every error in what the user gave (a trace line, a key, a value, a file)
// is printed as "emu: FILE:LINE: field: what is wrong" with exit status 2;
// a scenario whose stated values do not match exits with 1 after its report.
// The README's synopsis and examples are checked against these commands by
// TestReadme.
package main
