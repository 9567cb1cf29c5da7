package config

import (
	"embed"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
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
	user   map[string]bool // keys set by the user, not by a preset (Inert)
	levels []Level

	keys     []Key          // the schema for levels, made when first asked
	keyIndex map[string]int // key name -> index in keys
}

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

// presetWhere starts where a preset's settings come from: "preset default".
const presetWhere = "preset "

// parsedPresets holds each built-in preset parsed once, with its schema:
// a sweep loads its base for every point, and parsing it was a twentieth
// of a short point's time.
var parsedPresets sync.Map // name -> *Config

func loadPreset(name string, data []byte) (*Config, error) {
	if c, ok := parsedPresets.Load(name); ok {
		return c.(*Config).clone(), nil
	}
	c, err := fromLayers(name, data, presetWhere+name)
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
	d.user = maps.Clone(c.user)
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
	c := &Config{Name: name, values: map[string]string{}, origin: map[string]string{}, user: map[string]bool{}}
	if base != "" {
		if base == name {
			return nil, &Error{Where: where, Key: "base", Msg: "a configuration cannot be based on itself"}
		}
		b, err := Load(base)
		if err != nil {
			return nil, err
		}
		c.levels = b.levels
		maps.Copy(c.user, b.user)
		for k, v := range b.values {
			c.values[k], c.origin[k] = v, b.origin[k]
		}
	}
	if err := c.apply(rest); err != nil {
		return nil, err
	}
	return c, c.check()
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
