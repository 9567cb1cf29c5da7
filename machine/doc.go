// Package machine assembles a machine from a configuration and replays
// traces on it.
//
// Configuration is one flat tree of documented keys with units
// ("l1d.size: 48KiB", "memory.latency: 280"), read from embedded presets
// (presets/*.yaml) or a user's YAML or JSON file that starts from a preset
// ("base: default") and changes what it names, then from --set key=value.
// Every value is checked when set: an unknown key names the nearest valid
// one, a number out of range gives the range, and an impossible cache
// geometry is refused with the reason. The set of level keys follows the
// "levels" key: every level it names has the same keys.
//
// The core in this package is the in-order, blocking one of the coursework
// model: each access starts when the one before has its data, so the cycles
// are the sum of the access latencies. The report counts, per level, demand
// accesses, hits, misses, evictions and write-backs; per kind of access the
// AMAT; and how many of the core's cycles went to accesses each level
// answered. CSim is the Cache Lab reference simulator's behaviour, exactly.
package machine
