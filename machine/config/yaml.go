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
