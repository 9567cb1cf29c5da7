package config

import (
	"fmt"
	"slices"
	"strings"
)

// Level is one cache level named in the levels key.
type Level struct {
	Name  string
	Split string // for a split level, the data side's name (Name is the instruction side)
}

// parseLevels reads "l1i+l1d,l2,llc".
func parseLevels(v string) ([]Level, error) {
	var out []Level
	seen := map[string]bool{}
	for i, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		names := strings.Split(part, "+")
		if len(names) > 2 || (len(names) == 2 && i > 0) {
			return nil, fmt.Errorf("%q: only the first level can be split, in two (like l1i+l1d)", part)
		}
		for _, n := range names {
			if !validName(n) {
				return nil, fmt.Errorf("%q is not a level name (letters and digits, starting with a letter)", n)
			}
			if seen[n] || isGlobalPrefix(n) || slices.Contains(statNames, n) {
				return nil, fmt.Errorf("level name %q is used twice or is reserved", n)
			}
			seen[n] = true
		}
		l := Level{Name: names[0]}
		if len(names) == 2 {
			l.Split = names[1]
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no levels")
	}
	return out, nil
}

func validName(n string) bool {
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// statNames are the names other blocks count under in the machine's
// statistics (walker.merged beside l2.merged): a level may not take one.
var statNames = []string{"walker", "pwc", "swap"}

func isGlobalPrefix(n string) bool {
	for _, k := range globalKeys {
		if k.Name == n || strings.HasPrefix(k.Name, n+".") {
			return true
		}
	}
	return false
}

// levelNames lists every cache's name, top first, the split sides in order.
func levelNames(ls []Level) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
		if l.Split != "" {
			out = append(out, l.Split)
		}
	}
	return out
}

// schema returns every key valid for these levels.
func schema(ls []Level) []Key {
	keys := append([]Key(nil), globalKeys...)
	for _, n := range levelNames(ls) {
		for _, k := range levelKeys {
			k.Name = n + "." + k.Name
			keys = append(keys, k)
		}
	}
	return keys
}

// DepthName names what answers an access at a depth below the core: the
// cache level there (a split one as "l1i+l1d", or with dataSide only its
// data side, "l1d"), or memory below the last level.
func (c *Config) DepthName(depth int, dataSide bool) string {
	ls := c.levels
	switch {
	case depth >= len(ls):
		return "memory"
	case ls[depth].Split == "":
		return ls[depth].Name
	case dataSide:
		return ls[depth].Split
	}
	return ls[depth].Name + "+" + ls[depth].Split
}
