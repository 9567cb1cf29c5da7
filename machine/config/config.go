package config

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
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
	origin map[string]source
	seq    uint64 // settings applied so far, to order them in source
	levels []Level

	keys     []Key          // the schema for levels, made when first asked
	keyIndex map[string]int // key name -> index in keys
}

// source is where a value came from. where names it in errors ("m.yaml:3",
// "--set l2.ways=4", "preset default:24 (dram.preset)"); seq orders the
// settings, so that an error about keys that disagree can name the one set
// last; dir is the folder of the file that set it, against which a
// relative path in the value is read ("" for --set and the presets: the
// current folder).
type source struct {
	where, dir string
	seq        uint64
	// user says the user set the key (in a file, with --set, in a
	// scenario's set line), not a preset and not a rule that follows from
	// another key (Inert warns of those the user set only).
	user bool
}

// put sets one key's value and its source.
func (c *Config) put(key, value string, from source) {
	c.values[key], c.origin[key] = value, from
}

// Load returns the configuration named by spec: a preset's name, or the path
// of a YAML or JSON file. A file starts from the preset or file its "base"
// key names (default: "default"; a relative path is read from the file's
// folder) and changes what it sets. "" means "default".
func Load(spec string) (*Config, error) {
	if spec == "" {
		spec = "default"
	}
	return load(spec, nil)
}

// load reads a preset or a file; chain lists the files that named it as
// their base, outermost first.
func load(spec string, chain []string) (*Config, error) {
	if data, err := presetFiles.ReadFile("presets/" + spec + ".yaml"); err == nil {
		return loadPreset(spec, data)
	}
	data, err := ReadFile(spec)
	if errors.Is(err, ErrTooLarge) {
		return nil, &Error{Where: spec, Msg: err.Error()}
	}
	if err != nil {
		return nil, &Error{Where: spec, Msg: fmt.Sprintf("neither a preset (%s) nor a readable file: %v", strings.Join(Presets(), ", "), err)}
	}
	return fromLayers(spec, data, spec, chain)
}

func isPreset(name string) bool {
	_, err := presetFiles.ReadFile("presets/" + name + ".yaml")
	return err == nil
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
	c, err := fromLayers(name, data, presetWhere+name, nil)
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

// fromLayers builds a configuration from a file's settings on top of its
// base. where is "preset NAME" for a preset, else the file's path (name).
func fromLayers(name string, data []byte, where string, chain []string) (*Config, error) {
	sets, err := parseYAML(data, where)
	if err != nil {
		return nil, err
	}
	file := where == name
	base := setting{key: "base", value: "default", where: where}
	if name == "default" && !file {
		base.value = ""
	}
	var rest []setting
	for _, s := range sets {
		if file {
			s.dir = filepath.Dir(name)
		}
		if s.key == "base" {
			base = s
			continue
		}
		rest = append(rest, s)
	}
	c := &Config{Name: name, values: map[string]string{}, origin: map[string]source{}}
	if base.value != "" || base.line > 0 {
		b, err := loadBase(name, base, chain)
		if err != nil {
			return nil, err
		}
		c.levels, c.seq = b.levels, b.seq
		for k, v := range b.values {
			c.put(k, v, b.origin[k])
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
func (c *Config) Origin(key string) string { return c.origin[key].where }

// Dir is the folder of the file that set a key, against which a relative
// path in its value is read: "" when --set or a preset set it (the
// current folder).
func (c *Config) Dir(key string) string { return c.origin[key].dir }

// Levels returns the cache levels, top first.
func (c *Config) Levels() []Level { return c.levels }

// LevelNames lists every cache's name, top first, the split sides in order.
func (c *Config) LevelNames() []string { return levelNames(c.levels) }
