package config

import (
	"fmt"
	"strings"
)

// Inert is a key the user set (in a file, with --set or a scenario's set
// line) that has no effect under another key's value, such as
// memory.latency under memory.model: dram.
type Inert struct {
	Key, Where string // the key, and what set it
	By, Value  string // the key whose value makes it inert, and that value
	ByWhere    string // what set By
	Applies    string // when Key does have an effect
}

func (i Inert) String() string {
	return fmt.Sprintf("%s: %s has no effect with %s: %s (%s); it applies with %s",
		i.Where, i.Key, i.By, i.Value, i.ByWhere, i.Applies)
}

// inertRule says which keys have no effect when another key has certain
// values.
type inertRule struct {
	by      string            // the deciding key
	inert   func(string) bool // whether by's value makes the keys inert
	applies string            // when they apply, in words
	keys    func(string) bool // the keys it makes inert
}

// Inert lists the keys the user set that have no effect under the rest of
// the configuration, in the schema's order. A preset's own values are not
// listed: a preset sets every key, whether its machine uses it or not.
func (c *Config) Inert() []Inert {
	rules := c.inertRules()
	var out []Inert
	for _, k := range c.Keys() {
		if !c.origin[k.Name].user {
			continue
		}
		for _, r := range rules {
			if r.by != k.Name && r.keys(k.Name) && r.inert(c.Get(r.by)) {
				out = append(out, Inert{Key: k.Name, Where: c.Origin(k.Name), By: r.by, Value: c.Get(r.by),
					ByWhere: c.Origin(r.by), Applies: r.applies})
				break
			}
		}
	}
	return out
}

// either is a set of keys made of two.
func either(a, b func(string) bool) func(string) bool {
	return func(k string) bool { return a(k) || b(k) }
}

// inertRules are this configuration's rules, the widest first: under
// mmu.enabled: false every TLB key is inert, whatever its entries.
func (c *Config) inertRules() []inertRule {
	is := func(v string) func(string) bool { return func(x string) bool { return x == v } }
	isNot := func(v string) func(string) bool { return func(x string) bool { return x != v } }
	under := func(prefixes ...string) func(string) bool {
		return func(k string) bool {
			for _, p := range prefixes {
				if strings.HasPrefix(k, p) {
					return true
				}
			}
			return false
		}
	}
	oneOf := func(keys ...string) func(string) bool {
		return func(k string) bool {
			for _, x := range keys {
				if k == x {
					return true
				}
			}
			return false
		}
	}
	manyCores := oneOf("os.ipi_send_cycles", "os.ipi_latency_cycles", "os.irq_entry_cycles", "os.irq_exit_cycles")
	for _, n := range levelNames(c.levels) {
		manyCores = either(manyCores, oneOf(n+".sharing"))
	}
	rules := []inertRule{
		{"mmu.enabled", is("false"), "mmu.enabled: true", under("mmu.", "itlb.", "dtlb.", "stlb.", "os.", "disk.")},
		{"cores", is("1"), "cores above 1", either(manyCores, under("coherence."))},
		{"coherence.model", is("none"), "coherence.model: mesi", under("coherence.")},
		{"mmu.enabled", is("false"), "mmu.enabled: true (a prefetch walks only for a virtual address)",
			func(k string) bool { return strings.HasSuffix(k, ".prefetch_walk") }},
		{"memory.model", isNot("fixed"), "memory.model: fixed", oneOf("memory.latency")},
		{"memory.model", isNot("dram"), "memory.model: dram", under("dram.")},
		{"core.model", is("inorder"), "core.model: ooo",
			oneOf("core.width", "core.rob", "core.lq", "core.sq", "core.store_buffer", "core.fetch_queue", "core.fetch_on_taken")},
		{"stlb.prefetcher", is("none"), "stlb.prefetcher other than none", oneOf("stlb.prefetch_buffer", "stlb.prefetch_degree")},
		{"disk.model", is("none"), "a disk (disk.model other than none)", oneOf("disk.swap")},
	}
	if top := c.levels[0]; top.Split != "" {
		rules = append(rules, inertRule{"access.fetch", is("ignore"), "access.fetch: simulate", under(top.Name+".", "itlb.")})
	}
	for _, t := range tlbNames {
		rules = append(rules, inertRule{t + ".entries", is("0"), t + ".entries above 0",
			oneOf(t+".ways", t+".latency", t+".pages", t+".replacement")})
	}
	for _, n := range levelNames(c.levels) {
		rules = append(rules,
			inertRule{n + ".ways", is("1"), n + ".ways above 1 (direct-mapped: no choice of victim)", oneOf(n + ".replacement")},
			inertRule{n + ".write_policy", is("as-read"), n + ".write_policy: write-back or write-through", oneOf(n + ".write_allocate")},
			inertRule{n + ".prefetcher", is("none"), n + ".prefetcher other than none",
				oneOf(n+".prefetch_degree", n+".prefetch_distance", n+".prefetch_fill", n+".prefetch_walk", n+".prefetch_throttle")})
	}
	return rules
}
