package dram

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

func TestMappingNamed(t *testing.T) {
	g := preset(t, "ddr4-2400").Geometry // 7 column bits (1024/8), 2 bg, 2 ba, 16 row
	tests := []struct {
		spec string
		addr uint64
		want Location
	}{
		// RoBaRaCoCh, from bit 6 up: column (7), bank group (2), bank (2), row.
		{"RoBaRaCoCh", 0x40, Location{Column: 1}},
		{"RoBaRaCoCh", 1 << 13, Location{BankGroup: 1}},
		{"RoBaRaCoCh", 1 << 15, Location{Bank: 1}},
		{"RoBaRaCoCh", 1 << 17, Location{Row: 1}},
		{"robaracoch", 0x3f, Location{}}, // the offset within a line is ignored
		// ChRaBaRoCo, from bit 6 up: column, row (16), bank (2), bank group (2).
		{"ChRaBaRoCo", 1 << 13, Location{Row: 1}},
		{"ChRaBaRoCo", 1 << 29, Location{Bank: 1}},
		{"ChRaBaRoCo", 1 << 31, Location{BankGroup: 1}},
		// The XOR permutation: row 1 moves the line from bank 0 to bank group 1.
		{"RoBaRaCoCh-xor", 1 << 17, Location{Row: 1, BankGroup: 1}},
		{"RoBaRaCoCh-xor", 1<<17 | 1<<13, Location{Row: 1}},
		// A bit-field string: bank group lowest, so lines rotate over the groups.
		{"ro ba ra co bg ch", 1 << 6, Location{BankGroup: 1}},
		{"robaracobgch", 1 << 8, Location{Column: 1}},
		// Split fields, most significant piece first.
		{"ro ba co:3 bg co:4", 1 << 6, Location{Column: 1}},
		{"ro ba co:3 bg co:4", 1 << 10, Location{BankGroup: 1}},
		{"ro ba co:3 bg co:4", 1 << 12, Location{Column: 16}},
	}
	for _, tc := range tests {
		m, err := ParseMapping(tc.spec, g)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if diff := cmp.Diff(tc.want, m.Decode(tc.addr)); diff != "" {
			t.Errorf("%s Decode(%#x) (-want +got):\n%s", tc.spec, tc.addr, diff)
		}
	}
}

func TestMappingRoundTrip(t *testing.T) {
	for _, name := range PresetNames() {
		c := preset(t, name)
		for _, spec := range []string{"RoBaRaCoCh", "ChRaBaRoCo", "RoBaRaCoCh-xor", "ChRaBaRoCo-xor", "co bg ba ra ro ch", "ro-ba:1-bg-ba:1-ra-co-ch"} {
			m, err := ParseMapping(spec, c.Geometry)
			if err != nil {
				t.Fatalf("%s %s: %v", name, spec, err)
			}
			rng := sim.NewRNG(3)
			seen := map[Location]bool{}
			for range 2000 {
				a := uint64(rng.IntN(int(m.Capacity()/64))) * 64
				l := m.Decode(a)
				if got := m.Encode(l); got != a {
					t.Fatalf("%s %s: Encode(Decode(%#x)) = %#x", name, spec, a, got)
				}
				seen[l] = true
			}
			if len(seen) < 1990 {
				t.Errorf("%s %s: only %d distinct locations for 2000 random lines", name, spec, len(seen))
			}
		}
	}
}

func TestMappingErrors(t *testing.T) {
	g := preset(t, "ddr4-2400").Geometry
	tests := []struct{ spec, msg string }{
		{"", "empty"},
		{"RoBaCoCh", "field bg has 0 bits but the geometry needs 2"},
		{"robabgracoc", "not a mapping name"},
		{"robabgracochxx", "unknown field \"xx\""},
		{"ro ba bg ra co", "ch"}, // ch has 0 bits: fine, so this parses...
		{"ro ba bg ra", "field co has 0 bits but the geometry needs 7"},
		{"ro ba bg ra co co ch", "more than once"},
		{"ro:20 ba bg ra co ch", "field ro has 20 bits but the geometry needs 16"},
		{"ro:15 ba bg ra co ch", "field ro has 15 bits"},
		{"ro:x ba bg ra co ch", "width \"x\""},
	}
	if _, err := ParseMapping("RoBaRaCoCh", Geometry{}); err == nil {
		t.Error("a zero geometry was accepted")
	}
	for _, tc := range tests {
		_, err := ParseMapping(tc.spec, g)
		if tc.spec == "ro ba bg ra co" {
			if err != nil {
				t.Errorf("%q: a field with no bits may be left out, got %v", tc.spec, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "policy.mapping") {
			t.Errorf("%q: got %v, want an error about policy.mapping with %q", tc.spec, err, tc.msg)
		}
	}
}
