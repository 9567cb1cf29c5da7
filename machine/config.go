package machine

import (
	"bytes"
	"embed"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"

	"go.yaml.in/yaml/v3"
)

//go:embed presets/*.yaml
var presetFiles embed.FS

// Presets lists the names of the built-in machines.
func Presets() []string {
	ents, _ := presetFiles.ReadDir("presets")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// Config is a machine's configuration: one value, as written, for every key,
// and where each came from.
type Config struct {
	Name   string // the preset or file it was loaded from
	values map[string]string
	origin map[string]string
	levels []Level

	keys     []Key          // the schema for levels, made when first asked
	keyIndex map[string]int // key name -> index in keys
}

// Error is a configuration mistake: where it is (file:line, or --set), the
// key, and what is wrong.
type Error struct {
	Where string
	Key   string
	Msg   string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return e.Where + ": " + e.Msg
	}
	return e.Where + ": " + e.Key + ": " + e.Msg
}

// setting is one key = value read from somewhere.
type setting struct{ key, value, where string }

// Load returns the configuration named by spec: a preset's name, or the path
// of a YAML or JSON file. A file starts from the preset its "base" key names
// (default: "default") and changes what it sets. "" means "default".
func Load(spec string) (*Config, error) {
	if spec == "" {
		spec = "default"
	}
	if data, err := presetFiles.ReadFile("presets/" + spec + ".yaml"); err == nil {
		return loadPreset(spec, data)
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return nil, &Error{Where: spec, Msg: fmt.Sprintf("neither a preset (%s) nor a readable file: %v", strings.Join(Presets(), ", "), unwrapPath(err))}
	}
	return fromLayers(spec, data, spec)
}

// parsedPresets holds each built-in preset parsed once, with its schema:
// a sweep loads its base for every point, and parsing it was a twentieth
// of a short point's time.
var parsedPresets sync.Map // name -> *Config

func loadPreset(name string, data []byte) (*Config, error) {
	if c, ok := parsedPresets.Load(name); ok {
		return c.(*Config).clone(), nil
	}
	c, err := fromLayers(name, data, "preset "+name)
	if err != nil {
		return nil, err
	}
	c.Keys()
	parsedPresets.Store(name, c)
	return c.clone(), nil
}

// clone returns a copy that changes independently. The schema is shared:
// it is never changed in place, only replaced when the levels change.
func (c *Config) clone() *Config {
	d := *c
	d.values, d.origin, d.levels = maps.Clone(c.values), maps.Clone(c.origin), slices.Clone(c.levels)
	return &d
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// fromLayers builds a configuration from a file's settings on top of its base.
func fromLayers(name string, data []byte, where string) (*Config, error) {
	sets, err := parseYAML(data, where)
	if err != nil {
		return nil, err
	}
	base := "default"
	if name == "default" && where == "preset default" {
		base = ""
	}
	var rest []setting
	for _, s := range sets {
		if s.key == "base" {
			base = s.value
			continue
		}
		rest = append(rest, s)
	}
	c := &Config{Name: name, values: map[string]string{}, origin: map[string]string{}}
	if base != "" {
		if base == name {
			return nil, &Error{Where: where, Key: "base", Msg: "a configuration cannot be based on itself"}
		}
		b, err := Load(base)
		if err != nil {
			return nil, err
		}
		c.levels = b.levels
		for k, v := range b.values {
			c.values[k], c.origin[k] = v, b.origin[k]
		}
	}
	if err := c.apply(rest); err != nil {
		return nil, err
	}
	return c, c.check()
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
	c.expand(s)
	return nil
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
		"mmu.page": formatBytes(1 << g.PageShift), "mmu.va_bits": strconv.Itoa(int(g.VABits)),
		"mmu.pa_bits": strconv.Itoa(int(g.PABits)), "mmu.large_pages": large,
	}
}

// Set changes one key, as --set key=value does.
func (c *Config) Set(key, value string) error {
	s := setting{key: strings.TrimSpace(key), value: strings.TrimSpace(value), where: "--set " + key + "=" + value}
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

// Keys is the schema for this configuration's levels.
func (c *Config) Keys() []Key {
	if c.keys == nil {
		c.keys = schema(c.levels)
		c.keyIndex = make(map[string]int, len(c.keys))
		for i, k := range c.keys {
			c.keyIndex[k.Name] = i
		}
	}
	return c.keys
}

func (c *Config) key(name string) (Key, bool) {
	c.Keys()
	i, ok := c.keyIndex[name]
	if !ok {
		return Key{}, false
	}
	return c.keys[i], true
}

// Get returns a key's value as written.
func (c *Config) Get(key string) string { return c.values[key] }

// Origin says where a key's value came from.
func (c *Config) Origin(key string) string { return c.origin[key] }

// Levels returns the cache levels, top first.
func (c *Config) Levels() []Level { return c.levels }

// parseYAML flattens a YAML (or JSON) document into dotted keys, with the
// line each came from.
func parseYAML(data []byte, where string) ([]setting, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, nil
		}
		return nil, &Error{Where: where, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	var out []setting
	err := flatten(doc.Content[0], "", where, &out)
	return out, err
}

func flatten(n *yaml.Node, prefix, where string, out *[]setting) error {
	at := fmt.Sprintf("%s:%d", where, n.Line)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if prefix != "" {
				k = prefix + "." + k
			}
			if err := flatten(n.Content[i+1], k, where, out); err != nil {
				return err
			}
		}
		return nil
	case yaml.ScalarNode:
		if prefix == "" {
			return &Error{Where: at, Msg: "expected key: value lines"}
		}
		*out = append(*out, setting{key: prefix, value: n.Value, where: at})
		return nil
	case yaml.SequenceNode:
		var parts []string
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode {
				return &Error{Where: at, Key: prefix, Msg: "a list may hold only plain values"}
			}
			parts = append(parts, e.Value)
		}
		*out = append(*out, setting{key: prefix, value: strings.Join(parts, ","), where: at})
		return nil
	}
	return &Error{Where: at, Key: prefix, Msg: "unexpected YAML node"}
}

// nearest returns the key name closest to name, if it is close enough to be
// a likely misspelling.
func nearest(name string, keys []Key) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	sort.Strings(names)
	return Nearest(name, names)
}

// Nearest returns the candidate closest to name by edit distance, if it is
// close enough to be a likely misspelling (the first of equals), or "".
func Nearest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+1
	for _, n := range candidates {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
