// Package config is a machine's configuration: one flat tree of documented
// keys with units ("l1d.size: 48KiB", "memory.latency: 280"), read from the
// embedded presets (presets/*.yaml) or a user's YAML or JSON file that
// starts from a preset ("base: default") and changes what it names, then
// from --set key=value.
//
// Every value is checked when it is set: an unknown key names the nearest
// valid one, a number out of range gives the range. The set of level keys
// follows the "levels" key: every level it names has the same keys.
// Naming a page-table geometry (mmu.paging) or a DRAM part (dram.preset)
// sets the keys that spell it out, and changing one of those makes it
// custom. The units (sizes, counts, frequencies, booleans) have one parser
// each here, which the sweeps use too; Reader reads typed values for
// assembly.
//
// It leaves out everything about building a machine: whether a cache
// geometry is possible, whether a level named by mmu.walk_from or os.traffic
// exists, and whether a state file fits are decided by the machine package
// when it builds one. It imports no part of machine. The presets' numbers
// come from the references their files cite (Cache Lab, cachegrind's
// options, CS:APP figure 9.20, Raptor Cove's and Golden Cove's published
// sizes).
package config
