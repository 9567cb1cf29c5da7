package cpu

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		field string // "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"inorder ignores window fields", func(c *Config) { *c = Config{Model: InOrder} }, ""},
		{"width 0", func(c *Config) { c.Width = 0 }, "Width"},
		{"width 65", func(c *Config) { c.Width = 65 }, "Width"},
		{"rob 0", func(c *Config) { c.ROB = 0 }, "ROB"},
		{"lq negative", func(c *Config) { c.LQ = -1 }, "LQ"},
		{"sq 0", func(c *Config) { c.SQ = 0 }, "SQ"},
		{"store buffer 0", func(c *Config) { c.StoreBuffer = 0 }, "StoreBuffer"},
		{"fetch queue negative", func(c *Config) { c.FetchQueue = -3 }, "FetchQueue"},
		{"inflight negative", func(c *Config) { c.MaxInflightLoads = -1 }, "MaxInflightLoads"},
		{"exec huge", func(c *Config) { c.ExecLatency = 1 << 30 }, "ExecLatency"},
		{"model", func(c *Config) { c.Model = "vliw" }, "unknown model \"vliw\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.field != "" && err == nil:
				t.Errorf("Validate() = nil, want an error naming %s", tc.field)
			case tc.field != "" && !strings.Contains(err.Error(), tc.field):
				t.Errorf("Validate() = %q, want it to name %s", err, tc.field)
			}
		})
	}
}

func TestParseModel(t *testing.T) {
	for _, m := range []Model{InOrder, OOO} {
		got, err := ParseModel(string(m))
		if err != nil || got != m {
			t.Errorf("ParseModel(%q) = %v, %v", m, got, err)
		}
	}
	if _, err := ParseModel("superscalar"); err == nil {
		t.Error("ParseModel(superscalar) succeeded")
	}
}
