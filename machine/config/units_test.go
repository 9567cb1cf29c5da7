package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBytes(t *testing.T) {
	type result struct {
		N    uint64
		Unit bool
		Err  string
	}
	tests := []struct {
		in   string
		want result
	}{
		{"4096", result{4096, false, ""}},
		{"64B", result{64, true, ""}},
		{"48KiB", result{48 << 10, true, ""}},
		{"48 kb", result{48 << 10, true, ""}},
		{"2MiB", result{2 << 20, true, ""}},
		{"1G", result{1 << 30, true, ""}},
		{"3TiB", result{3 << 40, true, ""}},
		{"0x1000", result{4096, false, ""}},
		{"0X7f0000000000", result{0x7f0000000000, false, ""}},
		{"0xfff KiB", result{0, false, `"0xfff KiB" is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)`}},
		{"-1", result{0, false, `"-1" is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)`}},
		{"1.5MiB", result{0, false, `"1.5MiB" is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)`}},
		{"KiB", result{0, false, `"KiB" is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)`}},
		{"16777216TiB", result{0, false, `"16777216TiB" is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)`}},
	}
	for _, tc := range tests {
		n, unit, err := ParseBytes(tc.in)
		got := result{N: n, Unit: unit}
		if err != nil {
			got.Err = err.Error()
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0B", 64: "64B", 1536: "1536B", 48 << 10: "48KiB", 2 << 20: "2MiB",
		1 << 30: "1GiB", 1 << 40: "1024GiB", 1<<50 + 1024: "1099511627777KiB",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseHertzCountBool(t *testing.T) {
	type result struct {
		N   uint64
		Err string
	}
	read := func(n uint64, err error) result {
		if err != nil {
			return result{n, err.Error()}
		}
		return result{n, ""}
	}
	tests := []struct {
		name string
		got  result
		want result
	}{
		{"4GHz", read(ParseHertz("4GHz")), result{4e9, ""}},
		{"3.2 GHz", read(ParseHertz("3.2 GHz")), result{3.2e9, ""}},
		{"2400MHz", read(ParseHertz("2400MHz")), result{2.4e9, ""}},
		{"0Hz", read(ParseHertz("0Hz")), result{0, `"0Hz" is not a frequency (write it like 4GHz or 2400MHz)`}},
		{"5 cycles", read(ParseCount("5 cycles")), result{5, ""}},
		{"-1", read(ParseCount("-1")), result{0, `"-1" is not a whole number`}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	for in, want := range map[string]bool{"true": true, "Yes": true, "on": true, "1": true, "false": false, " off ": false, "0": false} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseBool("maybe"); err == nil || err.Error() != `"maybe" is not true or false` {
		t.Errorf("ParseBool(maybe): %v", err)
	}
}
