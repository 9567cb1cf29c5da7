// Package config is a machine's configuration: one flat tree of documented
// keys with units ("l1d.size: 48KiB", "memory.latency: 280"), read from the
// embedded presets (presets/*.yaml) or a user's YAML or JSON file that
// starts from a preset ("base: default") and changes what it names, then
// from --set key=value.
//
// A file's base may be another file, read from the folder of the file
// that names it (as the state key's path is: Dir); a cycle of bases or a
// chain of more than 16 files is an error naming the chain, and a key given
// twice in one file is refused naming both lines (RepeatedKey, which sweep
// files use too). Files are read at most 16 MiB (ReadFile).
//
// Every value is checked when it is set: an unknown key names the nearest
// valid one, a number out of range gives the range. Each value keeps where
// it came from and in what order, so that an error about keys that must
// agree names the one set last (Blame). The set of level keys
// follows the "levels" key: every level it names has the same keys.
// Naming a page-table geometry (mmu.paging) or a DRAM part (dram.preset)
// sets the keys that spell it out, and changing one of those makes it
// custom. The units (sizes, counts, frequencies, booleans) have one parser
// each here, which the sweeps use too; Reader reads typed values for
// assembly.
//
// Inert names the keys the user set that have no effect under another
// key's value (memory.latency under memory.model: dram, a TLB's keys when
// it has no entries, ...), for warnings; a preset's own values are not
// named. ReadDRAMFile reads the configuration files of the simulators the
// DRAM model is checked against, DRAMsim3's .ini and Ramulator 2's YAML,
// into the dram keys, each timing to one key.
//
// It leaves out everything about building a machine: whether a cache
// geometry is possible, whether a level named by mmu.walk_from or os.traffic
// exists, and whether a state file fits are decided by the machine package
// when it builds one. It imports no part of machine. The presets' numbers
// come from the references their files cite (Cache Lab, cachegrind's
// options, CS:APP figure 9.20, Raptor Cove's and Golden Cove's published
// sizes).
package config
