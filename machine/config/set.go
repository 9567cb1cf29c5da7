package config

import (
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/quote"
)

// setting is one key = value read from somewhere: where names it in
// errors; dir is the folder of the file it is in ("" for --set and the
// presets); line is its line in that file (0 for --set).
type setting struct {
	key, value, where, dir string
	line                   int
}

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
	from := c.next(s)
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
	c.put("levels", s.value, from)
	for _, n := range levelNames(ls) {
		for _, k := range levelKeys {
			name := n + "." + k.Name
			if _, ok := c.values[name]; !ok {
				c.put(name, levelDefaults[k.Name], source{where: "level default", seq: from.seq})
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
	from := c.next(s)
	c.put(s.key, s.value, from)
	c.expand(s.key, s.value, from)
	return nil
}

// next is the source of the next setting applied.
func (c *Config) next(s setting) source {
	c.seq++
	return source{where: s.where, dir: s.dir, seq: c.seq, user: !strings.HasPrefix(s.where, presetWhere)}
}

// expand keeps mmu.paging and the geometry keys it names in step: naming a
// geometry sets its keys, and changing one of them makes it custom.
func (c *Config) expand(key, value string, from source) {
	derived := source{where: from.where + " (" + key + ")", seq: from.seq}
	custom := from
	custom.user = false // what the user set is the key that made it custom
	if key == "mmu.paging" {
		g, ok := mmu.Geometries[value]
		if !ok {
			return
		}
		for k, v := range geometryValues(g) {
			c.put(k, v, derived)
		}
		return
	}
	if _, ok := geometryValues(mmu.Geometry{})[key]; ok {
		c.put("mmu.paging", "custom", custom)
	}
	if key == "dram.preset" {
		if d, err := dram.Preset(value); err == nil {
			for k, v := range dramValues(d) {
				c.put(k, v, derived)
			}
		}
		return
	}
	if strings.HasPrefix(key, "dram.") && key != "dram.per_bank_stats" {
		c.put("dram.preset", "custom", custom)
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
	return c.SetFrom("--set "+key+"="+quote.Cut(value), key, value)
}

// SetFrom changes one key as Set does; where says, in errors, what the
// user wrote to change it (emu dram's "-c ddr4-2400" or "--set tRCD=18").
// A relative path in the value is read from the current folder.
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
		return &Error{Where: "--set " + quote.Cut(arg), Msg: "expected key=value"}
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
