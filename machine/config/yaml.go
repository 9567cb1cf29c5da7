package config

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

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
	if err := flatten(doc.Content[0], "", where, &out); err != nil {
		return nil, err
	}
	return out, repeatedSetting(out)
}

// RepeatedKey returns the first key of a YAML mapping that is given again
// (again) and its first place (first), or nils. yaml.v3 refuses a repeated
// key only when it decodes into a map or a struct, never into a Node, so
// every reader of nodes (configuration files, sweep files) asks this.
func RepeatedKey(m *yaml.Node) (first, again *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	seen := make(map[string]*yaml.Node, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if f, ok := seen[k.Value]; ok {
			return f, k
		}
		seen[k.Value] = k
	}
	return nil, nil
}

// GivenTwice says where a repeated key was given.
func GivenTwice(firstLine, againLine int) string {
	return fmt.Sprintf("given twice, on lines %d and %d", firstLine, againLine)
}

// repeatedSetting refuses a key set twice in one file, also when one is
// written nested (l2: {size: 1MiB}) and one dotted (l2.size: 2MiB).
func repeatedSetting(sets []setting) error {
	lines := make(map[string]int, len(sets))
	for _, s := range sets {
		if first, ok := lines[s.key]; ok {
			return &Error{Where: s.where, Key: s.key, Msg: GivenTwice(first, s.line)}
		}
		lines[s.key] = s.line
	}
	return nil
}

func flatten(n *yaml.Node, prefix, where string, out *[]setting) error {
	at := fmt.Sprintf("%s:%d", where, n.Line)
	switch n.Kind {
	case yaml.MappingNode:
		if first, again := RepeatedKey(n); again != nil {
			return &Error{Where: fmt.Sprintf("%s:%d", where, again.Line), Key: dotted(prefix, again.Value),
				Msg: GivenTwice(first.Line, again.Line)}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := dotted(prefix, n.Content[i].Value)
			if err := flatten(n.Content[i+1], k, where, out); err != nil {
				return err
			}
		}
		return nil
	case yaml.ScalarNode:
		if prefix == "" {
			return &Error{Where: at, Msg: "expected key: value lines"}
		}
		*out = append(*out, setting{key: prefix, value: n.Value, where: at, line: n.Line})
		return nil
	case yaml.SequenceNode:
		var parts []string
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode {
				return &Error{Where: at, Key: prefix, Msg: "a list may hold only plain values"}
			}
			parts = append(parts, e.Value)
		}
		*out = append(*out, setting{key: prefix, value: strings.Join(parts, ","), where: at, line: n.Line})
		return nil
	}
	return &Error{Where: at, Key: prefix, Msg: "unexpected YAML node"}
}

func dotted(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
