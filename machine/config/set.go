package config

import (
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
)

// setting is one key = value read from somewhere.
type setting struct{ key, value, where string }

// apply sets values in order; the levels key goes first, since it decides
// which level keys exist.
func (c *Config) apply(sets []setting) error {
	for _, s := range sets {
		if s.key == "levels" {
			if err := c.setLevels(s); err != nil {
				return err
			}
		}
	}
	for _, s := range sets {
		if s.key == "levels" {
			continue
		}
		if err := c.set(s); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) setLevels(s setting) error {
	ls, err := parseLevels(s.value)
	if err != nil {
		return &Error{Where: s.where, Key: s.key, Msg: err.Error()}
	}
	keep := map[string]bool{}
	for _, n := range levelNames(ls) {
		keep[n] = true
	}
	for k := range c.values {
		if i := strings.IndexByte(k, '.'); i > 0 && !isGlobalPrefix(k[:i]) && !keep[k[:i]] {
			delete(c.values, k)
			delete(c.origin, k)
		}
	}
	c.levels = ls
	c.keys, c.keyIndex = nil, nil // the level keys changed
	c.values["levels"], c.origin["levels"] = s.value, s.where
	c.markUser(s)
	for _, n := range levelNames(ls) {
		for _, k := range levelKeys {
			name := n + "." + k.Name
			if _, ok := c.values[name]; !ok {
				c.values[name], c.origin[name] = levelDefaults[k.Name], "level default"
			}
		}
	}
	return nil
}

func (c *Config) set(s setting) error {
	k, ok := c.key(s.key)
	if !ok {
		msg := "unknown key"
		if near := nearest(s.key, c.Keys()); near != "" {
			msg += "; did you mean " + near + "?"
		}
		return &Error{Where: s.where, Key: s.key, Msg: msg}
	}
	if err := k.check(s.value); err != nil {
		return &Error{Where: s.where, Key: s.key, Msg: err.Error()}
	}
	c.values[s.key], c.origin[s.key] = s.value, s.where
	c.markUser(s)
	c.expand(s)
	return nil
}

// markUser notes a key the user set, in a file or with --set, rather than
// a preset.
func (c *Config) markUser(s setting) {
	if !strings.HasPrefix(s.where, presetWhere) {
		c.user[s.key] = true
	}
}

// expand keeps mmu.paging and the geometry keys it names in step: naming a
// geometry sets its keys, and changing one of them makes it custom.
func (c *Config) expand(s setting) {
	if s.key == "mmu.paging" {
		g, ok := mmu.Geometries[s.value]
		if !ok {
			return
		}
		for k, v := range geometryValues(g) {
			c.values[k], c.origin[k] = v, s.where+" (mmu.paging)"
		}
		return
	}
	if _, ok := geometryValues(mmu.Geometry{})[s.key]; ok {
		c.values["mmu.paging"], c.origin["mmu.paging"] = "custom", s.where
	}
	if s.key == "dram.preset" {
		if d, err := dram.Preset(s.value); err == nil {
			for k, v := range dramValues(d) {
				c.values[k], c.origin[k] = v, s.where+" (dram.preset)"
			}
		}
		return
	}
	if strings.HasPrefix(s.key, "dram.") && s.key != "dram.per_bank_stats" {
		c.values["dram.preset"], c.origin["dram.preset"] = "custom", s.where
	}
}

// geometryValues writes a geometry as the keys that hold it.
func geometryValues(g mmu.Geometry) map[string]string {
	large := "none"
	if len(g.LargeLevels) > 0 {
		var parts []string
		for _, l := range g.LargeLevels {
			parts = append(parts, strconv.Itoa(l))
		}
		large = strings.Join(parts, ",")
	}
	return map[string]string{
		"mmu.levels": strconv.Itoa(g.Levels), "mmu.level_bits": strconv.Itoa(g.BitsPerLevel),
		"mmu.page": FormatBytes(1 << g.PageShift), "mmu.va_bits": strconv.Itoa(int(g.VABits)),
		"mmu.pa_bits": strconv.Itoa(int(g.PABits)), "mmu.large_pages": large,
	}
}

// Set changes one key, as --set key=value does.
func (c *Config) Set(key, value string) error {
	return c.SetFrom("--set "+key+"="+value, key, value)
}

// SetFrom changes one key as Set does; where names what set it (a
// scenario's file and line) for errors and for Origin.
func (c *Config) SetFrom(where, key, value string) error {
	s := setting{key: strings.TrimSpace(key), value: strings.TrimSpace(value), where: where}
	if s.key == "levels" {
		if err := c.setLevels(s); err != nil {
			return err
		}
	} else if err := c.set(s); err != nil {
		return err
	}
	return c.check()
}

// SetArg applies a "key=value" argument.
func (c *Config) SetArg(arg string) error {
	k, v, ok := strings.Cut(arg, "=")
	if !ok {
		return &Error{Where: "--set " + arg, Msg: "expected key=value"}
	}
	return c.Set(k, v)
}

// check makes sure every key of the schema has a value.
func (c *Config) check() error {
	for _, k := range c.Keys() {
		if _, ok := c.values[k.Name]; !ok {
			return &Error{Where: c.Name, Key: k.Name, Msg: "no value"}
		}
	}
	return nil
}
