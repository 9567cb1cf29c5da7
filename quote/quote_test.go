package quote

import (
	"fmt"
	"strings"
	"testing"
)

func TestInput(t *testing.T) {
	long := strings.Repeat("x", 70000)
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{strings.Repeat("y", Max), `"` + strings.Repeat("y", Max) + `"`},
		{strings.Repeat("y", Max+1), `"` + strings.Repeat("y", Max) + `"... (65 bytes)`},
		{long, `"` + strings.Repeat("x", Max) + `"... (70000 bytes)`},
		{"a\nb\x00", `"a\nb\x00"`},
	} {
		if got := Input(c.in); got != c.want {
			t.Errorf("Input(%.20q): got %s, want %s", c.in, got, c.want)
		}
	}
}

func TestCut(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"l2.size=2MiB", "l2.size=2MiB"},
		{strings.Repeat("z", Max), strings.Repeat("z", Max)},
		{strings.Repeat("z", 70000), strings.Repeat("z", Max) + "... (70000 bytes)"},
	} {
		if got := Cut(c.in); got != c.want {
			t.Errorf("Cut(%.20q): got %.100s, want %.100s", c.in, got, c.want)
		}
	}
}

// Shorten cuts only the quoted strings that are too long, whatever else a
// message holds, in one pass over it.
func TestShorten(t *testing.T) {
	long := strings.Repeat("x", 70000)
	cut := `"` + strings.Repeat("x", Max) + `"... (70000 bytes)`
	for _, c := range []struct{ in, want string }{
		{"no quotes at all", "no quotes at all"},
		{`f.emu:3: column 9: value: "buf" is not a number`, `f.emu:3: column 9: value: "buf" is not a number`},
		{fmt.Sprintf("f.emu:3: value: %q is not a number", long), "f.emu:3: value: " + cut + " is not a number"},
		{fmt.Sprintf("%q and %q", long, "short"), cut + ` and "short"`},
		{fmt.Sprintf("%q", long+`"\`), `"` + strings.Repeat("x", Max) + `"... (70002 bytes)`},
		{`an "unclosed quote`, `an "unclosed quote`},
		{"a \"quote\nacross lines\"", "a \"quote\nacross lines\""},
		{`"bad \q escape"`, `"bad \q escape"`},
		{strings.Repeat(`"`, 50001), strings.Repeat(`"`, 50001)},
	} {
		if got := Shorten(c.in); got != c.want {
			t.Errorf("Shorten(%.40q):\n got %.200s\nwant %.200s", c.in, got, c.want)
		}
	}
}
